# 10_reloc.S - @h/@l/@ha/@high/@higha/@higher/@highera/@highest/@highesta
	.text
	.set	BIG, 0x123456789abcdef0
	.set	NEG, -0x12345678
_start:
	lis	r3, BIG@highest
	ori	r3, r3, BIG@higher
	lis	r3, BIG@highesta
	addi	r3, r3, BIG@highera
	oris	r3, r3, BIG@h
	ori	r3, r3, BIG@l
	oris	r3, r3, BIG@high
	addis	r3, r3, BIG@higha
	addis	r3, r3, BIG@ha
	addi	r3, r3, BIG@l
	li	r3, BIG@l
	lis	r3, NEG@ha
	addi	r3, r3, NEG@l
	lis	r3, NEG@h
	ori	r3, r3, NEG@l
	lis	r3, 0x8000@ha
	lis	r3, 0x7fff8000@ha
	li	r3, 0xffff@l
	lis	r4, target@ha
	addi	r4, r4, target@l
	lis	r4, target@h
	ori	r4, r4, target@l
	lis	r5, (target + 0x10)@ha
	addi	r5, r5, (target + 0x10)@l
	lis	r6, fwd@highest
	ori	r6, r6, fwd@higher
	ori	r6, r6, fwd@high
	ori	r6, r6, fwd@l
	li	r7, (fwd - target)@l
	.org	0x9ff8
target:
	nop
	.org	0x18000
fwd:
	.long	target@h, target@l, target@ha
	.short	fwd@ha, fwd@l
