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
guest_base:
	.org	GUEST_BASE + 0x100
guest_system_reset:				/* the vCPU starts here */
	b	guest_start

	.org	GUEST_BASE + 0x700
guest_program_check:
	li	r3, 0x700
	b	guest_shutdown

	.org	GUEST_BASE + 0xc00
guest_system_call:
	b	guest_system_call_common

	.org	GUEST_BASE + 0xf60
guest_facility_unavailable:
	b	guest_facility_unavailable_common

	.org	GUEST_BASE + 0x1000
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
	mtspr	SPRN_FSCR, r4			/* emulated: kvmppc_set_fscr */
	mfspr	r4, SPRN_FSCR			/* emulated: what the guest got */
	std	r4, G_FSCR_READBACK(r30)
	LOAD_IMM32 r7, guest_user_start
	mtspr	SPRN_SRR0, r7
	LOAD_IMM64 r7, (MSR_SF | MSR_EE | MSR_PR | MSR_ME | MSR_IR | MSR_DR)
	mtspr	SPRN_SRR1, r7
	mr	r3, r6
	rfid					/* emulated: to guest user */

/* guest 0xc00: r0 = number.  getpid -> 7; exit -> shut the guest down */
guest_system_call_common:
	LOAD_IMM32 r9, G_RES
	ld	r10, G_SC_COUNT(r9)
	addi	r10, r10, 1
	std	r10, G_SC_COUNT(r9)
	cmpdi	r0, __NR_exit
	beq	guest_shutdown
	li	r3, -ENOSYS
	cmpdi	r0, __NR_getpid
	bne	1f
	li	r3, 7
1:	rfid

/* guest 0xf60: its scv was refused; the guest kernel kills the process */
guest_facility_unavailable_common:
	LOAD_IMM32 r9, G_RES
	mfspr	r4, SPRN_FSCR
	srdi	r4, r4, FSCR_IC_SHIFT
	std	r4, G_FU_IC(r9)
	mfspr	r4, SPRN_SRR0
	std	r4, G_FU_SRR0(r9)
	li	r3, 128 + SIGILL

guest_shutdown:					/* r3 = the guest process' status */
	LOAD_IMM32 r9, G_RES
	std	r3, G_DONE(r9)
	mr	r4, r3
	li	r3, 0
	ori	r3, r3, H_PPCVEC_GUEST_DONE
	sc	1
	b	.

/* guest user process: r3 = use scv (its HWCAP2) */
guest_user_start:
	mr	r31, r3
	LOAD_IMM32 r30, G_RES
	li	r0, __NR_getpid
	sc
	std	r3, G_SC_GETPID(r30)
	cmpdi	r31, 0
	beq	1f
	li	r9, 1
	std	r9, G_USED_SCV(r30)
	li	r0, __NR_getpid
guest_user_scv:
	scv	0
	std	r3, G_SCV_GETPID(r30)
1:	li	r0, __NR_exit
	li	r3, 0
	sc
	b	.
