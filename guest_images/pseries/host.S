/*
 * host.S - a tiny pseries "Linux" host kernel (a logical partition: MSR[HV]=0)
 * with a PR-KVM module, host user processes and a PR guest, for the ppcvec
 * scenarios pseries-host-user-scv-during-pr-vm, pseries-radix-host,
 * pseries-guest-requests-ail3 and pseries-kexec-scv (docs/pseries.md).
 *
 * Names follow Linux arch/powerpc (setup_64.c configure_exceptions,
 * platforms/pseries/setup.c pseries_enable_reloc_on_exc, book3s_pr.c,
 * book3s_pr_papr.c, kexec/core_64.c); the code is written from scratch and
 * keeps only what the scenarios need.  The partition owns no hypervisor
 * resource: AIL is set for the whole partition with H_SET_MODE, the hash page
 * table is the hypervisor's (H_ENTER), a radix process table is registered
 * with H_REGISTER_PROC_TBL, CPUs start and stop through RTAS.
 *
 * Build switches (fix hunks, docs/pseries.md):
 *   FIX_CONFIGURE_EXCEPTIONS   b5149e22 setup_64.c: PR KVM possible and hash MMU
 *                              -> clear FSCR[SCV] of init_task and HWCAP2 SCV
 *   FIX_VCPU_LOAD_PUT          b5149e22 book3s_pr.c vcpu_load/put (HVMODE only)
 *   FIX_KVMPPC_SET_FSCR        b5149e22 book3s_pr.c: "SCV must not be enabled"
 *   FIX_KVMPPC_H_PR_SET_MODE   839d893b book3s_pr_papr.c: refuse AIL != 0
 *   FIX_DEFAULT_MACHINE_KEXEC  21a741eb75f8: disable AIL after the other CPUs stopped
 * Configuration:
 *   SCENARIO=1 PR VM + host process on the other CPU, 2 radix host,
 *            3 guest requests AIL=3, 4 kexec
 *   RADIX=1  radix MMU (H_REGISTER_PROC_TBL), else hash (H_ENTER)
 *   KVM_BOOK3S_PR_POSSIBLE=0|1  (CONFIG_KVM_BOOK3S_PR_POSSIBLE)
 *
 * Boot: QEMU spapr convention - CPU 0 at 0x100, MSR=0, r3 = device tree; the
 * others stopped until RTAS start-cpu.  Ends with RTAS power-off: argument 0
 * all well, 1..0x3f a host process reported a failed check, 0x50.. a panic.
 */
	.include "pseries.inc"
	.include "kernel.inc"

.ifndef FIX_CONFIGURE_EXCEPTIONS
	.set FIX_CONFIGURE_EXCEPTIONS, 0
.endif
.ifndef FIX_VCPU_LOAD_PUT
	.set FIX_VCPU_LOAD_PUT, 0
.endif
.ifndef FIX_KVMPPC_SET_FSCR
	.set FIX_KVMPPC_SET_FSCR, 0
.endif
.ifndef FIX_KVMPPC_H_PR_SET_MODE
	.set FIX_KVMPPC_H_PR_SET_MODE, 0
.endif
.ifndef FIX_DEFAULT_MACHINE_KEXEC
	.set FIX_DEFAULT_MACHINE_KEXEC, 0
.endif
.ifndef SCENARIO
	.set SCENARIO, 1
.endif
.ifndef RADIX
	.set RADIX, 0
.endif
.ifndef KVM_BOOK3S_PR_POSSIBLE
	.set KVM_BOOK3S_PR_POSSIBLE, 1
.endif

.set RADIX_TABLES, 0x80000               /* kernel process table and trees */

/* ---- platform parameters of the shared code (kvm_pr.inc, libc.inc) ------ */
.set HVMODE, 0                          /* a partition: no CPU_FTR_HVMODE */
.set SPRN_SPRG_PACA, SPRN_SPRG0         /* Linux: SPRN_SPRG_PACA */
.set SPRN_SPRG_SCRATCH, SPRN_SPRG2      /* Linux: SPRN_SPRG_SCRATCH0 */
.set PLAT_MSR_KERNEL, MSR_LPAR_KERNEL
.set PLAT_MSR_KERNEL_REAL, MSR_LPAR_KERNEL_REAL
.set PLAT_MSR_USER, MSR_LPAR_USER
/* RFI_TO_KERNEL_VIRT: into the kernel's virtual mode at `label` (SRR, rfid) */
.macro RFI_TO_KERNEL_VIRT label
	LOAD_KADDR r4, \label
	mtspr	SPRN_SRR0, r4
	LOAD_IMM64 r4, MSR_LPAR_KERNEL
	mtspr	SPRN_SRR1, r4
	rfid
.endm
/* KVM_PR_PAPR_HCALL (kvm_pr.inc): kvmppc_h_pr handles some in the kernel */
.macro KVM_PR_PAPR_HCALL
	mr	r3, r31
	bl	kvmppc_h_pr
.endm

