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
guest_base:
	.org	GUEST_BASE + 0x100
guest_system_reset:				/* the vCPU starts here */
	b	guest_start

	.org	GUEST_BASE + 0x700
guest_program_check:				/* a guest program check: give up */
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
1:	mtspr	SPRN_FSCR, r4			/* emulated: kvmppc_set_fscr */
	mfspr	r4, SPRN_FSCR			/* emulated: what the guest got */
	std	r4, G_FSCR_READBACK(r30)	/* (like Linux, not checked again) */
	LOAD_IMM32 r7, guest_user_start
	mtspr	SPRN_SRR0, r7			/* emulated */
	LOAD_IMM64 r7, (MSR_SF | MSR_EE | MSR_PR | MSR_ME | MSR_IR | MSR_DR)
	mtspr	SPRN_SRR1, r7			/* emulated */
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
1:	rfid					/* emulated: back to guest user */

/* guest 0xf60: the scv was refused; Linux would SIGILL the process */
guest_facility_unavailable_common:
	LOAD_IMM32 r9, G_RES
	mfspr	r4, SPRN_FSCR			/* emulated: IC set by kvmppc_trigger_fac_interrupt */
	srdi	r4, r4, FSCR_IC_SHIFT
	std	r4, G_FU_IC(r9)
	mfspr	r4, SPRN_SRR0			/* emulated: the scv's address */
	std	r4, G_FU_SRR0(r9)
	li	r3, 128 + 4			/* the process died of SIGILL */

/* power off: a PAPR hypercall that QEMU (the host process) handles */
guest_shutdown:
	LOAD_IMM32 r9, G_RES
	std	r3, G_DONE(r9)
	mr	r4, r3
	li	r3, 0
	ori	r3, r3, H_PPCVEC_GUEST_DONE
	sc	1
	b	.

/* guest user process: r3 = use scv */
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
