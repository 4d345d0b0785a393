# conform: mmu hash
# conform: title sc with AIL=0, hash MMU on: real 0xc00, IR/DR cleared
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL0)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	sc
	FINISH
	CONF_EPILOGUE
