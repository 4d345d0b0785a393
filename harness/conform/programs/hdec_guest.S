# conform: mmu native
# conform: title hypervisor decrementer in an HV=0 guest with MSR[EE]=0: taken anyway (HDICE & (EE | ~HV)), 0x980 with HV=1
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | CONF_LPCR_MMU | LPCR_HDICE)
	GUEST_LPID
	SENTINELS
	li	r3, 200
	mtspr	SPR_HDEC, r3
	ENTER_HRFID GUEST_REAL
X:	b	X
	CONF_EPILOGUE
