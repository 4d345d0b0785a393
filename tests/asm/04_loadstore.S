# 04_loadstore.S - D/DS/X-form loads and stores
	.text
_start:
	ld	r3, 0(r1)
	ld	r3, 8(r1)
	ld	r3, -8(r1)
	ld	r3, 0x7ffc(r4)
	ld	r3, -0x8000(r4)
	ldu	r3, 16(r1)
	std	r3, 24(r1)
	stdu	r1, -112(r1)
	lwa	r3, 4(r4)
	lwz	r3, 4(r4)
	lwzu	r3, 4(r4)
	stw	r3, -4(r4)
	stwu	r3, 12(r4)
	lbz	r3, 1(r4)
	stb	r3, 3(r4)
	lhz	r3, 2(r4)
	lha	r3, 2(r4)
	sth	r3, 6(r4)
	lmw	r28, 0(r1)
	stmw	r28, 0(r1)
	ldx	r3, r4, r5
	ldux	r3, r4, r5
	stdx	r3, r4, r5
	stdux	r3, r4, r5
	lwzx	r3, 0, r5
	stwx	r3, r4, r5
	lbzx	r3, r4, r5
	stbx	r3, r4, r5
	lhzx	r3, r4, r5
	sthx	r3, r4, r5
	lwax	r3, r4, r5
	lwbrx	r3, r4, r5
	stwbrx	r3, r4, r5
	ldbrx	r3, r4, r5
	lwarx	r3, 0, r4
	ldarx	r3, 0, r4
	ldarx	r3, 0, r4, 1
	stwcx.	r3, 0, r4
	stdcx.	r3, 0, r4
	ldcix	r3, r4, r5
	stdcix	r3, r4, r5
	lwzcix	r3, r4, r5
	lfd	f1, 8(r1)
	stfd	f1, 8(r1)
	ld	r3, data_word@l(r4)
	lwz	r3, (data_word - _start)(r4)
	ld	r3, 8*2(r4)
	std	r3, (4+4)(r4)
	ld	r3, FOO_OFF(r4)
	.set	FOO_OFF, 0x40
data_word:
	.quad	0x1122334455667788
