# conform: mmu hash
# conform: title illegal instruction, HAIL=1, hash MMU on: POWER10 0xc000000000004e40; POWER8/9 (no HAIL, AIL=0) 0xe40
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HAIL)
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	.long	0
	FINISH
	CONF_EPILOGUE
