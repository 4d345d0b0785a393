# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv 0 in HV with AIL=3, MMU on: POWER9 0xc000000000003000; POWER10 HV needs HAIL: real 0x17000
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID (HV_VIRT | MSR_EE)
X:	scv	0
	FINISH
	CONF_EPILOGUE
