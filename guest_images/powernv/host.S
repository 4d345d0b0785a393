/*
 * host.S - a tiny PowerNV (bare-metal, HV=1) "Linux" host kernel with a PR-KVM
 * module, its host user processes and a PR guest, for the ppcvec scenarios
 * powernv-pr-guest-scv, powernv-host-user-scv and powernv-host-user-scv-other-cpu.
 *
 * Names follow Linux arch/powerpc (exceptions-64s.S, setup_64.c, book3s_pr.c,
 * book3s_segment.S, book3s_emulate.c) so a kernel developer recognises the
 * pieces; the code is written from scratch and keeps only what the scenarios
 * need.  Design, memory layout and results area: docs/scenarios.md.
 *
 * Build switches (one per hunk of b5149e22 "KVM: PPC: Book3S PR: Disable SCV
 * when AIL could be disabled" that matters on PowerNV):
 *   --defsym FIX_VCPU_LOAD_PUT=1  kvmppc_core_vcpu_load_pr/_put_pr drop and
 *                                 restore FSCR[SCV] together with LPCR[AIL]
 *   --defsym FIX_SET_FSCR=1       kvmppc_set_fscr: "SCV must not be enabled"
 *   --defsym SCENARIO=1|2|3       which user processes run (docs/scenarios.md)
 *
 * Boot: QEMU powernv convention - image at real 0, every thread starts at 0x10
 * in hypervisor real mode; PIR selects the boot thread.  Ends with `attn`:
 * r3 = 0 all well, 1..0x3f a host process reported a failed check,
 * 0x50.. a kernel panic (see linux.inc PANIC_*).
 */
	.include "linux.inc"

.ifndef FIX_VCPU_LOAD_PUT
	.set FIX_VCPU_LOAD_PUT, 0
.endif
.ifndef FIX_SET_FSCR
	.set FIX_SET_FSCR, 0
.endif
.ifndef SCENARIO
	.set SCENARIO, 1
.endif

/* Interrupt entry: 6 instructions, fits a 0x20 slot.  Scratch r13 in HSPRG1,
 * PACA from HSPRG0, r11/r12 saved in the PACA, r11 = vector number. */
.macro EXC_ENTRY vec, kind
	mtspr	SPRN_HSPRG1, r13
	mfspr	r13, SPRN_HSPRG0
	std	r11, PACA_EX_R11(r13)
	std	r12, PACA_EX_R12(r13)
	li	r11, \vec
	b	interrupt_common_\kind
.endm
.macro EXC_REAL vec, kind, name
	.org	\vec
\name:						/* Linux: exc_real_<vec>_<name> */
	EXC_ENTRY \vec, \kind
.endm
/* AIL=3 vectors: real offset + 0x4000, executed at 0xc000000000004000 + vec */
.macro EXC_VIRT vec, kind, name
	.org	0x4000 + \vec
\name\()_virt:					/* Linux: exc_virt_<vec+0x4000>_<name> */
	EXC_ENTRY \vec, \kind
.endm

	.text
/* ============================================================ 0x0000: boot */
	.org	0x0
	.long	0
	.org	0x10
__start:					/* every thread starts here */
	mfspr	r3, SPRN_PIR
	cmpdi	r3, 0
	bne	__secondary_hold
	b	start_here_boot
__secondary_hold:				/* spin until the boot CPU releases us */
	LOAD_IMM32 r4, RESULTS
1:	ld	r5, RES_SECONDARY_GO(r4)
	cmpdi	r5, 0
	beq	1b
	b	start_here_secondary

/* ============================================ 0x100-0xfff: real-mode vectors */
	EXC_REAL 0x100, srr, system_reset	/* SRR0/1, new HV=1 */
	EXC_REAL 0x200, srr, machine_check	/* SRR0/1, new HV=1, ME=0 */
	EXC_REAL 0x300, srr, data_access
	EXC_REAL 0x380, srr, data_access_slb
	EXC_REAL 0x400, srr, instruction_access
	EXC_REAL 0x480, srr, instruction_access_slb
	EXC_REAL 0x500, hsrr, hardware_interrupt	/* LPES0=0: HSRR */
	EXC_REAL 0x600, srr, alignment
	EXC_REAL 0x700, srr, program_check
	EXC_REAL 0x800, srr, fp_unavailable
	EXC_REAL 0x900, srr, decrementer
	EXC_REAL 0x980, hsrr, hdecrementer
	EXC_REAL 0xa00, srr, doorbell_super
	EXC_REAL 0xc00, srr, system_call
	EXC_REAL 0xd00, srr, single_step
	EXC_REAL 0xe00, hsrr, h_data_storage
	EXC_REAL 0xe20, hsrr, h_instr_storage
	EXC_REAL 0xe40, hsrr, emulation_assist
	EXC_REAL 0xe60, hsrr, hmi_exception
	EXC_REAL 0xe80, hsrr, h_doorbell
	EXC_REAL 0xea0, hsrr, h_virt_irq
	EXC_REAL 0xf00, srr, performance_monitor
	EXC_REAL 0xf20, srr, altivec_unavailable
	EXC_REAL 0xf40, srr, vsx_unavailable
	EXC_REAL 0xf60, srr, facility_unavailable
	EXC_REAL 0xf80, hsrr, h_facility_unavailable

/* ================================================ common interrupt entry */
	.org	0x1000
interrupt_common_srr:
	mfspr	r12, SPRN_SRR0
	std	r12, PACA_EX_SRR0(r13)
	mfspr	r12, SPRN_SRR1
	std	r12, PACA_EX_SRR1(r13)
	b	interrupt_common
interrupt_common_hsrr:
	mfspr	r12, SPRN_HSRR0
	std	r12, PACA_EX_SRR0(r13)
	mfspr	r12, SPRN_HSRR1
	std	r12, PACA_EX_SRR1(r13)
interrupt_common:
	std	r11, PACA_EX_VEC(r13)
	mfcr	r12
	std	r12, PACA_EX_CR(r13)
	/* KVMTEST: an interrupt while a PR guest runs is a guest exit */
	ld	r12, PACA_IN_GUEST(r13)
	cmpdi	r12, 0
	bne	kvmppc_interrupt_pr
	ld	r12, PACA_EX_SRR1(r13)
	andi.	r12, r12, MSR_PR
	bne	user_interrupt
	/* interrupt from the kernel itself: nothing in this kernel expects one */
kernel_unexpected_interrupt:
	li	r3, PANIC_KERNEL_INTERRUPT
	b	panic_interrupt

/* from a host user process (MSR[PR]=1, not a guest) */
user_interrupt:
	cmpdi	r11, 0xc00
	beq	system_call_common
	/* any other interrupt kills the process (SIGILL/SIGSEGV): exit status 128+vec>>4 */
	mfspr	r9, SPRN_HSPRG1
	std	r9, PACA_USER_R13(r13)
	ld	r1, PACA_KSTACK(r13)
	srdi	r3, r11, 4
	addi	r3, r3, 128
	b	do_exit

