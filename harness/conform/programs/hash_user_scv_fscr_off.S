# conform: mmu hash
# conform: title scv 0 from problem state, FSCR[SCV]=0, AIL=0, hash MMU (fix P2): 0xf60, IC=12 (POWER8: HEAI)
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_USER
X:	scv	0
	FINISH
	CONF_EPILOGUE
