# conform: title kvm-unit-tests' illegal word 0x12345678 in hypervisor state
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
X:	.long	0x12345678
	FINISH
	CONF_EPILOGUE
