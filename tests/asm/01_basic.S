# 01_basic.S - arithmetic/logical basics, register spellings, comments
	.machine power9
	.abiversion 2
	.text
	.globl	_start
	.type	_start, @function
_start:
	li	r3, 5			# comment after instruction
	li	%r4, -1
	li	5, 0x7fff
	lis	r6, 0xffff
	lis	r7, -0x8000
	la	r8, 16(r1)
	mr	r9, r3
	mr.	r10, r4
	nop
	addi	r3, r3, -32768
	addis	r3, r3, 1
	addic	r4, r4, 1
	addic.	r4, r4, -1
	subi	r5, r5, 10
	subfic	r6, r6, 100
	mulli	r7, r7, -3
	add	r3, r4, r5
	add.	r3, r4, r5
	addo	r3, r4, r5
	addo.	r3, r4, r5
	subf	r3, r4, r5
	sub	r3, r4, r5
	subfc	r3, r4, r5
	adde	r3, r4, r5
	addze	r3, r4
	neg	r3, r4
	mullw	r3, r4, r5
	mulld	r3, r4, r5
	mulhdu	r3, r4, r5
	divd	r3, r4, r5
	divdu	r3, r4, r5
	divw	r3, r4, r5
	divwu.	r3, r4, r5
	ori	r3, r3, 0xffff
	oris	r3, r3, 0x8000
	xori	r3, r3, 1
	xoris	r3, r3, 2
	andi.	r3, r3, 0xff
	andis.	r3, r3, 0xff00
	and	r3, r4, r5
	andc	r3, r4, r5
	or	r3, r4, r5
	orc	r3, r4, r5
	xor	r3, r4, r5
	xor.	r3, r4, r5
	nand	r3, r4, r5
	nor	r3, r4, r5
	not	r3, r4
	eqv	r3, r4, r5
	extsb	r3, r4
	extsh	r3, r4
	extsw	r3, r4
	cntlzd	r3, r4
	cntlzw	r3, r4
	popcntd	r3, r4
	li r3, 1 ; li r4, 2 ; li r5, 3	/* several statements */
	/* a block comment
	   spanning lines with li r3, 9 inside */
	li	sp, 0
	addi	r1, sp, -16
	mr	r2, rtoc
	xnop
	.long	0x60000000
end_basic:
	.size	_start, . - _start
