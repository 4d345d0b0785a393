# conform: title tw 31,0,0 (unconditional trap): Program 0x700, SRR1[TRAP]
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
X:	tw	31, 0, 0
	FINISH
	CONF_EPILOGUE
