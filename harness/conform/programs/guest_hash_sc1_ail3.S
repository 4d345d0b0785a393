# conform: mmu hash
# conform: title sc 1 from an HV=0 hash guest (LPCR[HR]=0), MMU on, AIL=3: no AIL on a 0->1 escalation: 0xc00
	.include "conform.inc"
	CONF_PROLOGUE
	HASH_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | AIL3)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_VIRT
X:	sc	1
	FINISH
	CONF_EPILOGUE
