# conform: title sc with LPCR[AIL]=3 but MSR[IR]=MSR[DR]=0: AIL does not apply, real 0xc00
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3)
	SENTINELS
	ENTER_HRFID HV_REAL
X:	sc
	FINISH
	CONF_EPILOGUE