/*
 * panic_interrupt: r3 = panic code, r13 = PACA, PACA_EX_* = the interrupt.
 * Records where it happened in the results area and stops the machine.
 */
panic_interrupt:
	LOAD_KADDR r12, RESULTS
	std	r3, RES_PANIC_CODE(r12)
	ld	r11, PACA_CPU(r13)
	std	r11, RES_PANIC_CPU(r12)
	ld	r11, PACA_EX_VEC(r13)
	std	r11, RES_PANIC_VEC(r12)
	ld	r11, PACA_EX_SRR0(r13)
	std	r11, RES_PANIC_SRR0(r12)
	ld	r11, PACA_EX_SRR1(r13)
	std	r11, RES_PANIC_SRR1(r12)
	mflr	r11
	std	r11, RES_PANIC_LR(r12)
	mfctr	r11
	std	r11, RES_PANIC_CTR(r12)
	mfspr	r11, SPRN_HEIR
	std	r11, RES_PANIC_HEIR(r12)
	li	r11, 2
	std	r11, RES_STATUS(r12)
	ATTN				/* machine stops; exit code = r3 */
	b	.

/* ===================================== 0x3000: scv vectors (AIL=3 only) */
/*
 * "AIL-0 mode scv exceptions go to 0x17000-0x17fff, but we set AIL-3 and
 * ensure scv is never executed with relocation off" - like Linux there is
 * nothing at real 0x17000.
 */
	.org	0x3000
system_call_vectored:				/* scv 0: a system call */
	mr	r9, r13
	mfspr	r13, SPRN_HSPRG0
	mflr	r11
	mfctr	r12
	b	system_call_vectored_common
	.org	0x3020
	.rept	127				/* scv 1..127: SIGILL */
	mr	r9, r13
	mfspr	r13, SPRN_HSPRG0
	mflr	r11
	mfctr	r12
	b	system_call_vectored_sigill
	.balign	0x20
	.endr

/* ================================== 0x4000: AIL=3 (relocated) vectors */
	EXC_VIRT 0x300, srr, data_access
	EXC_VIRT 0x380, srr, data_access_slb
	EXC_VIRT 0x400, srr, instruction_access
	EXC_VIRT 0x480, srr, instruction_access_slb
	EXC_VIRT 0x500, hsrr, hardware_interrupt
	EXC_VIRT 0x600, srr, alignment
	EXC_VIRT 0x700, srr, program_check
	EXC_VIRT 0x800, srr, fp_unavailable
	EXC_VIRT 0x900, srr, decrementer
	EXC_VIRT 0x980, hsrr, hdecrementer
	EXC_VIRT 0xa00, srr, doorbell_super
	EXC_VIRT 0xc00, srr, system_call
	EXC_VIRT 0xd00, srr, single_step
	EXC_VIRT 0xe00, hsrr, h_data_storage
	EXC_VIRT 0xe20, hsrr, h_instr_storage
	EXC_VIRT 0xe40, hsrr, emulation_assist
	EXC_VIRT 0xe80, hsrr, h_doorbell
	EXC_VIRT 0xea0, hsrr, h_virt_irq
	EXC_VIRT 0xf00, srr, performance_monitor
	EXC_VIRT 0xf20, srr, altivec_unavailable
	EXC_VIRT 0xf40, srr, vsx_unavailable
	EXC_VIRT 0xf60, srr, facility_unavailable
	EXC_VIRT 0xf80, hsrr, h_facility_unavailable

/* ============================================= 0x8000: kernel text */
	.org	0x8000

/* ---------------------------------------------------------- system calls */
/* scv 0 from a host process: r9 = user r13, r11 = LR (return), r12 = CTR (MSR) */
system_call_vectored_common:
	ld	r10, PACA_IN_GUEST(r13)		/* HAIL (P10): a guest scv lands here */
	cmpdi	r10, 0
	bne	guest_scv_in_host
	std	r9, PACA_USER_R13(r13)
	std	r11, PACA_USER_NIP(r13)
	std	r12, PACA_USER_MSR(r13)
	std	r1, PACA_USER_R1(r13)
	ld	r1, PACA_KSTACK(r13)
	bl	system_call_exception		/* r0 = number, r3.. = arguments */
	/* scv 0 ABI: the result, or -errno, in r3 */
	ld	r11, PACA_USER_NIP(r13)
	mtlr	r11
	ld	r12, PACA_USER_MSR(r13)
	mtctr	r12
	ld	r1, PACA_USER_R1(r13)
	ld	r13, PACA_USER_R13(r13)
	rfscv

system_call_vectored_sigill:			/* scv LEV != 0 */
	std	r9, PACA_USER_R13(r13)
	ld	r1, PACA_KSTACK(r13)
	li	r3, 128 + 4			/* killed by SIGILL */
	b	do_exit

guest_scv_in_host:
	/* scv from guest context reached the host's system_call_vectored */
	std	r11, PACA_EX_SRR0(r13)		/* LR: the instruction after the scv */
	std	r12, PACA_EX_SRR1(r13)		/* CTR: the MSR it was executed with */
	li	r11, 0x3000
	std	r11, PACA_EX_VEC(r13)
	li	r3, PANIC_GUEST_SCV_IN_HOST
	b	panic_interrupt

/* sc from a host process (via interrupt_common): SRR0/1 in the PACA */
system_call_common:
	mfspr	r9, SPRN_HSPRG1
	std	r9, PACA_USER_R13(r13)
	ld	r9, PACA_EX_SRR0(r13)
	std	r9, PACA_USER_NIP(r13)
	ld	r9, PACA_EX_SRR1(r13)
	std	r9, PACA_USER_MSR(r13)
	std	r1, PACA_USER_R1(r13)
	mflr	r9				/* sc preserves LR */
	std	r9, PACA_USER_LR(r13)
	ld	r1, PACA_KSTACK(r13)
	bl	system_call_exception
	/* sc ABI: errors as a positive errno with cr0.SO set */
	mfcr	r9
	lis	r10, 0x1000			/* cr0.SO */
	andc	r9, r9, r10
	cmpdi	r3, -4095
	blt	1f
	cmpdi	r3, 0
	bge	1f
	neg	r3, r3
	or	r9, r9, r10
1:	mtcrf	0x80, r9
	ld	r9, PACA_USER_LR(r13)
	mtlr	r9
	ld	r9, PACA_USER_NIP(r13)
	mtspr	SPRN_SRR0, r9
	ld	r9, PACA_USER_MSR(r13)
	mtspr	SPRN_SRR1, r9
	ld	r1, PACA_USER_R1(r13)
	ld	r13, PACA_USER_R13(r13)
	rfid

/* system_call_exception: r0 = number; returns r3 (value or -errno) */
system_call_exception:
	cmpdi	r0, __NR_getpid
	beq	sys_getpid
	cmpdi	r0, __NR_ioctl
	beq	sys_ioctl
	cmpdi	r0, __NR_exit
	beq	sys_exit
	li	r3, -ENOSYS
	blr
