# conform: title MSR[BE] branch trace: Trace 0xd00 after b (taken), bne (not taken) and blr, none after addi; SRR0 = the branch's next instruction
	.include "conform.inc"
	.set	MSR_BE, (1 << 9)
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
	CONTINUE_AT step
	li	r3, 0
	LOAD_IMM32 r5, 2f
	mtlr	r5
	LOAD_IMM64 r4, (HV_REAL | MSR_BE)
	mtmsrd	r4
X:	addi	r3, r3, 1
	b	1f
	addi	r3, r3, 0x100          /* skipped */
1:	cmpdi	r3, 1
	bne	3f                     /* not taken: traced too */
	addi	r3, r3, 2
	blr
3:	addi	r3, r3, 0x200          /* not reached */
2:	addi	r3, r3, 4
	sc
end:	FINISH
	TRACE_STEPS_UNTIL end
	CONF_EPILOGUE
