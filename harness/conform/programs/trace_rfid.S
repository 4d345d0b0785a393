# conform: title MSR[SE]=1: rfid (to SE=0) is never traced; the sc at its target is the first interrupt
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	LOAD_IMM32 r3, target
	mtspr	SPR_SRR0, r3
	LOAD_IMM64 r3, HV_REAL
	mtspr	SPR_SRR1, r3
	LOAD_IMM64 r4, (HV_REAL | MSR_SE)
	mtmsrd	r4
X:	rfid
	FINISH
target:
	sc
	FINISH
	CONF_EPILOGUE
