# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title scv 0 from problem state with AIL=0 (PR-KVM vcpu loaded, scenario P1): real 0x17000
	.include "conform.inc"
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT)
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	ENTER_HRFID HV_USER
X:	scv	0
	FINISH
	CONF_EPILOGUE
