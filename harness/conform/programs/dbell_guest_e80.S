# conform: title a hypervisor doorbell pending when hrfid enters a guest (HV=0, EE=0): 0xE80 at once (MSR[EE] | ~MSR[HV]); the guest's later sc 1 is never reached
# conform: mmu native
	.include "conform.inc"
	CONF_PROLOGUE
	MMU_NATIVE_ON
	GUEST_LPID
	SENTINELS
	mfspr	r3, SPR_PIR
	oris	r3, r3, (5 << 27) >> 16
	msgsnd	r3
	li	r4, 2000
	ENTER_HRFID GUEST_VIRT
	mtctr	r4
X:	bdnz	X
	sc	1
	CONF_EPILOGUE
