# conform: machines powernv9 powernv10
# conform: mmu radix
# conform: title single step in problem state entered by hrfid with SE=1, AIL=3 (POWER10: HAIL=1 too), MMU on: Trace at 0xc000000000004d00, then sc at 0xc000000000004c00
	.include "conform.inc"
	.set	MSR_SE, (1 << 10)
	CONF_PROLOGUE
	RADIX_ON
	SETSPR	SPR_LPCR, (LPCR_RESET | LPCR_HR | LPCR_UPRT | AIL3 | LPCR_HAIL)
	SENTINELS
	CONTINUE_AT step
	li	r3, 0
	ENTER_HRFID (HV_USER | MSR_SE)
X:	addi	r3, r3, 1
	addi	r3, r3, 2
	sc
end:	FINISH
	TRACE_STEPS_UNTIL end
	CONF_EPILOGUE
