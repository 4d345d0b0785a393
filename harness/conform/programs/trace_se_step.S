# conform: title MSR[SE] set by mtmsrd: a Trace 0xd00 after each of addi, addi, b, addi (SRR0 = the next instruction; the mtmsrd is not traced), then sc: System Call, not traced
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	CONTINUE_AT step
	li	r3, 0
	LOAD_IMM64 r4, (HV_REAL | MSR_SE)
	mtmsrd	r4
X:	addi	r3, r3, 1
	addi	r3, r3, 2
	b	1f
	addi	r3, r3, 0x100          /* skipped */
1:	addi	r3, r3, 4
	sc
end:	FINISH
/* After each record: finish after the sc, else resume the stepped code with
 * SRR0/SRR1 (SE=1) and record the next trace too. */
	TRACE_STEPS_UNTIL end
	CONF_EPILOGUE
