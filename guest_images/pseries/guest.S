/*
 * guest.S - the PR-KVM guest of the pseries scenarios: a tiny pseries guest
 * kernel and its user process.  Included by host.S at GUEST_BASE (= HIOR);
 * it runs in host problem state (HV=0 PR=1 IR=DR=1) and every privileged
 * instruction traps to the host's PR KVM.
 *
 * Its configure_exceptions is the guest side of scenario G (839d893b): on
 * POWER9 and later it enables SCV, and - when QEMU's configuration asks for
 * it - requests AIL=3 with H_SET_MODE; if that fails it drops SCV again
 * (7fa95f9adaee: "if enabling AIL=3 fails, disable SCV").
 */
	.include "guest_kernel.inc"
	GUEST_VECTORS
guest_start:
	LOAD_IMM32 r30, G_RES
	LOAD_IMM32 r29, G_CFG
	mfspr	r5, SPRN_PVR			/* emulated */
	std	r5, G_PVR(r30)
	srdi	r5, r5, 16
	li	r4, FSCR_TAR | FSCR_EBB
	li	r6, 0				/* HWCAP2 SCV for the guest process */
	cmpdi	r5, PVR_POWER9
	blt	1f
	ld	r6, 0(r29)			/* QEMU lets the guest use scv */
	cmpdi	r6, 0
	beq	1f
	ori	r4, r4, FSCR_SCV		/* __init_FSCR_power9 */
1:	ld	r7, G_CFG_REQUEST_AIL(r29)
	cmpdi	r7, 0
	beq	2f
guest_configure_exceptions:
	/* pseries_enable_reloc_on_exc: H_SET_MODE(mflags 3, resource 3) */
	mr	r31, r4
	mr	r28, r6
	li	r3, 0
	ori	r3, r3, H_SET_MODE
	li	r4, 3
	li	r5, H_SET_MODE_RESOURCE_ADDR_TRANS_MODE
	li	r6, 0
	li	r7, 0
	sc	1				/* to PR KVM (kvmppc_h_pr) */
	std	r3, G_SETMODE_RET(r30)
	mr	r4, r31
	mr	r6, r28
	cmpdi	r3, H_SUCCESS
	beq	2f
guest_configure_exceptions_no_ail:		/* AIL=3 refused: no SCV */
	li	r5, FSCR_SCV
	andc	r4, r4, r5
	li	r6, 0
2:	std	r6, G_HWCAP2(r30)
	GUEST_SET_FSCR_AND_START_USER

	GUEST_KERNEL_COMMON
