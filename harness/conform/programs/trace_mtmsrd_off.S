# conform: title MSR[SE]=1: the mtmsrd that clears SE is itself traced (SE before it decides); nothing after it is
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	CONTINUE_AT step
	li	r3, 0
	LOAD_IMM64 r4, (HV_REAL | MSR_SE)
	LOAD_IMM64 r5, HV_REAL
	mtmsrd	r4
X:	addi	r3, r3, 1
	mtmsrd	r5
	addi	r3, r3, 2
	sc
end:	FINISH
	TRACE_STEPS_UNTIL end
	CONF_EPILOGUE
