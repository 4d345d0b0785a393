# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv 0 with AIL=0 and the MMU on (the PR-KVM crash state): real 0x17000, IR/DR off
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_VIRT
X:	scv	0
	FINISH
	CONF_EPILOGUE