sys_getpid:
	ld	r3, PACA_PID(r13)
	blr
sys_ioctl:
	li	r5, 0
	ori	r5, r5, KVM_RUN
	cmpd	r4, r5
	bne	1f
	cmpdi	r3, VCPU_FD
	beq	kvm_arch_vcpu_ioctl_run		/* tail call */
1:	li	r3, -EINVAL
	blr
sys_exit:
do_exit:					/* r3 = exit status */
	LOAD_KADDR r12, RESULTS
	ld	r11, PACA_CPU(r13)
	cmpdi	r11, 0
	bne	1f
	std	r3, RES_EXIT_CODE0(r12)
.if SCENARIO == 3
2:	ld	r10, RES_CPU1_DONE(r12)		/* wait for the other CPU's process */
	cmpdi	r10, 0
	beq	2b
.endif
	li	r10, 1
	std	r10, RES_STATUS(r12)
	ATTN					/* exit code = r3 */
	b	.
1:	std	r3, RES_EXIT_CODE1(r12)
	li	r10, 1
	std	r10, RES_CPU1_DONE(r12)
	b	.				/* this CPU idles */

/* ----------------------------------------------------------------- KVM */
/*
 * kvm_arch_vcpu_ioctl_run -> kvmppc_vcpu_run_pr: load the vCPU, run the guest
 * until an exit the kernel cannot handle, put the vCPU; returns the exit reason.
 */
kvm_arch_vcpu_ioctl_run:
	FUNC_ENTRY
	ld	r31, PACA_VCPU(r13)
	mr	r3, r31
	bl	kvmppc_core_vcpu_load_pr
	bl	scenario_vcpu_loaded
1:	mr	r3, r31
	bl	__kvmppc_vcpu_run		/* returns when the guest exits */
	mr	r3, r31
	bl	kvmppc_handle_exit_pr
	cmpdi	r3, RESUME_GUEST
	beq	1b
	mr	r3, r31
	bl	kvmppc_core_vcpu_put_pr
	ld	r3, VCPU_EXIT_REASON(r31)
	FUNC_EXIT

/* kvmppc_core_vcpu_load_pr (book3s_pr.c), r3 = vcpu */
kvmppc_core_vcpu_load_pr:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)			/* cpu_features */
	andi.	r0, r7, CPU_FTR_HVMODE
	beq	9f
	/* Disable AIL if supported */
	andi.	r0, r7, CPU_FTR_ARCH_207S
	beq	1f
	mfspr	r4, SPRN_LPCR
	LOAD_IMM64 r5, LPCR_AIL
	andc	r4, r4, r5
kvmppc_core_vcpu_load_pr_mtlpcr:
	mtspr	SPRN_LPCR, r4
1:
.if FIX_VCPU_LOAD_PUT
	/* ... and SCV with it, if the thread had it (b5149e22) */
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	9f
	ld	r4, PACA_THREAD_FSCR(r13)
	andi.	r0, r4, FSCR_SCV
	beq	9f
	mfspr	r4, SPRN_FSCR
	li	r5, FSCR_SCV
	andc	r4, r4, r5
kvmppc_core_vcpu_load_pr_mtfscr:
	mtspr	SPRN_FSCR, r4
.endif
9:	ld	r4, PACA_CPU(r13)
	std	r4, VCPU_CPU(r3)
	LOAD_KADDR r6, RESULTS
	mfspr	r4, SPRN_LPCR
	std	r4, RES_LOAD_LPCR(r6)
	mfspr	r4, SPRN_FSCR
	std	r4, RES_LOAD_FSCR(r6)
	blr

/* kvmppc_core_vcpu_put_pr (book3s_pr.c), r3 = vcpu */
kvmppc_core_vcpu_put_pr:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	andi.	r0, r7, CPU_FTR_HVMODE
	beq	9f
	/* Enable AIL if supported */
	andi.	r0, r7, CPU_FTR_ARCH_207S
	beq	1f
	mfspr	r4, SPRN_LPCR
	LOAD_IMM64 r5, LPCR_AIL_3
	or	r4, r4, r5
kvmppc_core_vcpu_put_pr_mtlpcr:
	mtspr	SPRN_LPCR, r4
1:
.if FIX_VCPU_LOAD_PUT
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	9f
	ld	r4, PACA_THREAD_FSCR(r13)
	andi.	r0, r4, FSCR_SCV
	beq	9f
	mfspr	r4, SPRN_FSCR
	ori	r4, r4, FSCR_SCV
kvmppc_core_vcpu_put_pr_mtfscr:
	mtspr	SPRN_FSCR, r4
.endif
9:	li	r4, -1
	std	r4, VCPU_CPU(r3)
	LOAD_KADDR r6, RESULTS
	mfspr	r4, SPRN_LPCR
	std	r4, RES_PUT_LPCR(r6)
	mfspr	r4, SPRN_FSCR
	std	r4, RES_PUT_FSCR(r6)
	blr

/* The SMP scenario: the other CPU's host process runs while this vCPU is loaded */
scenario_vcpu_loaded:
	LOAD_KADDR r6, RESULTS
	li	r4, 1
	std	r4, RES_VCPU_LOADED(r6)
.if SCENARIO == 3
1:	ld	r4, RES_CPU1_DONE(r6)
	cmpdi	r4, 0
	beq	1b
.endif
	blr

/*
 * __kvmppc_vcpu_run + kvmppc_handler_trampoline_enter (book3s_interrupts.S,
 * book3s_segment.S): save the host's non-volatile state, switch to real mode,
 * load the guest's segments and shadow FSCR, enter the guest in problem state
 * (kvmppc_recalc_shadow_msr: HV=1 PR=1 IR=DR=1 EE=1).  r3 = vcpu.
 * "Returns" from kvmppc_interrupt_pr with r3 = the exit vector.
 */
__kvmppc_vcpu_run:
	mflr	r0
	std	r0, PACA_HOST_LR(r13)
	std	r1, PACA_HOST_R1(r13)
	addi	r4, r13, PACA_HOST_NV
	std	r14, 0(r4)
	std	r15, 8(r4)
	std	r16, 16(r4)
	std	r17, 24(r4)
	std	r18, 32(r4)
	std	r19, 40(r4)
	std	r20, 48(r4)
	std	r21, 56(r4)
	std	r22, 64(r4)
	std	r23, 72(r4)
	std	r24, 80(r4)
	std	r25, 88(r4)
	std	r26, 96(r4)
	std	r27, 104(r4)
	std	r28, 112(r4)
	std	r29, 120(r4)
	std	r30, 128(r4)
	std	r31, 136(r4)
