# conform: mmu hash
# conform: title rfid in problem state, hash MMU, AIL=3: Program PRIV
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	rfid
	FINISH
	CONF_EPILOGUE
