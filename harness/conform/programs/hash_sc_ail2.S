# conform: mmu hash
# conform: title sc with AIL=2, hash MMU on: 0x18c00 (POWER8/9); AIL=2 reserved on POWER10: 0xc00
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL2)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	sc
	FINISH
	CONF_EPILOGUE