kvmppc_handler_trampoline_enter:
	/* real mode (PR KVM takes every guest exit at the real-mode vectors) */
	LOAD_IMM64 r4, MSR_KERNEL_REAL
	mtmsrd	r4
	/* FSCR during guest execution: the thread's FSCR as vcpu_load left it,
	 * plus the guest's own facility enables (SCV) - docs/scenarios.md */
	mfspr	r4, SPRN_FSCR
	std	r4, PACA_HOST_FSCR(r13)
	ld	r5, VCPU_FSCR(r3)
	andi.	r5, r5, FSCR_SCV
	or	r4, r4, r5
	rldicl	r4, r4, 0, 8			/* clear IC */
	mtspr	SPRN_FSCR, r4
	/* LOAD_GUEST_SEGMENTS: remove the host's entries, install the guest's */
	li	r0, 0
	slbmte	r0, r0				/* entry 0 invalid (slbia keeps entry 0) */
	slbia
	LOAD_IMM64 r4, ((VSID_GUEST << SLB_VSID_SHIFT) | SLB_VSID_KP)
	LOAD_IMM64 r5, (SLB_ESID_V | 1)		/* ESID 0, index 1 */
	slbmte	r4, r5
	isync
	/* guest PC and shadow MSR */
	ld	r4, VCPU_PC(r3)
	mtspr	SPRN_SRR0, r4
	LOAD_IMM64 r4, MSR_USER64
	mtspr	SPRN_SRR1, r4
	ld	r4, VCPU_CR(r3)
	mtcr	r4
	ld	r4, VCPU_LR(r3)
	mtlr	r4
	ld	r4, VCPU_CTR(r3)
	mtctr	r4
	ld	r4, VCPU_XER(r3)
	mtxer	r4
	li	r4, 1
	std	r4, PACA_IN_GUEST(r13)
	mr	r13, r3				/* the PACA stays reachable via HSPRG0 */
	ld	r0, 0(r13)
	ld	r1, 8(r13)
	ld	r2, 16(r13)
	ld	r3, 24(r13)
	ld	r4, 32(r13)
	ld	r5, 40(r13)
	ld	r6, 48(r13)
	ld	r7, 56(r13)
	ld	r8, 64(r13)
	ld	r9, 72(r13)
	ld	r10, 80(r13)
	ld	r11, 88(r13)
	ld	r12, 96(r13)
	ld	r14, 112(r13)
	ld	r15, 120(r13)
	ld	r16, 128(r13)
	ld	r17, 136(r13)
	ld	r18, 144(r13)
	ld	r19, 152(r13)
	ld	r20, 160(r13)
	ld	r21, 168(r13)
	ld	r22, 176(r13)
	ld	r23, 184(r13)
	ld	r24, 192(r13)
	ld	r25, 200(r13)
	ld	r26, 208(r13)
	ld	r27, 216(r13)
	ld	r28, 224(r13)
	ld	r29, 232(r13)
	ld	r30, 240(r13)
	ld	r31, 248(r13)
	ld	r13, 104(r13)
	rfid					/* into the guest */

/*
 * kvmppc_interrupt_pr + kvmppc_handler_trampoline_exit: a guest exit.
 * r13 = PACA, HSPRG1 = guest r13, PACA_EX_R11/R12 = guest r11/r12,
 * PACA_EX_SRR0/1 = the (H)SRR pair, PACA_EX_VEC = the vector, PACA_EX_CR = CR.
 */
kvmppc_interrupt_pr:
	ld	r12, PACA_EX_SRR1(r13)
	andi.	r12, r12, MSR_PR
	beq	kernel_unexpected_interrupt	/* not the guest: host code interrupted */
	mfmsr	r12
	andi.	r12, r12, MSR_IR
	beq	1f
	/* relocation on: the exit came through an AIL/HAIL vector while the
	 * guest's SLB is loaded - PR KVM requires real-mode exits */
	li	r3, PANIC_KVM_EXIT_RELOC
	b	panic_interrupt
1:	ld	r12, PACA_VCPU(r13)
	std	r0, 0(r12)
	std	r1, 8(r12)
	std	r2, 16(r12)
	std	r3, 24(r12)
	std	r4, 32(r12)
	std	r5, 40(r12)
	std	r6, 48(r12)
	std	r7, 56(r12)
	std	r8, 64(r12)
	std	r9, 72(r12)
	std	r10, 80(r12)
	ld	r0, PACA_EX_R11(r13)
	std	r0, 88(r12)
	ld	r0, PACA_EX_R12(r13)
	std	r0, 96(r12)
	mfspr	r0, SPRN_HSPRG1
	std	r0, 104(r12)
	std	r14, 112(r12)
	std	r15, 120(r12)
	std	r16, 128(r12)
	std	r17, 136(r12)
	std	r18, 144(r12)
	std	r19, 152(r12)
	std	r20, 160(r12)
	std	r21, 168(r12)
	std	r22, 176(r12)
	std	r23, 184(r12)
	std	r24, 192(r12)
	std	r25, 200(r12)
	std	r26, 208(r12)
	std	r27, 216(r12)
	std	r28, 224(r12)
	std	r29, 232(r12)
	std	r30, 240(r12)
	std	r31, 248(r12)
	ld	r0, PACA_EX_CR(r13)
	std	r0, VCPU_CR(r12)
	mflr	r0
	std	r0, VCPU_LR(r12)
	mfctr	r0
	std	r0, VCPU_CTR(r12)
	mfxer	r0
	std	r0, VCPU_XER(r12)
	ld	r0, PACA_EX_SRR0(r13)
	std	r0, VCPU_PC(r12)
	ld	r0, PACA_EX_SRR1(r13)
	std	r0, VCPU_SHADOW_SRR1(r12)
	ld	r0, PACA_EX_VEC(r13)
	std	r0, VCPU_TRAP(r12)
	mfspr	r0, SPRN_FSCR			/* IC of a facility unavailable */
	std	r0, VCPU_SHADOW_FSCR(r12)
	li	r0, 0
	std	r0, PACA_IN_GUEST(r13)
kvmppc_handler_trampoline_exit:
	ld	r0, PACA_HOST_FSCR(r13)
	mtspr	SPRN_FSCR, r0
	bl	load_host_segments
	/* back to the kernel's virtual mode, then return from __kvmppc_vcpu_run */
	LOAD_IMM32 r4, kvmppc_exit_virt		/* its kernel EA */
	LOAD_IMM64 r5, KERNELBASE
	or	r4, r4, r5
	mtspr	SPRN_HSRR0, r4
	LOAD_IMM64 r4, MSR_KERNEL
	mtspr	SPRN_HSRR1, r4
	hrfid
kvmppc_exit_virt:
	ld	r1, PACA_HOST_R1(r13)
	addi	r4, r13, PACA_HOST_NV
	ld	r14, 0(r4)
	ld	r15, 8(r4)
	ld	r16, 16(r4)
	ld	r17, 24(r4)
	ld	r18, 32(r4)
	ld	r19, 40(r4)
	ld	r20, 48(r4)
	ld	r21, 56(r4)
	ld	r22, 64(r4)
	ld	r23, 72(r4)
	ld	r24, 80(r4)
	ld	r25, 88(r4)
	ld	r26, 96(r4)
	ld	r27, 104(r4)
	ld	r28, 112(r4)
	ld	r29, 120(r4)
	ld	r30, 128(r4)
	ld	r31, 136(r4)
	ld	r0, PACA_HOST_LR(r13)
	mtlr	r0
	ld	r3, VCPU_TRAP(r12)
	blr

