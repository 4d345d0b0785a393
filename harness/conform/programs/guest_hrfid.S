# conform: mmu native
# conform: title hrfid from HV=0 supervisor (LPCR[EVIRT]=0): Program PRIV 0x700 with HV=0, SRR0 = the hrfid
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	hrfid
	FINISH
	CONF_EPILOGUE
