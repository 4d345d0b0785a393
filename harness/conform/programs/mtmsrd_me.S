# conform: title mtmsrd cannot set MSR[ME] (nor LE, S): sc afterwards shows ME=0 in SRR1
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	LOAD_IMM64 r3, (MSR_SF | MSR_HV | MSR_ME | MSR_RI)
	mtmsrd	r3
X:	sc
	FINISH
	CONF_EPILOGUE
