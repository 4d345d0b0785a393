# 07_directives.S - symbols, expressions, conditionals, data, alignment
	.text
	.set	ONE, 1
	.equ	TWO, ONE + 1
	THREE = TWO + ONE
	FOUR=4
	.set	MASK, ~0xf & 0xff
_start:
	li	r3, THREE
	li	r4, (FOUR << 2) | ONE
	li	r5, 100 / 7
	li	r6, 100 % 7
	li	r7, -(2 * 3)
	li	r8, 1 + 2 * 3
	li	r9, 0b1010
	li	r10, 017
	li	r11, 'A'
	li	r12, MASK
	li	r13, 0x10 >> 2
	li	r14, 6 ^ 3
	li	r15, end_data - start_data
	li	r16, LATER
	.set	LATER, 0x123
	.set	ONE, 7		/* redefinition */
	li	r17, ONE
.if THREE == 3
	li	r3, 1
  .if FOUR > 5
	li	r3, 2
  .elseif FOUR == 4
	li	r3, 3
    .ifdef UNDEFINED_THING
	li	r3, 4
    .else
	li	r3, 5
    .endif
  .else
	li	r3, 6
  .endif
.else
	li	r3, 7
.endif
.ifndef UNDEFINED_THING
	li	r3, 8
.endif
.ifdef THREE
	li	r3, 9
.endif
.ifeq FOUR - 4
	li	r3, 10
.endif
.ifne FOUR
	li	r3, 11
.endif
.ifc abc, abc
	li	r3, 12
.endif
.ifnc abc, abd
	li	r3, 13
.endif
.if 0
	this is not assembled at all !@#
.endif
start_data:
	.byte	1, 2, 3, 0xff, -1
	.align	2
	.short	0x1234, -2
	.hword	7
	.word	0xbeef
	.long	0xdeadbeef, start_data, . - _start
	.int	5
	.balign	8
	.quad	0x0123456789abcdef, _start + 4, -1
	.8byte	2
	.llong	3
	.ascii	"abc", "de\n"
	.asciz	"hello\tworld\\\""
	.string	"str\001\x41"
	.p2align 3
	.skip	5
	.space	3, 0xaa
	.zero	2
	.fill	3, 2, 0x1234
	.fill	2, 4, 0xcafe
	.align	3, 0xee
	.balign	16
	li	r3, 1
	.p2align 4
	li	r3, 2
	.align	6
	li	r3, 3
	.p2align 5,,8
	.long	NEXT
	.set	NEXT, . + 4
end_data:
	.long	(1 + 2) * 3, 1 + 2 & 3, 8 - 4 - 2, 1 << 4 + 1
	.long	1 == 1, 2 != 2, 3 > 2, 3 < 2, 3 >= 3, 2 <= 1
	.long	!0, !5, 5 && 0, 5 || 0
	.section .rodata
ro_label:
	.long	0x524f
	.data
data_label:
	.long	data_label, ro_label, end_data
	.byte	9
	.text
	.long	data_label
	.previous
	.long	0x77
