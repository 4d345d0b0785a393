# conform: title hrfid: NIA = HSRR0, MSR = HSRR1; sc 1 at the target shows it
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	LOAD_IMM32 r3, target
	mtspr	SPR_HSRR0, r3
	LOAD_IMM64 r3, (HV_REAL | MSR_FP | (1 << 18))
	mtspr	SPR_HSRR1, r3
X:	hrfid
	FINISH
target:
	sc	1
	FINISH
	CONF_EPILOGUE
