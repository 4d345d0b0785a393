# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title illegal instruction in HV with HAIL=1, MMU on: POWER10 0xc000000000004e40; POWER9 0xe40
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | LPCR_HAIL)
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	.long	0
	FINISH
	CONF_EPILOGUE
