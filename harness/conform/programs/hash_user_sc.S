# conform: mmu hash
# conform: title sc from problem state (HV=1 PR=1), hash MMU, AIL=3 (POWER10: HAIL=1 too): 0xc000000000004c00
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	sc
	FINISH
	CONF_EPILOGUE
