# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title illegal instruction in HV with AIL=3, MMU on: HEAI at 0xc000000000004e40 (POWER9); POWER10 HAIL=0: 0xe40
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3)
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	.long	0
	FINISH
	CONF_EPILOGUE
