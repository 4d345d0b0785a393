# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title sc with LPCR[AIL]=3 and the MMU on (radix identity): 0xc000000000004c00
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3)
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	sc
	FINISH
	CONF_EPILOGUE
