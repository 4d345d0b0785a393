# conform: title msgsnd type 5 to this thread's PIR in HV with EE=0 stays pending; hrfid to EE=1 takes 0xE80, HSRR0 = the waiting branch
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	mfspr	r3, SPR_PIR
	oris	r3, r3, (5 << 27) >> 16      /* PPC_DBELL_SERVER, tag = PIR */
	msgsnd	r3
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	b	X
	CONF_EPILOGUE
