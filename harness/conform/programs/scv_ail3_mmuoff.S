# conform: title scv 5 with LPCR[AIL]=3 and the MMU off: real 0x170a0, IR/DR stay 0
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_REAL
X:	scv	5
	FINISH
	CONF_EPILOGUE
