# conform: title scv 127 with FSCR[SCV]=1, AIL=0: real 0x17000 + 127*0x20, LR/CTR written (POWER8: no scv, illegal)
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	scv	127
	FINISH
	CONF_EPILOGUE