/* Interrupt entry: 6 instructions.  Scratch r13 in SPRG2, PACA from SPRG0. */
.macro EXC_ENTRY vec
	mtspr	SPRN_SPRG2, r13
	mfspr	r13, SPRN_SPRG0
	std	r11, PACA_EX_R11(r13)
	std	r12, PACA_EX_R12(r13)
	li	r11, \vec
	b	interrupt_common
.endm
.macro EXC_REAL vec
	.org	\vec
	EXC_ENTRY \vec
.endm
.macro EXC_VIRT vec
	.org	0x4000 + \vec
	EXC_ENTRY \vec
.endm
/* RTAS call: r3 = token, r4 = nargs, r5 = nret, r6.. = arguments; returns
 * r3 = the first return word.  Uses the caller's RTAS_ARGS slot. */
.macro RTAS_CALL token, nargs, nret
	li	r3, \token
	li	r4, \nargs
	li	r5, \nret
	bl	rtas_call
.endm

	.text
/* ============================================================ 0x0000 */
	.org	0x0
	.long	0
/* ============================================ 0x100-0xfff: real-mode vectors */
	.org	0x100
__start:					/* QEMU spapr: CPU 0 starts here, MSR=0 */
	li	r0, 1
	sldi	r0, r0, 63			/* MSR[SF]: 64-bit */
	mtmsrd	r0
	b	start_here_boot
	EXC_REAL 0x200
	EXC_REAL 0x300
	EXC_REAL 0x380
	EXC_REAL 0x400
	EXC_REAL 0x480
	EXC_REAL 0x500
	EXC_REAL 0x600
	EXC_REAL 0x700
	EXC_REAL 0x800
	EXC_REAL 0x900
	EXC_REAL 0xa00
	EXC_REAL 0xc00
	EXC_REAL 0xd00
	EXC_REAL 0xe00
	EXC_REAL 0xf00
	EXC_REAL 0xf20
	EXC_REAL 0xf40
	EXC_REAL 0xf60
	EXC_REAL 0xf80

/* ===================================== 0x3000: scv vectors (AIL=3 only) */
	SCV_VECTORS

/* ================================== 0x4000: AIL=3 (relocated) vectors */
	EXC_VIRT 0x300
	EXC_VIRT 0x380
	EXC_VIRT 0x400
	EXC_VIRT 0x480
	EXC_VIRT 0x500
	EXC_VIRT 0x600
	EXC_VIRT 0x700
	EXC_VIRT 0x800
	EXC_VIRT 0x900
	EXC_VIRT 0xa00
	EXC_VIRT 0xc00
	EXC_VIRT 0xd00
	EXC_VIRT 0xe00
	EXC_VIRT 0xf00
	EXC_VIRT 0xf20
	EXC_VIRT 0xf40
	EXC_VIRT 0xf60
	EXC_VIRT 0xf80

/* ================================================ common interrupt entry */
	.org	0x5000
interrupt_common:
	mfspr	r12, SPRN_SRR0
	std	r12, PACA_EX_SRR0(r13)
	mfspr	r12, SPRN_SRR1
	std	r12, PACA_EX_SRR1(r13)
	INTERRUPT_COMMON_KVMTEST

/* from a host user process: with AIL=0 (a PR VM exists, kexec) it arrived at
 * a real-mode vector - continue in virtual mode like Linux' real-mode
 * handlers do (the kernel's own code and data are at KERNELBASE) */
user_interrupt:
	mfmsr	r12
	andi.	r12, r12, MSR_IR
	bne	user_interrupt_virt
	LOAD_KADDR r12, user_interrupt_virt
	mtspr	SPRN_SRR0, r12
	LOAD_IMM64 r12, MSR_LPAR_KERNEL
	mtspr	SPRN_SRR1, r12
	rfid
user_interrupt_virt:
	cmpdi	r11, 0xc00
	beq	system_call_common
	/* anything else kills the process: facility unavailable (a refused scv)
	 * and illegal instructions with SIGILL, the rest with SIGSEGV */
	mfspr	r9, SPRN_SPRG2
	std	r9, PACA_USER_R13(r13)
	ld	r1, PACA_KSTACK(r13)
	ld	r4, PACA_CPU(r13)
	LOAD_KADDR r5, U_RES
	sldi	r4, r4, 8
	add	r5, r5, r4
	std	r11, U_SIG_VEC(r5)
	ld	r4, PACA_EX_SRR0(r13)
	std	r4, U_SIG_NIP(r5)
	mfspr	r4, SPRN_FSCR
	srdi	r4, r4, FSCR_IC_SHIFT
	std	r4, U_SIG_IC(r5)
	li	r3, SIGSEGV
	cmpdi	r11, 0xf60
	beq	1f
	cmpdi	r11, 0x700
	bne	2f
1:	li	r3, SIGILL
2:	std	r3, U_SIG_NO(r5)
	addi	r3, r3, 128
	b	do_exit

	PANIC_INTERRUPT
	mr	r6, r3
machine_power_off:				/* r6 = exit code */
	RTAS_CALL RTAS_POWER_OFF, 2, 1
	b	.

/* rtas_call (rtas.c): builds the rtas_args of this CPU and enters RTAS
 * through the KVMPPC_H_RTAS hypercall; r6-r8 are the arguments. */
