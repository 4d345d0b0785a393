# conform: title stop with PSSCR[EC]=0 and a doorbell pending: resumes after the stop (EE=0, no PECE); hrfid to EE=1 then takes 0xE80
# conform: machines powernv9 powernv10
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_PSSCR, 0
	SENTINELS
	mfspr	r3, SPR_PIR
	oris	r3, r3, (5 << 27) >> 16
	msgsnd	r3
	stop
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	b	X
	CONF_EPILOGUE