/* kvmppc_handle_exit_pr (book3s_pr.c): r3 = vcpu; returns RESUME_GUEST/HOST */
kvmppc_handle_exit_pr:
	FUNC_ENTRY
	mr	r31, r3
	LOAD_KADDR r6, RESULTS
	ld	r4, RES_KVM_EXITS(r6)
	addi	r4, r4, 1
	std	r4, RES_KVM_EXITS(r6)
	ld	r4, VCPU_TRAP(r31)
	cmpdi	r4, BOOK3S_INTERRUPT_PROGRAM
	beq	.Lexit_program
	cmpdi	r4, BOOK3S_INTERRUPT_H_EMUL_ASSIST
	beq	.Lexit_program
	cmpdi	r4, BOOK3S_INTERRUPT_SYSCALL
	beq	.Lexit_syscall
	cmpdi	r4, BOOK3S_INTERRUPT_FAC_UNAVAIL
	beq	.Lexit_fac
	b	kvm_unhandled
.Lexit_program:
	/* privileged instruction in the guest kernel: emulate it */
	ld	r4, VCPU_SHADOW_SRR1(r31)
	andis.	r0, r4, SRR1_PROGPRIV@h
	beq	kvm_unhandled
	ld	r4, VCPU_PC(r31)
	bl	kvmppc_get_last_inst
	stw	r3, VCPU_LAST_INST(r31)
	mr	r3, r31
	bl	kvmppc_emulate_instruction
	li	r3, RESUME_GUEST
	b	9f
.Lexit_syscall:
	ld	r4, VCPU_PC(r31)		/* SRR0: the instruction after sc */
	addi	r4, r4, -4
	bl	kvmppc_get_last_inst
	li	r5, 0
	oris	r5, r5, INST_SC1@h
	ori	r5, r5, INST_SC1@l
	cmpw	r3, r5
	bne	1f
	ld	r4, VCPU_MSR(r31)
	andi.	r0, r4, MSR_PR
	bne	1f
	/* sc 1 from the guest kernel: a PAPR hypercall, handled by userspace */
	ld	r4, 24(r31)			/* guest r3: the hcall number */
	std	r4, VCPU_HCALL_NR(r31)
	ld	r4, 32(r31)
	std	r4, VCPU_HCALL_ARG(r31)
	li	r4, KVM_EXIT_PAPR_HCALL
	std	r4, VCPU_EXIT_REASON(r31)
	li	r3, RESUME_HOST
	b	9f
1:	/* a guest system call: reflect it to the guest's 0xc00 */
	mr	r3, r31
	li	r4, BOOK3S_INTERRUPT_SYSCALL
	ld	r5, VCPU_PC(r31)
	bl	kvmppc_inject_interrupt_pr
	li	r3, RESUME_GUEST
	b	9f
.Lexit_fac:
	mr	r3, r31
	ld	r4, VCPU_SHADOW_FSCR(r31)
	srdi	r4, r4, FSCR_IC_SHIFT
	bl	kvmppc_handle_fac
	li	r3, RESUME_GUEST
9:	FUNC_EXIT

kvm_unhandled:
	mfspr	r13, SPRN_HSPRG0
	ld	r4, VCPU_TRAP(r31)
	std	r4, PACA_EX_VEC(r13)
	ld	r4, VCPU_PC(r31)
	std	r4, PACA_EX_SRR0(r13)
	ld	r4, VCPU_SHADOW_SRR1(r31)
	std	r4, PACA_EX_SRR1(r13)
	li	r3, PANIC_KVM_UNHANDLED
	b	panic_interrupt

/* kvmppc_get_last_inst: r4 = guest EA; the guest's memory is mapped 1:1 at
 * the same host real addresses, reached through the kernel linear map */
kvmppc_get_last_inst:
	LOAD_IMM64 r5, KERNELBASE
	or	r4, r4, r5
	lwz	r3, 0(r4)
	blr

/* kvmppc_handle_fac (book3s_pr.c): r3 = vcpu, r4 = facility (FSCR[IC]).
 * TAR/EBB/TM would be enabled lazily; everything else, SCV included, is
 * "not enabled for the guest": kvmppc_trigger_fac_interrupt. */
kvmppc_handle_fac:
kvmppc_trigger_fac_interrupt:
	ld	r5, VCPU_FSCR(r3)
	rldicl	r5, r5, 0, 8			/* fscr &= ~(0xff << 56) */
	sldi	r6, r4, FSCR_IC_SHIFT
	or	r5, r5, r6			/* fscr |= fac << 56 */
	std	r5, VCPU_FSCR(r3)
	li	r4, BOOK3S_INTERRUPT_FAC_UNAVAIL
	ld	r5, VCPU_PC(r3)			/* SRR0 = the faulting instruction */
	b	kvmppc_inject_interrupt_pr

/* kvmppc_inject_interrupt_pr: r3 = vcpu, r4 = vector, r5 = guest SRR0 */
kvmppc_inject_interrupt_pr:
	std	r5, VCPU_SRR0(r3)
	ld	r6, VCPU_MSR(r3)
	lis	r7, SRR1_MSR_BITS_CLR@h
	ori	r7, r7, SRR1_MSR_BITS_CLR@l
	andc	r6, r6, r7
	std	r6, VCPU_SRR1(r3)
	ld	r6, VCPU_HIOR(r3)
	add	r6, r6, r4
	std	r6, VCPU_PC(r3)
	LOAD_IMM64 r6, (MSR_SF | MSR_ME)	/* intr_msr */
	std	r6, VCPU_MSR(r3)
	blr

/* kvmppc_set_fscr (book3s_pr.c): r3 = vcpu, r4 = new guest FSCR */
kvmppc_set_fscr:
	LOAD_KADDR r6, RESULTS
	std	r4, RES_GUEST_FSCR_SET(r6)
.if FIX_SET_FSCR
	andi.	r0, r4, FSCR_SCV
	beq	1f
	li	r5, FSCR_SCV
	andc	r4, r4, r5			/* SCV must not be enabled */
1:
.endif
	std	r4, VCPU_FSCR(r3)
	blr

/*
 * kvmppc_emulate_instruction / kvmppc_core_emulate_op_pr (book3s_emulate.c):
 * the guest kernel's privileged instructions.  r3 = vcpu.
 */
kvmppc_emulate_instruction:
	FUNC_ENTRY
	mr	r31, r3
	lwz	r30, VCPU_LAST_INST(r31)
	srwi	r4, r30, 26			/* primary opcode */
	rlwinm	r5, r30, 31, 22, 31		/* XO (bits 21:30) */
	rlwinm	r6, r30, 11, 27, 31		/* RT/RS */
	sldi	r6, r6, 3
	add	r6, r6, r31			/* &vcpu->gpr[RT] */
	cmpwi	r4, 19
	beq	.Lop19
	cmpwi	r4, 31
	bne	kvm_unhandled
	cmpwi	r5, 339
	beq	.Lmfspr
	cmpwi	r5, 467
	beq	.Lmtspr
	cmpwi	r5, 83
	beq	.Lmfmsr
	b	kvm_unhandled
