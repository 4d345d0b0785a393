# conform: title stop (POWER8: nap) with EC=ESL=1 and LPCR[DEE] woken by the decrementer: 0x100, SRR1 wake 0b0110 | no loss
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | 0x2000)          /* LPCR[DEE] */
.if CPU != 8
	SETSPR	SPR_PSSCR, (3 << 20)
.endif
	SENTINELS
	ENTER_HRFID HV_REAL
	li	r3, 2000
	mtspr	SPR_DEC, r3
.if CPU == 8
X:	.long	0x4c000364
.else
X:	stop
.endif
	b	.
	CONF_EPILOGUE
