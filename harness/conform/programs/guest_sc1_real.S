# conform: mmu native
# conform: title sc 1 from HV=0 real mode with AIL=3: 0xc00, HV=1, SRR0/SRR1 (real mode: no AIL)
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU | AIL3)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	sc	1
	FINISH
	CONF_EPILOGUE
