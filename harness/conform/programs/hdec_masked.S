# conform: title hypervisor decrementer in HV with MSR[EE]=0 is held through a loop; after mtmsrd EE=1 it lands on the waiting branch
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HDICE)
	SENTINELS
	li	r3, 20
	mtspr	SPR_HDEC, r3
	ENTER_HRFID HV_REAL
	LOAD_IMM32 r3, 100000
	mtctr	r3
1:	bdnz	1b
	LOAD_IMM64 r3, (HV_REAL | MSR_EE)
	mtmsrd	r3, 1
X:	b	X                      /* QEMU's timer may fire late: wait here */
	CONF_EPILOGUE
