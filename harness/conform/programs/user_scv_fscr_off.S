# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv 0 from problem state with AIL=0 and FSCR[SCV]=0 (the fix, scenario P2): 0xf60, IC=12
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_USER
X:	scv	0
	FINISH
	CONF_EPILOGUE
