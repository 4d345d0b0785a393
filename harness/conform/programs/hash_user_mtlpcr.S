# conform: mmu hash
# conform: title mtspr LPCR in problem state, hash MMU, AIL=3: Program PRIV
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	mtspr	SPR_LPCR, r3
	FINISH
	CONF_EPILOGUE
