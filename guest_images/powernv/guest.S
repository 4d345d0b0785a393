/*
 * guest.S - the PR-KVM guest: a tiny guest kernel with its own vectors and a
 * guest user process.  Included by host.S at GUEST_BASE; the guest's vectors
 * sit at HIOR (= GUEST_BASE) + offset.  Everything here runs in host problem
 * state (HV=1 PR=1 IR=DR=1); the guest kernel's privileged instructions trap
 * to the host's PR-KVM, which emulates them against the vcpu struct.
 *
 * The guest kernel enables SCV in its FSCR like Linux' __init_FSCR_power9
 * (POWER9 and later, read from the emulated PVR), then starts its user
 * process, which makes a system call with `sc` and - when its kernel allows
 * scv - one with `scv 0`.
 */
	.include "guest_kernel.inc"
	GUEST_VECTORS
guest_start:
	LOAD_IMM32 r30, G_RES
	mfspr	r5, SPRN_PVR			/* emulated */
	std	r5, G_PVR(r30)
	srdi	r5, r5, 16
	li	r4, FSCR_TAR | FSCR_EBB
	li	r6, 0				/* may the user process use scv */
	cmpdi	r5, PVR_POWER9
	blt	1f
	ori	r4, r4, FSCR_SCV		/* __init_FSCR_power9 */
	LOAD_IMM32 r7, G_CFG
	ld	r6, 0(r7)
1:
	GUEST_SET_FSCR_AND_START_USER

	GUEST_KERNEL_COMMON
