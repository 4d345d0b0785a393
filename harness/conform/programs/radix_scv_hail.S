# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv 2 in HV with LPCR[HAIL]=1, AIL=0, MMU on: POWER10 0xc000000000003040; POWER9 (no HAIL) 0x17040
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | LPCR_HAIL)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	scv	2
	FINISH
	CONF_EPILOGUE
