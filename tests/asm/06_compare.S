# 06_compare.S - compares, CR logical, CR moves
	.text
_start:
	cmpd	r3, r4
	cmpd	cr1, r3, r4
	cmpld	r3, r4
	cmpld	cr7, r3, r4
	cmpw	r3, r4
	cmplw	cr2, r3, r4
	cmpdi	r3, 0
	cmpdi	cr3, r3, -1
	cmpwi	r3, 0x7fff
	cmpwi	cr4, r3, -0x8000
	cmpldi	r3, 0xffff
	cmplwi	cr5, r3, 10
	cmp	0, 1, r3, r4
	cmpl	1, 0, r3, r4
	cmpi	2, 1, r3, 7
	cmpli	3, 0, r3, 7
	cmpb	r3, r4, r5
	crand	4*cr1+lt, 4*cr2+gt, eq
	cror	so, lt, gt
	crxor	6, 6, 6
	crnor	1, 2, 3
	creqv	4, 4, 4
	crandc	1, 2, 3
	crorc	1, 2, 3
	crnand	1, 2, 3
	crset	4*cr7+so
	crclr	6
	crmove	1, 2
	crnot	3, 4
	mcrf	cr1, cr0
	isel	r3, r4, r5, 2
	isel	r3, 0, r5, 4*cr1+eq
	setb	r3, cr1
