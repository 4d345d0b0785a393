# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title sc with LPCR[AIL]=2 and the MMU on: 0x18c00 on POWER9, AIL=2 reserved on POWER10 (0xc00)
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL2)
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	sc
	FINISH
	CONF_EPILOGUE
