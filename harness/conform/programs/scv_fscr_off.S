# conform: title scv 0 with FSCR[SCV]=0: Facility Unavailable 0xf60, SRR0 = the scv, FSCR[IC]=12
	.include "conform.inc"
	CONF_PROLOGUE
	SETSPR	SPR_FSCR, 0
	SENTINELS
	ENTER_HRFID HV_REAL
X:	scv	0
	FINISH
	CONF_EPILOGUE
