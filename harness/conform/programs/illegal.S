# conform: title illegal instruction (.long 0) in hypervisor state: HEAI 0xe40, HSRR0 = it, HEIR = image
	.include "conform.inc"
	CONF_PROLOGUE
	SENTINELS
	ENTER_HRFID HV_REAL
X:	.long	0
	FINISH
	CONF_EPILOGUE
