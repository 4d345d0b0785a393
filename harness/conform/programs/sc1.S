# conform: title sc 1 from hypervisor real mode: 0xc00 with SRR0/1 (HV -> HV)
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
X:	sc	1
	FINISH
	CONF_EPILOGUE
