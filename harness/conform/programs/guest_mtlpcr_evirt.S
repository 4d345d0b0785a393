# conform: machines powernv9 powernv10
# conform: mmu native
# conform: title mtspr LPCR from HV=0 supervisor with LPCR[EVIRT]=1 (ISA v3.0): HEAI 0xe40, HSRR1 bit 45
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU | LPCR_EVIRT)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	mtspr	SPR_LPCR, r3
	FINISH
	CONF_EPILOGUE
