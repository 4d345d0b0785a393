# conform: mmu native
# conform: title illegal instruction in HV=0 real mode, HAIL=1: POWER10 escalation takes HAIL without relocation (0xc000000000004e40); POWER8/9 0xe40
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU | LPCR_HAIL)
	SETSPR	SPR_FSCR, 0
	GUEST_LPID
	SENTINELS
	ENTER_HRFID GUEST_REAL
X:	.long	0
	FINISH
	CONF_EPILOGUE
