# conform: title rfid from hypervisor state: NIA = SRR0, MSR = SRR1 (FP, EE, ME kept); sc at the target shows it
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	LOAD_IMM32 r3, target
	mtspr	SPR_SRR0, r3
	LOAD_IMM64 r3, (HV_REAL | MSR_FP | MSR_EE | (1 << 18))
	mtspr	SPR_SRR1, r3
X:	rfid
	FINISH
target:
	sc
	FINISH
	CONF_EPILOGUE
