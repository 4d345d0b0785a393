# 03_system.S - privileged / system instructions and SPR access
	.text
_start:
	mfmsr	r3
	mtmsrd	r3
	mtmsrd	r3, 0
	mtmsrd	r3, 1
	mtmsr	r4
	mtmsr	r4, 1
	rfid
	hrfid
	urfid
	rfscv
	scv	0
	scv	1
	scv	127
	sc
	sc	1
	sc	2
	stop
	attn
	isync
	sync
	sync	0
	lwsync
	ptesync
	hwsync
	eieio
	tlbsync
	tlbie	r3, r4
	tlbie	r3, r4, 2, 1, 1
	tlbiel	r3
	tlbiel	r3, r4, 1, 0, 1
	slbie	r3
	slbia
	slbia	7
	slbmte	r3, r4
	slbmfee	r3, r4
	slbmfev	r3, r4
	msgsnd	r3
	msgclr	r3
	msgsndp	r3
	trap
	tw	4, r3, r4
	td	31, r3, r4
	twi	4, r3, 0
	tdi	24, r3, -1
	tweq	r3, r4
	tdne	r3, r4
	twlti	r3, 10
	tdgei	r3, 5
	tdnei	r3, 0
	twllt	r3, r4
	mtspr	318, r3
	mfspr	r3, 318
	mtspr	153, r3
	mtspr	190, r3
	mtspr	26, r3
	mtspr	27, r3
	mtspr	314, r3
	mtspr	315, r3
	mtspr	272, r3
	mtspr	275, r3
	mtspr	304, r3
	mtspr	305, r3
	mfspr	r3, 19
	mfspr	r3, 18
	mtspr	339, r3
	mfspr	r3, 28
	mfspr	r3, 1023
	mfspr	r3, 287
	mtspr	48, r3
	mtspr	319, r3
	mtspr	464, r3
	mtspr	313, r3
	mtspr	1008, r3
	mtspr	22, r3
	mtspr	310, r3
	mtspr	25, r3
	mtspr	855, r3
	mtspr	815, r3
	mtspr	lr, r3
	mtlpcr	r3
	mflpcr	r4
	mtfscr	r3
	mffscr	r3
	mthfscr	r3
	mfhfscr	r3
	mtsrr0	r3
	mfsrr0	r3
	mtsrr1	r3
	mfsrr1	r3
	mthsrr0	r3
	mthsrr1	r3
	mfhsrr0	r3
	mfhsrr1	r3
	mtsprg	0, r3
	mtsprg	3, r3
	mfsprg	r3, 1
	mfsprg	r3, 2
	mtsprg0	r3
	mtsprg1	r3
	mfsprg2	r3
	mfsprg3	r3
	mthsprg0 r3
	mfhsprg1 r3
	mtdar	r3
	mfdar	r3
	mtdsisr	r3
	mfdsisr	r3
	mtdec	r3
	mfdec	r3
	mthdec	r3
	mfhdec	r3
	mtsdr1	r3
	mfsdr1	r3
	mtcfar	r3
	mfcfar	r3
	mtheir	r3
	mfheir	r3
	mfpir	r3
	mfpvr	r3
	mtpidr	r3
	mfpidr	r3
	mtlpidr	r3
	mflpidr	r3
	mtptcr	r3
	mfptcr	r3
	mthrmor	r3
	mfhrmor	r3
	mtctr	r3
	mfctr	r3
	mtlr	r3
	mflr	r3
	mtxer	r3
	mfxer	r3
	mttar	r3
	mftar	r3
	mtpsscr	r3
	mthpsscr r3
	mftb	r3
	mtamor	r3
	mtdscr	r3
	mtppr	r3
	mtcr	r3
	mfcr	r3
	mtcrf	0x80, r3
	mtocrf	0x01, r3
	mfocrf	r3, 0x10
	dcbf	r3, r4
	dcbst	0, r4
	dcbz	r3, r4
	dcbt	r3, r4
	icbi	r3, r4
	wait
