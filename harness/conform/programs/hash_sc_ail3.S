# conform: mmu hash
# conform: title sc with AIL=3, hash MMU on: 0xc000000000004c00 (POWER8/9); POWER10 HV->HV without HAIL: 0xc00
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	sc
	FINISH
	CONF_EPILOGUE
