# 05_rotate.S - rotate and shift instructions incl. extended mnemonics
	.text
_start:
	rldicr	r3, r4, 4, 59
	rldicr	r3, r4, 0, 31
	rldicl	r3, r4, 60, 4
	rldicl.	r3, r4, 0, 32
	rldic	r3, r4, 8, 16
	rldimi	r3, r4, 32, 0
	rldcl	r3, r4, r5, 0
	rldcr	r3, r4, r5, 63
	sldi	r3, r4, 4
	sldi	r3, r4, 0
	sldi	r3, r4, 63
	srdi	r3, r4, 4
	srdi	r3, r4, 0
	srdi	r3, r4, 63
	clrldi	r3, r4, 1
	clrldi	r3, r4, 48
	clrrdi	r3, r4, 12
	rotldi	r3, r4, 17
	rotrdi	r3, r4, 17
	rotld	r3, r4, r5
	extldi	r3, r4, 8, 16
	extrdi	r3, r4, 8, 16
	insrdi	r3, r4, 8, 16
	clrlsldi r3, r4, 40, 3
	rlwinm	r3, r4, 2, 0, 29
	rlwinm.	r3, r4, 0, 24, 31
	rlwimi	r3, r4, 8, 16, 23
	rlwnm	r3, r4, r5, 0, 31
	slwi	r3, r4, 2
	srwi	r3, r4, 2
	srwi	r3, r4, 0
	clrlwi	r3, r4, 16
	clrrwi	r3, r4, 2
	rotlwi	r3, r4, 8
	rotrwi	r3, r4, 8
	rotlw	r3, r4, r5
	extlwi	r3, r4, 8, 8
	extrwi	r3, r4, 8, 8
	inslwi	r3, r4, 8, 8
	insrwi	r3, r4, 8, 8
	sld	r3, r4, r5
	srd	r3, r4, r5
	srad	r3, r4, r5
	sradi	r3, r4, 3
	sradi	r3, r4, 63
	sradi.	r3, r4, 32
	srawi	r3, r4, 31
	slw	r3, r4, r5
	srw	r3, r4, r5
	sraw	r3, r4, r5
	extswsli r3, r4, 33
