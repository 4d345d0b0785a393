# conform: mmu native
# conform: title sc 0 from HV=0 real mode: 0xc00 with HV=0 (handler in guest real mode)
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU | AIL3)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	sc
	FINISH
	CONF_EPILOGUE
