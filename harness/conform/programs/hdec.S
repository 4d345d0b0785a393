# conform: title hypervisor decrementer with LPCR[HDICE]=1, MSR[EE]=1 in HV: 0x980, HSRR0 = the waiting branch
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HDICE)
	SENTINELS
	li	r3, 200
	mtspr	SPR_HDEC, r3
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	b	X
	CONF_EPILOGUE