rtas_call:
	ld	r9, PACA_CPU(r13)
	sldi	r9, r9, 6
	LOAD_KADDR r10, RTAS_ARGS
	add	r10, r10, r9
	stw	r3, 0(r10)
	stw	r4, 4(r10)
	stw	r5, 8(r10)
	stw	r6, 12(r10)
	stw	r7, 16(r10)
	stw	r8, 20(r10)
	li	r9, -1
	sldi	r4, r4, 2
	add	r4, r4, r10
	stw	r9, 12(r4)			/* rets[0] */
	mr	r11, r4
	clrldi	r4, r10, 4			/* real address of the buffer */
	li	r3, 0
	ori	r3, r3, KVMPPC_H_RTAS
	sc	1
	lwa	r3, 12(r11)			/* rets[0], through the linear map */
	blr

/* ---------------------------------------------------------- system calls */
/* sc: SRR0/SRR1 in the PACA, user r13 in SPRG2 */
system_call_common:
	mfspr	r9, SPRN_SPRG2
	std	r9, PACA_USER_R13(r13)
	std	r1, PACA_USER_R1(r13)
	mflr	r9
	std	r9, PACA_USER_LR(r13)
	ld	r9, PACA_EX_SRR0(r13)
	std	r9, PACA_USER_NIP(r13)
	ld	r9, PACA_EX_SRR1(r13)
	std	r9, PACA_USER_MSR(r13)
	ld	r1, PACA_KSTACK(r13)
	bl	syscall_enter
	/* sc error convention: cr0.SO set and r3 = errno */
	ld	r9, PACA_EX_CR(r13)
	lis	r10, 0x1000			/* cr0.SO */
	andc	r9, r9, r10
	cmpdi	r3, -4095
	blt	1f
	cmpdi	r3, 0
	bge	1f
	neg	r3, r3
	or	r9, r9, r10
1:	mtcr	r9
	ld	r9, PACA_USER_NIP(r13)
	mtspr	SPRN_SRR0, r9
	ld	r9, PACA_USER_MSR(r13)
	mtspr	SPRN_SRR1, r9
	ld	r9, PACA_USER_LR(r13)
	mtlr	r9
	ld	r1, PACA_USER_R1(r13)
	ld	r13, PACA_USER_R13(r13)
	rfid

/* scv 0: r9 = user r13, r11 = LR (return address), r12 = CTR (MSR) */
system_call_vectored_common:
	std	r9, PACA_USER_R13(r13)
	std	r1, PACA_USER_R1(r13)
	std	r11, PACA_USER_NIP(r13)
	std	r12, PACA_USER_MSR(r13)
	ld	r1, PACA_KSTACK(r13)
	bl	syscall_enter
	/* scv: -4095..-1 is -errno, returned as is */
	ld	r9, PACA_USER_NIP(r13)
	mtlr	r9
	ld	r9, PACA_USER_MSR(r13)
	mtctr	r9
	ld	r1, PACA_USER_R1(r13)
	ld	r13, PACA_USER_R13(r13)
	rfscv

system_call_vectored_sigill:
	mfspr	r13, SPRN_SPRG0
	li	r11, 0x3020
	std	r11, PACA_EX_VEC(r13)
	ld	r1, PACA_KSTACK(r13)
	li	r3, 128 + SIGILL
	b	do_exit

/* syscall_enter: r0 = number, r3-r5 arguments; returns r3 */
syscall_enter:
	mflr	r10
	std	r10, 16(r1)
	stdu	r1, -64(r1)
	/* kexec IPI, polled at kernel entry (docs/pseries.md) */
	LOAD_KADDR r10, RESULTS
	ld	r9, PS_KEXEC_DOWN(r10)
	cmpdi	r9, 0
	beq	1f
	bl	kexec_smp_down			/* never returns */
1:	cmpdi	r0, __NR_getpid
	bne	1f
	ld	r3, PACA_PID(r13)
	b	9f
1:	cmpdi	r0, __NR_exit
	beq	do_exit
	cmpdi	r0, __NR_ioctl
	bne	1f
	bl	sys_ioctl
	b	9f
1:	cmpdi	r0, __NR_wait4
	bne	1f
	bl	sys_wait4
	b	9f
1:	cmpdi	r0, __NR_close
	bne	1f
	bl	sys_close
	b	9f
1:	cmpdi	r0, __NR_reboot
	bne	1f
	bl	sys_reboot
	b	9f
1:	li	r3, -ENOSYS
9:	addi	r1, r1, 64
	ld	r10, 16(r1)
	mtlr	r10
	blr

/* do_exit: r3 = exit status.  CPU 0's exit powers the machine off. */
sys_exit:
do_exit:
	LOAD_KADDR r12, RESULTS
	ld	r11, PACA_CPU(r13)
	cmpdi	r11, 0
	bne	1f
	std	r3, RES_EXIT_CODE0(r12)
	li	r10, 1
	std	r10, RES_STATUS(r12)
	mr	r6, r3
	b	machine_power_off
