# 08_macros.S - .macro/.rept/.irp/.irpc/.include
	.include "ppc.inc"
	.include "ppc.inc"		# include guard
	.text
	.macro	SAVE_GPR n, base=r1, off=8
	std	\n, (\off * \n)(\base)
	.endm
	.macro	PAIR a, b
	li	\a, \@
	li	\b, \@
	.endm
	.macro	VAR first, rest:vararg
	.long	\first
	.ifnb	\rest
	.long	\rest
	.endif
	.endm
	.macro	REQ x:req
	li	r3, \x
	.endm
	.macro	EARLY v
	li	r3, \v
	.if \v > 2
	.exitm
	.endif
	li	r4, \v
	.endm
	.macro	CAT name
\name\()_label:
	li	r5, 1
	.endm
_start:
	SAVE_GPR 14
	SAVE_GPR 15, r13
	SAVE_GPR 16, off=16
	SAVE_GPR n=17, base=r12
	PAIR	r3, r4
	PAIR	r5, r6
	VAR	1
	VAR	1, 2, 3
	REQ	42
	EARLY	1
	EARLY	3
	CAT	foo
	b	foo_label
	LOAD_IMM64 r3, 0x123456789abcdef0
	LOAD_IMM64 r4, MSR_SF | MSR_HV | MSR_ME
	LOAD_IMM32 r5, 0xdeadbeef
	mtspr	SPR_LPCR, r3
	mfspr	r4, SPR_HSRR1
	.rept	3
	nop
	.endr
	.rept	2
	.rept	2
	addi	r3, r3, 1
	.endr
	.endr
	.rept	0
	trap
	.endr
	.irp	reg, r14, r15, r16
	std	\reg, 0(r1)
	.endr
	.irp	n, 1 2 3
	li	r3, \n
	.endr
	.irpc	c, 0123
	li	r\c, \c
	.endr
	.purgem	PAIR
	.macro	PAIR x
	li	r7, \x
	.endm
	PAIR	99
	.macro	OUTER v
	INNER	\v + 1
	.endm
	.macro	INNER w
	li	r3, \w
	.endm
	OUTER	5
