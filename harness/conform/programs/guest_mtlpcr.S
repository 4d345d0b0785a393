# conform: mmu native
# conform: title mtspr LPCR from HV=0 supervisor (LPCR[EVIRT]=0): Program PRIV 0x700 with HV=0, SRR1 bit 45
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	mtspr	SPR_LPCR, r3
	FINISH
	CONF_EPILOGUE
