# conform: title rfid with SRR1[SE]=1 from SE=0: rfid is not traced, the first instruction at its target is (SRR0 = target + 4)
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	LOAD_IMM32 r3, target
	mtspr	SPR_SRR0, r3
	LOAD_IMM64 r3, (HV_REAL | MSR_SE)
	mtspr	SPR_SRR1, r3
X:	rfid
	FINISH
target:
	addi	r3, r3, 1
	FINISH
	CONF_EPILOGUE
