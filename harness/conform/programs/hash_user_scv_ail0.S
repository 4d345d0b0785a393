# conform: mmu hash
# conform: title scv 0 from problem state with AIL=0, hash MMU (crash state P1): real 0x17000 (POWER8: HEAI 0xe40)
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	scv	0
	FINISH
	CONF_EPILOGUE