1:	std	r3, RES_EXIT_CODE1(r12)
	li	r10, 1
	std	r10, RES_CPU1_DONE(r12)
	b	.				/* this CPU idles */

/* wait4 (here: until the process on the other CPU has exited) */
sys_wait4:
	LOAD_KADDR r12, RESULTS
1:	ld	r4, RES_CPU1_DONE(r12)
	cmpdi	r4, 0
	beq	1b
	ld	r3, RES_EXIT_CODE1(r12)
	blr

sys_ioctl:
	li	r6, 0
	ori	r6, r6, KVM_CREATE_VM
	cmpd	r4, r6
	bne	1f
	cmpdi	r3, DEV_KVM_FD
	beq	kvm_dev_ioctl_create_vm		/* tail call */
1:	li	r6, 0
	ori	r6, r6, KVM_RUN
	cmpd	r4, r6
	bne	1f
	cmpdi	r3, VCPU_FD
	beq	kvm_arch_vcpu_ioctl_run		/* tail call */
1:	li	r3, -EINVAL
	blr

sys_close:
	cmpdi	r3, VM_FD
	beq	kvm_vm_release			/* tail call */
	li	r3, 0
	blr

sys_reboot:
	lis	r6, LINUX_REBOOT_CMD_KEXEC@h
	ori	r6, r6, LINUX_REBOOT_CMD_KEXEC@l
	cmpw	r3, r6
	beq	kernel_kexec
	li	r3, -EINVAL
	blr

/* ------------------------------------------------------- hypercalls */
/*
 * pseries_enable_reloc_on_exc / pseries_disable_reloc_on_exc
 * (platforms/pseries/setup.c, plpar_wrappers.h): H_SET_MODE resource 3
 * (address translation mode) with mflags 3 (AIL=3, vectors at
 * 0xc000000000004000) or 0.  Partition-wide.  Return r3 = the hcall status.
 */
pseries_enable_reloc_on_exc:
	li	r4, 3
	b	plpar_set_mode_addr_trans
pseries_disable_reloc_on_exc:
	LOAD_KADDR r6, RESULTS
	ld	r4, PACA_CPU(r13)
	addi	r4, r4, 1
	std	r4, PS_SETMODE_DISABLE_CPU(r6)
	mflr	r4
	std	r4, PS_SETMODE_DISABLE_LR(r6)
	li	r4, 0
plpar_set_mode_addr_trans:
	li	r3, 0
	ori	r3, r3, H_SET_MODE
	li	r5, H_SET_MODE_RESOURCE_ADDR_TRANS_MODE
	li	r6, 0
	li	r7, 0
	sc	1
	blr

/* ----------------------------------------------------------------- MMU */
.if RADIX
/*
 * radix__early_init_mmu for a partition: register the process table with the
 * hypervisor (H_REGISTER_PROC_TBL: PROC_TABLE_NEW | PROC_TABLE_RADIX | GTSE);
 * the hypervisor sets LPCR[HR|UPRT] and its partition table.  PRTE[0] maps
 * the kernel (quadrant 3, privileged), PRTE[1] the host processes (PIDR=1).
 */
mmu_early_init:
	mflr	r29
	li	r3, 0
	ori	r3, r3, H_REGISTER_PROC_TBL
	li	r4, PROC_TABLE_NEW | PROC_TABLE_RADIX | PROC_TABLE_GTSE
	LOAD_IMM32 r5, RADIX_TABLES + 0x1000
	li	r6, 0				/* page size 4K */
	li	r7, 0				/* PRTS: 4 KiB table */
	sc	1
	LOAD_KADDR r6, RESULTS
	li	r4, 1
	std	r4, PS_RADIX(r6)
	mtlr	r29
	blr
mmu_early_init_percpu:
	li	r4, 1
	mtspr	SPRN_PIDR, r4			/* the user process' PID (context) */
	blr
.else
/*
 * hpte_insert through the hypervisor: pSeries_lpar_hpte_insert (H_ENTER,
 * flags 0: any free slot of the PTEG).  r3 = EA start, r4 = EA end, r5 =
 * real start, r6 = VSID, r7 = PP.  4 KiB pages, 256 MB segments.
 */
htab_bolt_mapping:
	mflr	r12
	mr	r24, r3
	mr	r25, r4
	mr	r26, r5
	mr	r27, r6
	mr	r28, r7
1:	cmpld	r24, r25
	bge	9f
	rldicl	r9, r24, 52, 48			/* page index in the segment */
	xor	r9, r9, r27			/* primary hash */
	andi.	r9, r9, HTAB_HASH_MASK
	sldi	r5, r9, 3			/* ptex = PTEG * 8 */
	sldi	r6, r27, 12			/* HPTE dword0: AVPN | V */
	rldicl	r11, r24, 48, 52
	rldicr	r11, r11, 0, 56
	or	r6, r6, r11
	ori	r6, r6, HPTE_V_VALID
	ori	r7, r26, HPTE_R_R | HPTE_R_C | HPTE_R_M
	or	r7, r7, r28
	li	r3, H_ENTER
	li	r4, 0
	sc	1
	cmpdi	r3, 0
	bne	.				/* PTEG full: never with these mappings */
	addi	r24, r24, 0x1000
	addi	r26, r26, 0x1000
	b	1b
9:	mtlr	r12
	blr

/* htab_initialize (hash_utils.c): bolted mappings via H_ENTER */
mmu_early_init:
	mflr	r29
	HTAB_BOLT_MAPPINGS
	mtlr	r29
	blr

/* per CPU: SLB (slb_initialize) */
mmu_early_init_percpu:
	LOAD_HOST_SEGMENTS
.endif

/* ------------------------------------------------------------- set-up */
	SETUP_PACA 0

/* __init_FSCR / __init_FSCR_power9 (cpu_setup_power.c), per CPU */
cpu_setup_fscr:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	li	r4, FSCR_TAR | FSCR_EBB
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	1f
	ori	r4, r4, FSCR_SCV
1:	mtspr	SPRN_FSCR, r4
	blr

/*
 * configure_exceptions (setup_64.c) on a partition with FW_FEATURE_SET_MODE:
 * init_task.thread.fscr and HWCAP2 start with SCV on ISA v3.0; then
 *   b5149e22: PR KVM possible and hash MMU -> no SCV ("PR KVM does not
 *             support AIL mode interrupts in the host while a PR guest runs");
 *   7fa95f9adaee: enabling AIL=3 failed -> no SCV.
 */
configure_exceptions:
	mflr	r29
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	INIT_THREAD_FSCR_HWCAP2
	std	r4, 8(r6)			/* init_task.thread.fscr */
	std	r5, 16(r6)			/* cur_cpu_spec->cpu_user_features2 */
.if FIX_CONFIGURE_EXCEPTIONS && KVM_BOOK3S_PR_POSSIBLE && !RADIX
configure_exceptions_pr_possible_hash:
	bl	disable_scv
.endif
	/* Enable AIL if possible */
	bl	pseries_enable_reloc_on_exc
	LOAD_KADDR r6, RESULTS
	std	r3, PS_SETMODE_BOOT(r6)
	cmpdi	r3, H_SUCCESS
	beq	2f
configure_exceptions_ail_failed:
	bl	disable_scv
2:	LOAD_KADDR r6, KDATA
	LOAD_KADDR r12, RESULTS
	ld	r4, 8(r6)
	std	r4, RES_INIT_FSCR(r12)
	ld	r4, 16(r6)
	std	r4, RES_HWCAP2(r12)
	mtlr	r29
	blr
disable_scv:
	LOAD_KADDR r6, KDATA
	ld	r4, 8(r6)
	li	r5, FSCR_SCV
	andc	r4, r4, r5
	std	r4, 8(r6)			/* init_task.thread.fscr &= ~FSCR_SCV */
	ld	r4, 16(r6)
	lis	r5, PPC_FEATURE2_SCV@h
	andc	r4, r4, r5
	std	r4, 16(r6)			/* cpu_user_features2 &= ~PPC_FEATURE2_SCV */
	blr

/* boot CPU: real mode, HV=0 */
start_here_boot:
	li	r3, 0
	bl	setup_paca
	INIT_CPU_FEATURES
	bl	configure_exceptions
	/* kvm_vcpu_init: HIOR, entry point, guest MSR */
	LOAD_KADDR r3, VCPU_BASE
	LOAD_IMM32 r4, GUEST_BASE
	std	r4, VCPU_HIOR(r3)
	addi	r4, r4, 0x100
	std	r4, VCPU_PC(r3)
	LOAD_IMM64 r4, (MSR_SF | MSR_ME)
	std	r4, VCPU_MSR(r3)
	bl	mmu_early_init
	/* smp_release_cpus: RTAS start-cpu(1, __secondary_start, 1) */
	li	r6, 1
	LOAD_IMM32 r7, __secondary_start
	li	r8, 1
	RTAS_CALL RTAS_START_CPU, 3, 1
	b	start_here_common

__secondary_start:				/* RTAS start-cpu: r3 = cpu, MSR = SF|ME */
	bl	setup_paca
start_here_common:
	bl	mmu_early_init_percpu
	bl	cpu_setup_fscr
	RFI_TO_KERNEL_VIRT start_kernel

start_kernel:
	ld	r3, PACA_CPU(r13)
	cmpdi	r3, 0
	bne	1f
.if SCENARIO == 4
	LOAD_IMM32 r3, kexec_main
.else
	LOAD_IMM32 r3, qemu_main
.endif
	b	start_user_process
1:
.if SCENARIO == 3
	b	.				/* no process on CPU 1 */
.endif
.if SCENARIO != 4
	/* the other CPU's process starts once CPU 0 created its VM */
	LOAD_KADDR r12, RESULTS
2:	ld	r4, RES_VCPU_LOADED(r12)
	cmpdi	r4, 0
	beq	2b
.endif
	LOAD_IMM32 r3, host_user_main

	START_USER_PROCESS

/* ---------------------------------------------------------------- KVM */
/* KVM_CREATE_VM -> kvm_arch_init_vm -> kvmppc_core_init_vm_pr */
kvm_dev_ioctl_create_vm:
	FUNC_ENTRY
	bl	kvmppc_core_check_processor_compat_pr
	cmpdi	r3, 0
	bne	1f
	bl	kvmppc_core_init_vm_pr
	li	r3, VM_FD
1:	LOAD_KADDR r6, RESULTS
	std	r3, PS_VM_CREATE_RET(r6)
	li	r4, 1
	std	r4, RES_VCPU_LOADED(r6)		/* scenario sync: the other CPU may start */
.if SCENARIO == 1 || SCENARIO == 2
scenario_vm_created:				/* ... and runs its process to the end */
	ld	r4, RES_CPU1_DONE(r6)
	cmpdi	r4, 0
	beq	scenario_vm_created
.endif
	FUNC_EXIT

/* "PR KVM can work on POWER9 inside a guest partition running in HPT mode.
 *  It can't work if we are using radix translation" (book3s_pr.c) */
kvmppc_core_check_processor_compat_pr:
	li	r3, 0
.if RADIX
	li	r3, -EIO
.endif
	blr

/* kvmppc_core_init_vm_pr: the first PR VM disables AIL for the partition */
kvmppc_core_init_vm_pr:
	mflr	r30
	LOAD_KADDR r6, KDATA
	ld	r4, 24(r6)			/* kvm_global_user_count */
	addi	r4, r4, 1
	std	r4, 24(r6)
	cmpdi	r4, 1
	bne	1f
kvmppc_core_init_vm_pr_disable_reloc:
	bl	pseries_disable_reloc_on_exc
1:	mtlr	r30
	blr

/* close(vm fd) -> kvmppc_core_destroy_vm_pr: the last one re-enables AIL */
kvm_vm_release:
	FUNC_ENTRY
	LOAD_KADDR r6, KDATA
	ld	r4, 24(r6)
	addi	r4, r4, -1
	std	r4, 24(r6)
	cmpdi	r4, 0
	bne	1f
kvmppc_core_destroy_vm_pr_enable_reloc:
	bl	pseries_enable_reloc_on_exc
1:	li	r3, 0
	FUNC_EXIT

/*
 * kvm_arch_vcpu_ioctl_run -> kvmppc_vcpu_run_pr: complete a userspace hcall,
 * load the vCPU, run the guest until an exit for userspace, put the vCPU.
 */
kvm_arch_vcpu_ioctl_run:
	FUNC_ENTRY
	ld	r31, PACA_VCPU(r13)
	ld	r4, VCPU_HCALL_NEEDED(r31)
	cmpdi	r4, 0
	beq	1f
	LOAD_KADDR r5, KVM_RUN_AREA
	ld	r4, KVM_RUN_HCALL_RET(r5)
	std	r4, 24(r31)			/* kvmppc_set_gpr(vcpu, 3, run->papr_hcall.ret) */
	li	r4, 0
	std	r4, VCPU_HCALL_NEEDED(r31)
1:	mr	r3, r31
	bl	kvmppc_core_vcpu_load_pr
2:	mr	r3, r31
	bl	__kvmppc_vcpu_run
	mr	r3, r31
	bl	kvmppc_handle_exit_pr
	cmpdi	r3, RESUME_GUEST
	beq	2b
	mr	r3, r31
	bl	kvmppc_core_vcpu_put_pr
	ld	r3, VCPU_EXIT_REASON(r31)
	LOAD_KADDR r5, KVM_RUN_AREA
	std	r3, KVM_RUN_EXIT_REASON(r5)
	ld	r4, VCPU_HCALL_NR(r31)
	std	r4, KVM_RUN_HCALL_NR(r5)
	ld	r4, VCPU_HCALL_ARG(r31)
	std	r4, KVM_RUN_HCALL_ARG0(r5)
	FUNC_EXIT

/* kvmppc_core_vcpu_load_pr / _put_pr: the AIL (and, with b5149e22, SCV)
 * juggling is under CPU_FTR_HVMODE - never true in a partition. */
kvmppc_core_vcpu_load_pr:
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	andi.	r0, r7, CPU_FTR_HVMODE
	/* if (cpu_has_feature(CPU_FTR_HVMODE)) { LPCR &= ~LPCR_AIL; and with
	 * b5149e22 FSCR &= ~FSCR_SCV }: the PowerNV code in
	 * guest_images/powernv/host.S - in a partition the block is skipped,
	 * with or without FIX_VCPU_LOAD_PUT */
	LOAD_KADDR r6, RESULTS
	mfspr	r4, SPRN_FSCR
	std	r4, RES_LOAD_FSCR(r6)
	blr
kvmppc_core_vcpu_put_pr:
	LOAD_KADDR r6, RESULTS
	mfspr	r4, SPRN_FSCR
	std	r4, RES_PUT_FSCR(r6)
	blr

	.include "kvm_pr.inc"		/* __kvmppc_vcpu_run .. kvmppc_emulate_instruction */

/*
 * kvmppc_h_pr (book3s_pr_papr.c): hypercalls PR KVM handles in the kernel;
 * the rest exit to userspace (KVM_EXIT_PAPR_HCALL).  r3 = vcpu.
 */
kvmppc_h_pr:
	mflr	r30
	ld	r4, 24(r3)			/* guest r3: the hcall number */
.if FIX_KVMPPC_H_PR_SET_MODE
	cmpdi	r4, H_SET_MODE
	bne	1f
	bl	kvmppc_h_pr_set_mode
	mtlr	r30
	li	r3, RESUME_GUEST
	blr
1:
.endif
	std	r4, VCPU_HCALL_NR(r3)
	ld	r4, 32(r3)
	std	r4, VCPU_HCALL_ARG(r3)
	li	r4, 1
	std	r4, VCPU_HCALL_NEEDED(r3)
	li	r4, KVM_EXIT_PAPR_HCALL
	std	r4, VCPU_EXIT_REASON(r3)
	mtlr	r30
	li	r3, RESUME_HOST
	blr

.if FIX_KVMPPC_H_PR_SET_MODE
/* kvmppc_h_pr_set_mode (839d893b "Disallow AIL != 0"): KVM PR does not
 * implement AIL for its guests; resource 3 with mflags != 0 is refused */
kvmppc_h_pr_set_mode:
	ld	r4, 32(r3)			/* mflags */
	ld	r5, 40(r3)			/* resource */
	li	r6, H_SUCCESS
	cmpdi	r5, H_SET_MODE_RESOURCE_ADDR_TRANS_MODE
	bne	1f
	cmpdi	r4, 0
	beq	1f
	li	r6, H_UNSUPPORTED_FLAG_START - 63
1:	std	r6, 24(r3)			/* guest r3 */
	LOAD_KADDR r7, RESULTS
	std	r6, PS_GUEST_SETMODE(r7)
	li	r6, 1
	std	r6, PS_GUEST_SETMODE_BY(r7)
	blr
.endif

/* ---------------------------------------------------------------- kexec */
/*
 * kernel_kexec -> machine_kexec -> pseries_machine_kexec -> default_machine_kexec
 * (kexec/core_64.c).  Before 21a741eb75f8 pseries_machine_kexec disabled AIL
 * (H_SET_MODE 0, partition-wide) first, while the other CPUs still ran user
 * code; the fix does it in default_machine_kexec after kexec_prepare_cpus.
 */
kernel_kexec:
pseries_machine_kexec:
.if !FIX_DEFAULT_MACHINE_KEXEC
pseries_machine_kexec_disable_reloc:
	bl	pseries_disable_reloc_on_exc
.endif
default_machine_kexec:
	bl	kexec_prepare_cpus
.if FIX_DEFAULT_MACHINE_KEXEC
default_machine_kexec_disable_reloc:
	/* "This must be done after other CPUs have shut down, otherwise they
	 * could execute the 'scv' instruction, which is not supported with
	 * reloc disabled" */
	bl	pseries_disable_reloc_on_exc
.endif
	/* kexec_sequence: real mode, copy the new kernel, jump to it */
	LOAD_KADDR r4, RESULTS
	LOAD_IMM32 r5, kexec_new_kernel
	mtspr	SPRN_SRR0, r5
	LOAD_IMM64 r5, MSR_LPAR_KERNEL_REAL
	mtspr	SPRN_SRR1, r5
	rfid

/* kexec_prepare_cpus: ask the other CPUs down (the IPI is polled at kernel
 * entry here) and wait until RTAS reports them stopped */
kexec_prepare_cpus:
	mflr	r30
	LOAD_KADDR r12, RESULTS
	li	r4, 1
	std	r4, PS_KEXEC_DOWN(r12)
1:	li	r6, 1
	RTAS_CALL RTAS_QUERY_CPU_STOPPED_STATE, 1, 2
	LOAD_KADDR r10, RTAS_ARGS		/* CPU 0's buffer: rets[1] = state */
	lwz	r4, 20(r10)
	cmpwi	r3, 0
	bne	1b
	cmpwi	r4, 0				/* 0 = stopped */
	bne	1b
	mtlr	r30
	blr

/* kexec_smp_down -> pseries_kexec_cpu_down -> rtas_stop_self */
kexec_smp_down:
	LOAD_KADDR r12, RESULTS
	ld	r4, PS_KEXEC_STOPPED(r12)
	addi	r4, r4, 1
	std	r4, PS_KEXEC_STOPPED(r12)
pseries_kexec_cpu_down:
	RTAS_CALL RTAS_STOP_SELF, 0, 1
	b	.

/* the kexec'd kernel (real mode): it boots, records that, powers off */
kexec_new_kernel:
	LOAD_IMM32 r12, RESULTS
	li	r4, 1
	std	r4, PS_NEW_KERNEL(r12)
	std	r4, RES_STATUS(r12)
	LOAD_IMM32 r7, U_RES
	ld	r6, U_STATUS(r7)		/* what "kexec -e"'s process had checked */
	LOAD_KADDR r13, PACA_BASE
	b	machine_power_off

/* ======================== 0x16e80: arch/powerpc/kernel/irq.c (real 0x17000) */
	.include "irq.inc"