.Lop19:
	cmpwi	r5, 18				/* rfid */
	bne	kvm_unhandled
	ld	r4, VCPU_SRR0(r31)
	std	r4, VCPU_PC(r31)
	ld	r4, VCPU_SRR1(r31)
	std	r4, VCPU_MSR(r31)		/* kvmppc_set_msr */
	b	9f
.Lmfmsr:
	ld	r4, VCPU_MSR(r31)
	std	r4, 0(r6)
	b	8f
.Lmfspr:
	bl	.Lsprn
	cmpwi	r7, 26
	bne	1f
	ld	r4, VCPU_SRR0(r31)
	b	7f
1:	cmpwi	r7, 27
	bne	1f
	ld	r4, VCPU_SRR1(r31)
	b	7f
1:	cmpwi	r7, SPRN_FSCR
	bne	1f
	ld	r4, VCPU_FSCR(r31)
	b	7f
1:	cmpwi	r7, SPRN_PVR
	bne	1f
	mfspr	r4, SPRN_PVR
	b	7f
1:	cmpwi	r7, SPRN_SPRG0
	blt	kvm_unhandled
	cmpwi	r7, SPRN_SPRG3
	bgt	kvm_unhandled
	addi	r8, r7, -SPRN_SPRG0
	sldi	r8, r8, 3
	add	r8, r8, r31
	ld	r4, VCPU_SPRG0(r8)
7:	std	r4, 0(r6)
	b	8f
.Lmtspr:
	bl	.Lsprn
	ld	r4, 0(r6)			/* value of RS */
	cmpwi	r7, 26
	bne	1f
	std	r4, VCPU_SRR0(r31)
	b	8f
1:	cmpwi	r7, 27
	bne	1f
	std	r4, VCPU_SRR1(r31)
	b	8f
1:	cmpwi	r7, SPRN_FSCR
	bne	1f
	mr	r3, r31
	bl	kvmppc_set_fscr
	b	8f
1:	cmpwi	r7, SPRN_SPRG0
	blt	kvm_unhandled
	cmpwi	r7, SPRN_SPRG3
	bgt	kvm_unhandled
	addi	r8, r7, -SPRN_SPRG0
	sldi	r8, r8, 3
	add	r8, r8, r31
	std	r4, VCPU_SPRG0(r8)
8:	ld	r4, VCPU_PC(r31)		/* emulated: skip the instruction */
	addi	r4, r4, 4
	std	r4, VCPU_PC(r31)
9:	FUNC_EXIT
.Lsprn:						/* r7 = SPR number of the insn in r30 */
	rlwinm	r7, r30, 16, 27, 31		/* spr[0:4] = insn bits 16:20 */
	rlwinm	r8, r30, 26, 22, 26		/* spr[5:9] = insn bits 11:15, << 5 */
	or	r7, r7, r8
	blr

/* --------------------------------------------------------------- MMU */
/*
 * htab_bolt_mapping (book3s64/hash_utils.c): r3 = EA start, r4 = EA end,
 * r5 = real start, r6 = VSID, r7 = PP.  4 KiB pages, 256 MB segments, first
 * free slot of the primary PTEG.  Runs in real mode at boot.
 */
htab_bolt_mapping:
	LOAD_IMM32 r8, HTAB
1:	cmpld	r3, r4
	bgelr
	rldicl	r9, r3, 52, 48			/* page index in the segment (EA bits 36:51) */
	xor	r9, r9, r6			/* primary hash */
	andi.	r9, r9, HTAB_HASH_MASK
	sldi	r9, r9, 7
	add	r9, r9, r8			/* the PTEG */
	li	r10, 8
	mtctr	r10
2:	ld	r10, 0(r9)
	andi.	r10, r10, HPTE_V_VALID
	beq	3f
	addi	r9, r9, 16
	bdnz	2b
	b	.				/* PTEG full: never with these mappings */
3:	/* dword1: RPN | R | C | M | PP */
	ori	r10, r5, HPTE_R_R | HPTE_R_C | HPTE_R_M
	or	r10, r10, r7
	std	r10, 8(r9)
	eieio
	/* dword0: B=0 (256 MB) | AVPN | V */
	sldi	r10, r6, 12
	rldicl	r11, r3, 48, 52			/* EA bits 36:47 >> 16 ... */
	rldicr	r11, r11, 0, 56			/* ... keep AVPN bits: & ~0x7f */
	or	r10, r10, r11
	ori	r10, r10, HPTE_V_VALID
	std	r10, 0(r9)
	ptesync
	addi	r3, r3, 0x1000
	addi	r5, r5, 0x1000
	b	1b

/* htab_initialize: the partition table (ISA v3.0) or SDR1 (v2.07), bolted
 * mappings: kernel linear map, host user memory, the PR guest's memory. */
htab_initialize:
	mflr	r29
	LOAD_IMM64 r3, KERNELBASE
	LOAD_IMM64 r4, KERNELBASE + KERNEL_MAP_END
	li	r5, 0
	li	r6, VSID_KERNEL
	li	r7, PP_KERNEL_RW
	bl	htab_bolt_mapping
	LOAD_IMM32 r3, USER_BASE
	LOAD_IMM32 r4, USER_END
	mr	r5, r3
	li	r6, VSID_USER
	li	r7, PP_ALL_RW
	bl	htab_bolt_mapping
	/* the guest's memory: kvmppc_mmu_map_page would fault these in one by
	 * one; bolting them at boot gives the same HPTEs */
	LOAD_IMM32 r3, GUEST_BASE
	LOAD_IMM32 r4, GUEST_END
	mr	r5, r3
	li	r6, VSID_GUEST
	li	r7, PP_ALL_RW
	bl	htab_bolt_mapping
	/* partition table entry 0: HR=0 (hash), HTABORG, HTABSIZE=0 */
	LOAD_IMM32 r3, PATB
	LOAD_IMM32 r4, HTAB
	std	r4, 0(r3)
	li	r4, 0
	std	r4, 8(r3)
	ptesync
	mtlr	r29
	blr

/* per-CPU MMU set-up: PTCR or SDR1, LPIDR, LPCR[HR]=0, SLB (slb_initialize) */
mmu_early_init_percpu:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	1f
	LOAD_IMM32 r4, PATB			/* PATS = 0: 4 KiB table */
	mtspr	SPRN_PTCR, r4
	b	2f
1:	LOAD_IMM32 r4, HTAB			/* HTABSIZE = 0 */
	mtspr	SPRN_SDR1, r4
