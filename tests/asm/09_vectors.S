# 09_vectors.S - interrupt vector layout with .org (AIL=0 real-mode vectors,
# scv vectors at 0x3000 + 0x20 * LEV), in the style of the guest images.
	.include "ppc.inc"
	.text
	.globl	_start
_start:
	b	reset_entry

	.macro	EXC_VECTOR addr, name, hv=0
	.org	\addr
\name\()_vec:
	mtsprg	1, r13
	.if \hv
	mfspr	r13, SPR_HSRR0
	.else
	mfspr	r13, SPR_SRR0
	.endif
	li	r3, \addr
	b	common_handler
	.endm

	EXC_VECTOR 0x100, sreset
	EXC_VECTOR 0x200, mce
	EXC_VECTOR 0x300, dsi
	EXC_VECTOR 0x380, dsegi
	EXC_VECTOR 0x400, isi
	EXC_VECTOR 0x480, isegi
	EXC_VECTOR 0x500, ext
	EXC_VECTOR 0x600, align
	EXC_VECTOR 0x700, prog
	EXC_VECTOR 0x800, fpu
	EXC_VECTOR 0x900, dec
	EXC_VECTOR 0x980, hdec, 1
	EXC_VECTOR 0xa00, doorbell
	EXC_VECTOR 0xc00, syscall
	EXC_VECTOR 0xd00, trace
	EXC_VECTOR 0xe00, hdsi, 1
	EXC_VECTOR 0xe20, hisi, 1
	EXC_VECTOR 0xe40, hea, 1
	EXC_VECTOR 0xe60, hmi, 1
	EXC_VECTOR 0xe80, hdoorbell, 1
	EXC_VECTOR 0xea0, hvirt, 1
	EXC_VECTOR 0xf00, pmu
	EXC_VECTOR 0xf20, vmx
	EXC_VECTOR 0xf40, vsx
	EXC_VECTOR 0xf60, fac
	EXC_VECTOR 0xf80, hfac, 1

	.org	0x1000
common_handler:
	mfsrr1	r4
	mfmsr	r5
	std	r3, 0x800(0)
	std	r4, 0x808(0)
	attn

reset_entry:
	LOAD_IMM64 r1, 0x8000
	li	r3, 0
	mtspr	SPR_LPCR, r3
	li	r3, FSCR_SCV
	mtspr	SPR_FSCR, r3
	mtspr	SPR_HFSCR, r3
	lis	r3, user_code@ha
	addi	r3, r3, user_code@l
	mtsrr0	r3
	LOAD_IMM64 r4, MSR_SF | MSR_PR | MSR_ME
	mtsrr1	r4
	rfid

user_code:
	li	r0, 1
	scv	0
	scv	1
	scv	127
	sc
	b	.

	/* scv vectors: 0x3000 + 0x20 * LEV, 128 of them */
	.org	0x3000
scv_vectors:
	.irp	lev, 0, 1, 2, 3
	.org	scv_vectors + 0x20 * \lev
	li	r3, \lev
	mflr	r4
	rfscv
	.endr
	.set	lev, 4
	.rept	124
	.org	scv_vectors + 0x20 * lev
	li	r3, lev
	rfscv
	.set	lev, lev + 1
	.endr
	.org	0x4000
image_end:
