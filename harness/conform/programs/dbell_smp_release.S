# conform: title two threads: the loser of a lwarx/stwcx. election publishes its PIR and stops (POWER8: naps) with EC=ESL=1, LPCR[HDEE]; the winner's msgsnd wakes it through System Reset 0x100, SRR1 wake 0b0011 | no loss
# conform: smp 2
	.include "conform.inc"
	.set ELECT, 0x71000                 /* zero RAM beyond the image */
	.set PIRBOX, 0x71008                /* the stopped thread's PIR + 1 */
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | 0x8000)          /* LPCR[HDEE] */
.if CPU != 8
	SETSPR	SPR_PSSCR, (3 << 20)                      /* ESL | EC */
.endif
	SENTINELS
	ENTER_HRFID HV_REAL
	LOAD_IMM32 r5, ELECT
1:	lwarx	r6, 0, r5
	cmpwi	r6, 0
	bne	secondary
	li	r6, 1
	stwcx.	r6, 0, r5
	bne-	1b
	LOAD_IMM32 r5, PIRBOX                 /* primary: wait for the PIR, ring it */
2:	ld	r7, 0(r5)
	cmpdi	r7, 0
	beq	2b
	addi	r7, r7, -1
	oris	r7, r7, (5 << 27) >> 16
	msgsnd	r7
3:	b	3b
secondary:
	mfspr	r7, SPR_PIR
	addi	r7, r7, 1
	LOAD_IMM32 r5, PIRBOX
	std	r7, 0(r5)
	sync
.if CPU == 8
X:	.long	0x4c000364
.else
X:	stop
.endif
	b	.
	CONF_EPILOGUE