2:	li	r4, 0
	mtspr	SPRN_LPIDR, r4
	mfspr	r4, SPRN_LPCR
	LOAD_IMM64 r5, (LPCR_HR | (1 << 22))	/* HR=0, UPRT=0: hash */
	andc	r4, r4, r5
	mtspr	SPRN_LPCR, r4
	isync
	/* fall through */
/* load_host_segments (SLB: kernel bolted entry 0, host user entry 1) */
load_host_segments:
	li	r0, 0
	slbmte	r0, r0
	slbia
	LOAD_IMM64 r4, ((VSID_KERNEL << SLB_VSID_SHIFT) | SLB_VSID_KP)
	LOAD_IMM64 r5, (KERNELBASE | SLB_ESID_V | 0)
	slbmte	r4, r5
	LOAD_IMM64 r4, ((VSID_USER << SLB_VSID_SHIFT) | SLB_VSID_KP)
	LOAD_IMM64 r5, (SLB_ESID_V | 1)
	slbmte	r4, r5
	isync
	blr

/* ------------------------------------------------------------- set-up */
/* early_setup for each CPU: r3 = cpu number.  PACA, stack, vcpu. */
setup_paca:
	LOAD_KADDR r13, PACA_BASE
	mulli	r4, r3, PACA_SIZE
	add	r13, r13, r4
	mtspr	SPRN_HSPRG0, r13
	std	r3, PACA_CPU(r13)
	LOAD_KADDR r1, KSTACK_TOP
	sldi	r4, r3, 12
	add	r1, r1, r4
	std	r1, PACA_KSTACK(r13)
	LOAD_KADDR r4, VCPU_BASE
	mulli	r5, r3, VCPU_SIZE
	add	r4, r4, r5
	std	r4, PACA_VCPU(r13)
	addi	r5, r3, 100			/* pid of this CPU's process */
	std	r5, PACA_PID(r13)
	li	r5, 0
	std	r5, PACA_IN_GUEST(r13)
	blr

/* cpu_ready_for_interrupts (setup_64.c): AIL for HV interrupts, per CPU.
 * ISA v3.1 uses LPCR[HAIL] for interrupts delivered with HV=1. */
cpu_ready_for_interrupts:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	mfspr	r4, SPRN_LPCR
	andi.	r0, r7, CPU_FTR_ARCH_31
	beq	1f
	LOAD_IMM64 r5, LPCR_HAIL
	b	2f
1:	LOAD_IMM64 r5, LPCR_AIL_3
2:	or	r4, r4, r5
	mtspr	SPRN_LPCR, r4
	/* __init_FSCR / __init_FSCR_power9 (cpu_setup_power.c) */
	li	r4, FSCR_TAR | FSCR_EBB
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	3f
	ori	r4, r4, FSCR_SCV
3:	mtspr	SPRN_FSCR, r4
	blr

/* boot CPU (real mode, HV) */
start_here_boot:
	li	r3, 0
	bl	setup_paca
	/* cpu_features from the PVR; HVMODE from MSR[HV] */
	mfspr	r4, SPRN_PVR
	srdi	r4, r4, 16
	li	r7, CPU_FTR_ARCH_207S | CPU_FTR_HVMODE
	cmpdi	r4, PVR_POWER9
	bne	1f
	ori	r7, r7, CPU_FTR_ARCH_300
1:	cmpdi	r4, PVR_POWER10
	bne	1f
	ori	r7, r7, CPU_FTR_ARCH_300 | CPU_FTR_ARCH_31
1:	LOAD_KADDR r6, KDATA
	std	r7, 0(r6)
	LOAD_KADDR r12, RESULTS
	LOAD_IMM64 r4, RES_MAGIC_VALUE
	std	r4, RES_MAGIC(r12)
	std	r7, RES_CPU_FEATURES(r12)
	/* configure_exceptions: init_task.thread.fscr and HWCAP2 */
	li	r4, FSCR_TAR | FSCR_EBB
	li	r5, 0
	oris	r5, r5, PPC_FEATURE2_ARCH_2_07@h
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	1f
	ori	r4, r4, FSCR_SCV
	oris	r5, r5, (PPC_FEATURE2_ARCH_3_00 | PPC_FEATURE2_SCV)@h
1:	std	r4, 8(r6)			/* init_task.thread.fscr */
	std	r4, RES_INIT_FSCR(r12)
	std	r5, 16(r6)			/* cur_cpu_spec->cpu_user_features2 */
	std	r5, RES_HWCAP2(r12)
	/* kvm_vcpu_init for each CPU's vCPU: HIOR, entry point, guest MSR */
	LOAD_KADDR r3, VCPU_BASE
	li	r5, 2
	mtctr	r5
2:	LOAD_IMM32 r4, GUEST_BASE
	std	r4, VCPU_HIOR(r3)
	addi	r4, r4, 0x100			/* the guest starts at its 0x100 */
	std	r4, VCPU_PC(r3)
	LOAD_IMM64 r4, (MSR_SF | MSR_ME)
	std	r4, VCPU_MSR(r3)
	addi	r3, r3, VCPU_SIZE
	bdnz	2b
	bl	htab_initialize
	/* release the secondaries */
	LOAD_KADDR r12, RESULTS
	li	r4, 1
	std	r4, RES_SECONDARY_GO(r12)
	b	start_here_common

start_here_secondary:
	mfspr	r3, SPRN_PIR
	bl	setup_paca
start_here_common:
	bl	mmu_early_init_percpu
	bl	cpu_ready_for_interrupts
	/* into the kernel's virtual mode */
	LOAD_IMM32 r4, start_kernel		/* its kernel EA */
	LOAD_IMM64 r5, KERNELBASE
	or	r4, r4, r5
	mtspr	SPRN_HSRR0, r4
	LOAD_IMM64 r4, MSR_KERNEL
	mtspr	SPRN_HSRR1, r4
	hrfid

start_kernel:
	ld	r3, PACA_CPU(r13)
	cmpdi	r3, 0
	bne	1f
	/* CPU 0: the scenario's main process */
.if SCENARIO == 2
	LOAD_IMM32 r3, host_user_main
.else
	LOAD_IMM32 r3, qemu_main
.endif
	b	start_user_process
1:	/* CPU 1: a host process that runs while CPU 0 has its vCPU loaded */
	LOAD_KADDR r12, RESULTS
2:	ld	r4, RES_VCPU_LOADED(r12)
	cmpdi	r4, 0
	beq	2b
	LOAD_IMM32 r3, host_user_main

