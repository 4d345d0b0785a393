# conform: title scv with FSCR[SCV]=0 and FSCR[IC]=1 beforehand: IC must become 12 (QEMU ORs: 13)
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_FSCR, (1 << 56)
	SENTINELS
	ENTER_HRFID HV_REAL
X:	scv	0
	FINISH
	CONF_EPILOGUE
