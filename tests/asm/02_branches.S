# 02_branches.S - unconditional, conditional, CTR/LR branches, local labels
	.text
_start:
	b	target
	bl	target
	b	.
	b	. + 8
	bl	.-4
1:	bdnz	1b
	bdz	1b
	bdnz	2f
	bdnzl	1b
	beq	target
	bne	target
	blt	cr1, target
	bgt	cr7, target
	ble	cr2, 1b
	bge	cr3, 2f
	bnl	target
	bng	target
	bso	cr4, target
	bns	cr5, target
	beql	target
	bnel	cr6, target
	beq+	target
	bne-	target
	bdnz+	1b
	bdnz-	1b
2:	bc	12, 2, target
	bc	4, 4*cr1+eq, target
	bcl	20, 31, 3f
3:	bc	16, 0, 3b
	bclr	20, 0
	bcctr	12, 2
	bcctrl	20, 0
	blr
	blrl
	bctr
	bctrl
	beqlr
	bnelr	cr1
	bltctr
	bgectr	cr2
	bdnzlr
	bdzlr
	bt	2, target
	bf	4*cr2+gt, target
	bdnzt	eq, 1b
	bdzf	lt, 1b
	ba	0x100
	bla	0x200
	bca	12, 2, 0x40
target:
	nop
	b	_start
1:	b	1f
	b	1b
1:	b	1b
	bl	far_away
	.org	0x1000
far_away:
	blr