/* start_user_process: r3 = entry; exec with an auxv, FSCR = thread.fscr */
start_user_process:
	ld	r4, PACA_CPU(r13)
	LOAD_IMM32 r5, USER_STACK0
	sldi	r6, r4, 12
	subf	r5, r6, r5			/* user stack top */
	addi	r5, r5, -256			/* argc, argv, envp, auxv */
	LOAD_IMM64 r7, KERNELBASE
	or	r8, r5, r7			/* kernel view of the user stack */
	li	r9, 0
	std	r9, 0(r8)			/* argc */
	std	r9, 8(r8)			/* argv[] terminator */
	std	r9, 16(r8)			/* envp[] terminator */
	li	r9, AT_HWCAP2
	std	r9, 24(r8)
	LOAD_KADDR r6, KDATA
	ld	r9, 16(r6)
	std	r9, 32(r8)
	li	r9, AT_NULL
	std	r9, 40(r8)
	std	r9, 48(r8)
	/* current->thread.fscr, switched in (restore_sprs) */
	ld	r9, 8(r6)
	std	r9, PACA_THREAD_FSCR(r13)
	mtspr	SPRN_FSCR, r9
	/* U_RES block of this CPU: the process' "argument" in r3 */
	LOAD_IMM32 r9, U_RES
	sldi	r6, r4, 8
	add	r9, r9, r6
	mtspr	SPRN_SRR0, r3
	LOAD_IMM64 r4, MSR_USER64
	mtspr	SPRN_SRR1, r4
	mr	r1, r5
	mr	r3, r9
	rfid

/* ================================================ host user processes */
	.org	USER_BASE
/*
 * Linked into every host process: _dl_aux_init reads AT_HWCAP2 from the
 * auxiliary vector; the system call wrapper picks `scv 0` when HWCAP2 has
 * PPC_FEATURE2_SCV, else `sc`, and decodes each instruction's error
 * convention (glibc sysdeps/unix/sysv/linux/powerpc/sysdep.h).
 * r30 = this process' results block throughout.
 */
__libc_start_main:				/* r1 = argc, r3 = results block */
	mr	r30, r3
	addi	r9, r1, 24			/* auxv after argc, argv NULL, envp NULL */
	li	r11, 0
1:	ld	r10, 0(r9)
	cmpdi	r10, AT_NULL
	beq	3f
	cmpdi	r10, AT_HWCAP2
	bne	2f
	ld	r11, 8(r9)
2:	addi	r9, r9, 16
	b	1b
3:	std	r11, U_HWCAP2(r30)
	lis	r12, PPC_FEATURE2_SCV@h
	and	r11, r11, r12
	std	r11, U_USE_SCV(r30)		/* GLRO(dl_hwcap2) & PPC_FEATURE2_SCV */
	blr

/* INTERNAL_SYSCALL: r0 = number, r3/r4 = arguments.
 * Returns r3 = result or -1, r4 = errno (0 on success). */
internal_syscall:
	stdu	r1, -64(r1)
	std	r31, 48(r1)
	mflr	r31				/* scv clobbers LR and CTR */
	ld	r9, U_SYSCALLS(r30)
	addi	r9, r9, 1
	std	r9, U_SYSCALLS(r30)
	ld	r9, U_USE_SCV(r30)
	cmpdi	r9, 0
	beq	.Luse_sc
	scv	0
	std	r3, U_LAST_RAW_R3(r30)
	mfcr	r9
	std	r9, U_LAST_RAW_CR(r30)
	/* scv 0: -4095..-1 is -errno */
	li	r4, 0
	cmpdi	r3, -4095
	blt	.Lsys_ret
	cmpdi	r3, 0
	bge	.Lsys_ret
	neg	r4, r3
	li	r3, -1
	b	.Lsys_ret
.Luse_sc:
	sc
	std	r3, U_LAST_RAW_R3(r30)
	mfcr	r9
	std	r9, U_LAST_RAW_CR(r30)
	/* sc: cr0.SO set means r3 is a positive errno */
	li	r4, 0
	bns	.Lsys_ret
	mr	r4, r3
	li	r3, -1
.Lsys_ret:
	mtlr	r31
	ld	r31, 48(r1)
	addi	r1, r1, 64
	blr

/* checks common to the host processes; r29 accumulates failed checks */
check_getpid_and_enosys:			/* r5 = U_ offset for getpid, r6 for errno */
	mflr	r28
	li	r0, __NR_getpid
	bl	internal_syscall
	stdx	r3, r30, r5
	cmpdi	r3, 100
	blt	1f
	cmpdi	r3, 101
	ble	2f
1:	ori	r29, r29, 1			/* getpid failed */
2:	li	r0, 0
	ori	r0, r0, __NR_bogus
	bl	internal_syscall
	stdx	r4, r30, r6
	ld	r7, U_LAST_RAW_R3(r30)
	std	r7, U_BADSYS_RAW_R3(r30)
	ld	r7, U_LAST_RAW_CR(r30)
	std	r7, U_BADSYS_RAW_CR(r30)
	std	r3, U_BADSYS_RET(r30)
	cmpdi	r4, ENOSYS
	beq	3f
	ori	r29, r29, 2			/* error convention broken */
3:	mtlr	r28
	blr

/* "qemu": one vCPU; KVM_RUN until the guest shuts down (PAPR hcall exit) */
qemu_main:
	bl	__libc_start_main
	li	r29, 0
	li	r5, U_GETPID_BEFORE
	li	r6, U_BADSYS_ERRNO
	bl	check_getpid_and_enosys
	li	r0, __NR_ioctl
	li	r3, VCPU_FD
	li	r4, 0
	ori	r4, r4, KVM_RUN
	bl	internal_syscall
	std	r3, U_KVM_RUN_RET(r30)
	cmpdi	r3, KVM_EXIT_PAPR_HCALL
	beq	1f
	ori	r29, r29, 4
1:	li	r5, U_GETPID_AFTER
	li	r6, U_BADSYS_ERRNO_AFTER
	bl	check_getpid_and_enosys
	b	user_exit

/* a host process: system calls before and (on CPU 0) after a guest ran here */
host_user_main:
	bl	__libc_start_main
	li	r29, 0
	li	r5, U_GETPID_BEFORE
	li	r6, U_BADSYS_ERRNO
	bl	check_getpid_and_enosys
	lis	r4, U_RES@h
	ori	r4, r4, U_RES@l
	cmpd	r30, r4
	bne	user_exit			/* CPU 1: done */
	/* CPU 0: run the guest once (it makes no scv), then system calls again */
	li	r0, __NR_ioctl
	li	r3, VCPU_FD
	li	r4, 0
	ori	r4, r4, KVM_RUN
	bl	internal_syscall
	std	r3, U_KVM_RUN_RET(r30)
	cmpdi	r3, KVM_EXIT_PAPR_HCALL
	beq	1f
	ori	r29, r29, 4
1:	li	r5, U_GETPID_AFTER
	li	r6, U_BADSYS_ERRNO_AFTER
	bl	check_getpid_and_enosys

user_exit:
	std	r29, U_STATUS(r30)
	mr	r3, r29
	li	r0, __NR_exit
	bl	internal_syscall
	b	.

/* ======================================================= the PR guest */
	.org	GUEST_BASE
	.include "guest.S"

	.org	G_CFG
guest_config_use_scv:				/* QEMU-provided: may the guest use scv */
.if SCENARIO == 2
	.quad	0
.else
	.quad	1
.endif
	.org	G_RES
guest_results:
	.quad	0
	.org	GUEST_END
