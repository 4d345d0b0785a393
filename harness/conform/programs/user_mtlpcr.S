# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title mtspr LPCR in problem state: Program PRIV, AIL=3 (POWER10: HAIL=1 too)
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	mtspr	SPR_LPCR, r3
	FINISH
	CONF_EPILOGUE