/* ================================================ host user processes */
	.org	USER_BASE
	.include "libc.inc"		/* __libc_start_main, internal_syscall, checks */

/* "QEMU": create a PR VM, run its vCPU (answering its hypercalls), wait for
 * the process on the other CPU, destroy the VM */
qemu_main:
	LIBC_START_AND_CHECK
	li	r0, __NR_ioctl
	li	r3, DEV_KVM_FD
	li	r4, 0
	ori	r4, r4, KVM_CREATE_VM
	bl	internal_syscall
	cmpdi	r3, 0
	blt	.Lno_vm				/* no PR KVM (radix host) */
1:
	KVM_RUN_IOCTL
	cmpdi	r3, KVM_EXIT_PAPR_HCALL
	beq	2f
	ori	r29, r29, 4
	b	.Lvm_done
2:	/* spapr_hypercall: H_SET_MODE under KVM -> spapr_set_all_lpcrs, H_SUCCESS */
	lis	r7, KVM_RUN_AREA@h
	ori	r7, r7, KVM_RUN_AREA@l
	ld	r8, KVM_RUN_HCALL_NR(r7)
	cmpdi	r8, H_SET_MODE
	bne	3f
qemu_h_set_mode:
	li	r9, H_SUCCESS
	std	r9, KVM_RUN_HCALL_RET(r7)
	b	1b
3:	li	r9, 0
	ori	r9, r9, H_PPCVEC_GUEST_DONE
	cmpd	r8, r9
	bne	1b				/* (nothing else is expected) */
.Lvm_done:
.if SCENARIO != 3
	li	r0, __NR_wait4
	bl	internal_syscall
.endif
	li	r0, __NR_close
	li	r3, VM_FD
	bl	internal_syscall
	b	4f
.Lno_vm:
	std	r4, U_KVM_RUN_RET(r30)		/* errno of KVM_CREATE_VM */
	li	r0, __NR_wait4
	bl	internal_syscall
4:
	CHECK_AFTER_GUEST
	b	user_exit

/* a host process on CPU 1: system calls while CPU 0's PR VM exists, then a
 * hand-written scv regardless of HWCAP2 (must be refused with SIGILL when
 * the kernel did not advertise SCV) */
host_user_main:
	LIBC_START_AND_CHECK
.if SCENARIO == 4
	/* kexec scenario: system calls until the CPU is taken down */
1:	li	r0, __NR_getpid
	bl	internal_syscall
	b	1b
.endif
	li	r0, __NR_getpid
stray_scv:
	scv	0
	std	r3, U_GETPID_AFTER(r30)

	USER_EXIT

/* "kexec -e" on CPU 0, once the process on CPU 1 is making system calls */
kexec_main:
	LIBC_START_AND_CHECK
	lis	r7, (U_RES + 0x100)@h
	ori	r7, r7, (U_RES + 0x100)@l
1:	ld	r8, U_SYSCALLS(r7)
	cmpdi	r8, 4
	blt	1b
	std	r29, U_STATUS(r30)		/* (the new kernel's exit status) */
	li	r0, __NR_reboot
	lis	r3, LINUX_REBOOT_CMD_KEXEC@h
	ori	r3, r3, LINUX_REBOOT_CMD_KEXEC@l
	bl	internal_syscall
	ori	r29, r29, 8			/* kexec returned: failed */
	b	user_exit

/* ======================================================= the PR guest */
	.org	GUEST_BASE
	.include "guest.S"

	.org	G_CFG
guest_config_use_scv:				/* QEMU-provided: may the guest use scv */
.if SCENARIO == 3
	.quad	1
.else
	.quad	0
.endif
guest_config_request_ail:			/* the guest kernel asks for AIL=3 */
.if SCENARIO == 3
	.quad	1
.else
	.quad	0
.endif
	.org	G_RES
guest_results:
	.quad	0

/* ======================================== radix tables (RADIX=1 only) */
.if RADIX
	.org	RADIX_TABLES + 0x1000		/* process table: PRTE[0] kernel, [1] user */
	.quad	RADIX_RTS52 | (RADIX_TABLES + 0x10000) | 13
	.quad	0
	.quad	RADIX_RTS52 | (RADIX_TABLES + 0x30000) | 13
	.quad	0
	.org	RADIX_TABLES + 0x10000		/* kernel root: [0] -> level 2 */
	.quad	R_PTE_V | (RADIX_TABLES + 0x20000) | 9
	.org	RADIX_TABLES + 0x20000		/* 1 GiB leaf, privileged */
	.quad	R_PTE_V | R_PTE_L | R_PTE_R | R_PTE_C | EAA_PRIV | EAA_RWX
	.org	RADIX_TABLES + 0x30000		/* user root */
	.quad	R_PTE_V | (RADIX_TABLES + 0x40000) | 9
	.org	RADIX_TABLES + 0x40000		/* 1 GiB leaf, user */
	.quad	R_PTE_V | R_PTE_L | R_PTE_R | R_PTE_C | EAA_RWX
	.org	RADIX_TABLES + 0x41000
.else
	.org	GUEST_END
.endif
