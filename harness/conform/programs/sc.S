# conform: title sc 0 from hypervisor real mode: 0xc00, SRR0 = next, EE cleared, LR/CTR untouched
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID (HV_REAL | MSR_EE)
X:	sc
	FINISH
	CONF_EPILOGUE
