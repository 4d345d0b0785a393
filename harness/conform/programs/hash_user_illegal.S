# conform: mmu hash
# conform: title illegal instruction in problem state, hash MMU, AIL=3 (POWER10 HAIL=1): HEAI 0xc000000000004e40
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	.long	0
	FINISH
	CONF_EPILOGUE
