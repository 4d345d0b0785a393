# conform: title MSR[SE]=1: tdi that does not trap is traced; tw 31,0,0 takes Program 0x700 (SRR0 = the tw) and is not traced
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	CONTINUE_AT step
	li	r3, 0
	LOAD_IMM64 r4, (HV_REAL | MSR_SE)
	mtmsrd	r4
X:	tdi	0, r3, 0               /* TO=0: never traps */
end:	tw	31, 0, 0
	FINISH
	TRACE_STEPS_UNTIL end
	CONF_EPILOGUE
