# conform: mmu hash
# conform: title illegal instruction in an HV=0 hash guest, MMU on, AIL=3, HAIL=1: POWER10 0xc000000000004e40; POWER8/9 (HR=0) 0xe40
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3 | LPCR_HAIL)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_VIRT
X:	.long	0
	FINISH
	CONF_EPILOGUE
