# conform: title scv 0 then rfscv back with LR/CTR: NIA = LR, MSR = CTR; sc at the target shows it
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_FSCR, FSCR_SCV
	SENTINELS
	CONTINUE_AT back
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	scv	0
	FINISH
back:
	mtctr	r29                    /* CTR as the scv left it (the old MSR) */
	LOAD_IMM32 r3, target
	mtlr	r3
	li	r22, 1
Y:	rfscv
	FINISH
target:
	sc
	FINISH
	CONF_EPILOGUE
