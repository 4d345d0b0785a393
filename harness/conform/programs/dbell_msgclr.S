# conform: title msgsnd then msgclr: no doorbell interrupt once EE=1 (0 records)
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	mfspr	r3, SPR_PIR
	oris	r3, r3, (5 << 27) >> 16
	msgsnd	r3
	msgclr	r3
	ENTER_HRFID (HV_REAL | MSR_EE)
	li	r4, 2000
	mtctr	r4
X:	bdnz	X
	FINISH
	CONF_EPILOGUE
