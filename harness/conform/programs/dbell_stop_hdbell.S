# conform: title stop (POWER8: nap) with PSSCR[EC,ESL]=1, LPCR[HDEE], a doorbell pending: System Reset 0x100, SRR0 after the stop, SRR1 wake 0b0011 | no loss
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | 0x8000)          /* LPCR[HDEE] */
.if CPU != 8
	SETSPR	SPR_PSSCR, (3 << 20)                      /* ESL | EC */
.endif
	SENTINELS
	ENTER_HRFID HV_REAL
	mfspr	r3, SPR_PIR
	oris	r3, r3, (5 << 27) >> 16
	msgsnd	r3
.if CPU == 8
X:	.long	0x4c000364                                /* nap */
.else
X:	stop
.endif
	b	.
	CONF_EPILOGUE
