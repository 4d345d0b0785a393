# conform: title decrementer with MSR[EE]=1 in hypervisor state: 0x900, SRR0 = the waiting branch
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	li	r3, 200
	mtspr	SPR_DEC, r3
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	b	X
	CONF_EPILOGUE
