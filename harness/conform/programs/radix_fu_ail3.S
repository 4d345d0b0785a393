# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv with FSCR[SCV]=0, AIL=3, MMU on: Facility Unavailable at 0xc000000000004f60
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	scv	0
	FINISH
	CONF_EPILOGUE
