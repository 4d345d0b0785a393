# conform: title scv 5 with LPCR[AIL]=2 and the MMU off: real 0x170a0, no relocation
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL2)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_REAL
X:	scv	5
	FINISH
	CONF_EPILOGUE
