# conform: title attn in hypervisor state: ppcvec stops (ISA/implementation), QEMU 7.2 takes HEAI
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_HID0, 0
	SENTINELS
	ENTER_HRFID HV_REAL
X:	attn
	FINISH
	CONF_EPILOGUE
