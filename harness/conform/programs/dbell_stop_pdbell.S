# conform: title msgsndp (thread 0 of this core), then stop (POWER8: nap) with EC=ESL=1 and LPCR[PDEE]: System Reset 0x100, SRR1 wake 0b0101 | no loss
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | 0x10000)         /* LPCR[PDEE] */
.if CPU != 8
	SETSPR	SPR_PSSCR, (3 << 20)
.endif
	SENTINELS
	ENTER_HRFID HV_REAL
	lis	r3, (5 << 27) >> 16                       /* type 5, thread 0 */
	msgsndp	r3
.if CPU == 8
X:	.long	0x4c000364
.else
X:	stop
.endif
	b	.
	CONF_EPILOGUE
