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
/* Like Linux there is nothing at real 0x17000: scv with AIL=0 is not supported. */
	.org	0x3000
system_call_vectored:				/* scv 0 */
	mr	r9, r13
	mfspr	r13, SPRN_SPRG0
	mflr	r11
	mfctr	r12
	b	system_call_vectored_common
	.org	0x3020
	.rept	127				/* scv 1..127: SIGILL */
	mr	r9, r13
	mfspr	r13, SPRN_SPRG0
	mflr	r11
	mfctr	r12
	b	system_call_vectored_sigill
	.balign	0x20
	.endr

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
	std	r11, PACA_EX_VEC(r13)
	mfcr	r12
	std	r12, PACA_EX_CR(r13)
	ld	r12, PACA_IN_GUEST(r13)		/* KVMTEST */
	cmpdi	r12, 0
	bne	kvmppc_interrupt_pr
	ld	r12, PACA_EX_SRR1(r13)
	andi.	r12, r12, MSR_PR
	bne	user_interrupt
kernel_unexpected_interrupt:			/* nothing in this kernel expects one */
	li	r3, PANIC_KERNEL_INTERRUPT
	b	panic_interrupt

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

/* panic_interrupt: r3 = panic code.  Records the interrupt, powers off. */
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
	li	r11, 2
	std	r11, RES_STATUS(r12)
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
	LOAD_IMM32 r3, GUEST_BASE
	LOAD_IMM32 r4, GUEST_END
	mr	r5, r3
	li	r6, VSID_GUEST
	li	r7, PP_ALL_RW
	bl	htab_bolt_mapping
	mtlr	r29
	blr

/* per CPU: SLB (slb_initialize) */
mmu_early_init_percpu:
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
.endif

/* ------------------------------------------------------------- set-up */
setup_paca:					/* r3 = cpu */
	LOAD_KADDR r13, PACA_BASE
	mulli	r4, r3, PACA_SIZE
	add	r13, r13, r4
	mtspr	SPRN_SPRG0, r13
	std	r3, PACA_CPU(r13)
	LOAD_KADDR r1, KSTACK_TOP
	sldi	r4, r3, 12
	add	r1, r1, r4
	std	r1, PACA_KSTACK(r13)
	LOAD_KADDR r4, VCPU_BASE
	std	r4, PACA_VCPU(r13)		/* one vCPU, run by CPU 0 */
	addi	r5, r3, 100			/* pid of this CPU's process */
	std	r5, PACA_PID(r13)
	li	r5, 0
	std	r5, PACA_IN_GUEST(r13)
	blr

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
	li	r4, FSCR_TAR | FSCR_EBB
	li	r5, 0
	oris	r5, r5, PPC_FEATURE2_ARCH_2_07@h
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	1f
	ori	r4, r4, FSCR_SCV
	oris	r5, r5, (PPC_FEATURE2_ARCH_3_00 | PPC_FEATURE2_SCV)@h
1:	std	r4, 8(r6)			/* init_task.thread.fscr */
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
	mfspr	r4, SPRN_PVR
	srdi	r4, r4, 16
	li	r7, CPU_FTR_ARCH_207S		/* no CPU_FTR_HVMODE: a partition */
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
	LOAD_KADDR r4, start_kernel
	mtspr	SPRN_SRR0, r4
	LOAD_IMM64 r4, MSR_LPAR_KERNEL
	mtspr	SPRN_SRR1, r4
	rfid

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

/* start_user_process: r3 = entry; exec with an auxv, FSCR = thread.fscr */
start_user_process:
	ld	r4, PACA_CPU(r13)
	LOAD_IMM32 r5, USER_STACK0
	sldi	r6, r4, 12
	subf	r5, r6, r5
	addi	r5, r5, -256
	LOAD_IMM64 r7, KERNELBASE
	or	r8, r5, r7
	li	r9, 0
	std	r9, 0(r8)			/* argc */
	std	r9, 8(r8)
	std	r9, 16(r8)
	li	r9, AT_HWCAP2
	std	r9, 24(r8)
	LOAD_KADDR r6, KDATA
	ld	r9, 16(r6)
	std	r9, 32(r8)
	li	r9, AT_NULL
	std	r9, 40(r8)
	std	r9, 48(r8)
	/* current->thread.fscr (copied from init_task), switched in (restore_sprs) */
	ld	r9, 8(r6)
	std	r9, PACA_THREAD_FSCR(r13)
start_user_process_mtfscr:
	mtspr	SPRN_FSCR, r9
	LOAD_IMM32 r9, U_RES
	sldi	r6, r4, 8
	add	r9, r9, r6
	mtspr	SPRN_SRR0, r3
	LOAD_IMM64 r4, MSR_LPAR_USER
	mtspr	SPRN_SRR1, r4
	mr	r1, r5
	mr	r3, r9
start_user_process_rfid:
	rfid

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

/*
 * __kvmppc_vcpu_run + kvmppc_handler_trampoline_enter: host non-volatile
 * state saved, real mode, guest segments and shadow FSCR, into the guest in
 * problem state (HV=0 PR=1 IR=DR=1).  r3 = vcpu.
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
	LOAD_IMM64 r4, MSR_LPAR_KERNEL_REAL
	mtmsrd	r4
	/* FSCR while the guest runs: the thread's, plus the guest's SCV
	 * (the PowerNV model, docs/scenarios.md) */
	mfspr	r4, SPRN_FSCR
	std	r4, PACA_HOST_FSCR(r13)
	ld	r5, VCPU_FSCR(r3)
	andi.	r5, r5, FSCR_SCV
	or	r4, r4, r5
	rldicl	r4, r4, 0, 8
kvmppc_handler_trampoline_enter_mtfscr:
	mtspr	SPRN_FSCR, r4
.if !RADIX
	li	r0, 0
	slbmte	r0, r0
	slbia
	LOAD_IMM64 r4, ((VSID_GUEST << SLB_VSID_SHIFT) | SLB_VSID_KP)
	LOAD_IMM64 r5, (SLB_ESID_V | 1)
	slbmte	r4, r5
	isync
.endif
	ld	r4, VCPU_PC(r3)
	mtspr	SPRN_SRR0, r4
	LOAD_IMM64 r4, MSR_LPAR_USER
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
	mr	r13, r3				/* the PACA stays reachable via SPRG0 */
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
kvmppc_handler_trampoline_enter_rfid:
	rfid

/* kvmppc_interrupt_pr + kvmppc_handler_trampoline_exit: a guest exit */
kvmppc_interrupt_pr:
	ld	r12, PACA_EX_SRR1(r13)
	andi.	r12, r12, MSR_PR
	beq	kernel_unexpected_interrupt	/* not the guest: host code interrupted */
	mfmsr	r12
	andi.	r12, r12, MSR_IR
	beq	1f
	li	r3, PANIC_KVM_EXIT_RELOC	/* PR KVM needs real-mode exits */
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
	mfspr	r0, SPRN_SPRG2
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
	mfspr	r0, SPRN_FSCR
	std	r0, VCPU_SHADOW_FSCR(r12)
	li	r0, 0
	std	r0, PACA_IN_GUEST(r13)
kvmppc_handler_trampoline_exit:
	ld	r0, PACA_HOST_FSCR(r13)
	mtspr	SPRN_FSCR, r0
.if !RADIX
	bl	load_host_segments
.endif
	LOAD_KADDR r4, kvmppc_exit_virt
	mtspr	SPRN_SRR0, r4
	LOAD_IMM64 r4, MSR_LPAR_KERNEL
	mtspr	SPRN_SRR1, r4
	rfid
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
	cmpdi	r4, BOOK3S_INTERRUPT_SYSCALL
	beq	.Lexit_syscall
	cmpdi	r4, BOOK3S_INTERRUPT_FAC_UNAVAIL
	beq	.Lexit_fac
	b	kvm_unhandled
.Lexit_program:					/* privileged instruction: emulate */
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
	ld	r4, VCPU_PC(r31)
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
	/* sc 1 from the guest kernel: a PAPR hypercall */
	mr	r3, r31
	bl	kvmppc_h_pr
	b	9f
1:	mr	r3, r31				/* a guest system call: to its 0xc00 */
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
	mfspr	r13, SPRN_SPRG0
	ld	r4, VCPU_TRAP(r31)
	std	r4, PACA_EX_VEC(r13)
	ld	r4, VCPU_PC(r31)
	std	r4, PACA_EX_SRR0(r13)
	ld	r4, VCPU_SHADOW_SRR1(r31)
	std	r4, PACA_EX_SRR1(r13)
	li	r3, PANIC_KVM_UNHANDLED
	b	panic_interrupt

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

kvmppc_get_last_inst:				/* r4 = guest EA (= host real) */
	LOAD_IMM64 r5, KERNELBASE
	or	r4, r4, r5
	lwz	r3, 0(r4)
	blr

/* kvmppc_handle_fac / kvmppc_trigger_fac_interrupt: SCV is not a facility
 * PR KVM gives its guests - the guest gets facility unavailable */
kvmppc_handle_fac:
kvmppc_trigger_fac_interrupt:
	ld	r5, VCPU_FSCR(r3)
	rldicl	r5, r5, 0, 8
	sldi	r6, r4, FSCR_IC_SHIFT
	or	r5, r5, r6
	std	r5, VCPU_FSCR(r3)
	li	r4, BOOK3S_INTERRUPT_FAC_UNAVAIL
	ld	r5, VCPU_PC(r3)
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
	LOAD_IMM64 r6, (MSR_SF | MSR_ME)
	std	r6, VCPU_MSR(r3)
	blr

/* kvmppc_set_fscr (book3s_pr.c): r3 = vcpu, r4 = new guest FSCR */
kvmppc_set_fscr:
	LOAD_KADDR r6, RESULTS
	std	r4, RES_GUEST_FSCR_SET(r6)
.if FIX_KVMPPC_SET_FSCR
	li	r5, FSCR_SCV
	andc	r4, r4, r5			/* SCV must not be enabled */
.endif
	std	r4, VCPU_FSCR(r3)
	blr

/* kvmppc_core_emulate_op_pr (book3s_emulate.c): r3 = vcpu */
kvmppc_emulate_instruction:
	FUNC_ENTRY
	mr	r31, r3
	lwz	r30, VCPU_LAST_INST(r31)
	srwi	r4, r30, 26
	rlwinm	r5, r30, 31, 22, 31		/* XO */
	rlwinm	r6, r30, 11, 27, 31		/* RT/RS */
	sldi	r6, r6, 3
	add	r6, r6, r31
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
	std	r4, VCPU_MSR(r31)
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
	ld	r4, 0(r6)
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
8:	ld	r4, VCPU_PC(r31)
	addi	r4, r4, 4
	std	r4, VCPU_PC(r31)
9:	FUNC_EXIT
.Lsprn:
	rlwinm	r7, r30, 16, 27, 31
	rlwinm	r8, r30, 26, 22, 26
	or	r7, r7, r8
	blr

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

/* ================================================ host user processes */
	.org	USER_BASE
/* _dl_aux_init: AT_HWCAP2; the syscall wrapper uses scv 0 iff
 * PPC_FEATURE2_SCV (glibc sysdep.h).  r30 = results block. */
__libc_start_main:
	mr	r30, r3
	addi	r9, r1, 24
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
	std	r11, U_USE_SCV(r30)
	blr

/* INTERNAL_SYSCALL: r0 = number, r3-r5 arguments; r3 = result or -1, r4 = errno */
internal_syscall:
	stdu	r1, -64(r1)
	std	r31, 48(r1)
	mflr	r31
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
	li	r4, 0
	bns	.Lsys_ret
	mr	r4, r3
	li	r3, -1
.Lsys_ret:
	mtlr	r31
	ld	r31, 48(r1)
	addi	r1, r1, 64
	blr

/* getpid (expects 100 + cpu) and a bogus syscall (expects ENOSYS) */
check_getpid_and_enosys:			/* r5 = U_ offset for getpid, r6 for errno */
	mflr	r28
	li	r0, __NR_getpid
	bl	internal_syscall
	stdx	r3, r30, r5
	cmpdi	r3, 100
	blt	1f
	cmpdi	r3, 101
	ble	2f
1:	ori	r29, r29, 1
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
	ori	r29, r29, 2
3:	mtlr	r28
	blr

/* "QEMU": create a PR VM, run its vCPU (answering its hypercalls), wait for
 * the process on the other CPU, destroy the VM */
qemu_main:
	bl	__libc_start_main
	li	r29, 0
	li	r5, U_GETPID_BEFORE
	li	r6, U_BADSYS_ERRNO
	bl	check_getpid_and_enosys
	li	r0, __NR_ioctl
	li	r3, DEV_KVM_FD
	li	r4, 0
	ori	r4, r4, KVM_CREATE_VM
	bl	internal_syscall
	cmpdi	r3, 0
	blt	.Lno_vm				/* no PR KVM (radix host) */
1:	li	r0, __NR_ioctl
	li	r3, VCPU_FD
	li	r4, 0
	ori	r4, r4, KVM_RUN
	bl	internal_syscall
	std	r3, U_KVM_RUN_RET(r30)
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
4:	li	r5, U_GETPID_AFTER
	li	r6, U_BADSYS_ERRNO_AFTER
	bl	check_getpid_and_enosys
	b	user_exit

/* a host process on CPU 1: system calls while CPU 0's PR VM exists, then a
 * hand-written scv regardless of HWCAP2 (must be refused with SIGILL when
 * the kernel did not advertise SCV) */
host_user_main:
	bl	__libc_start_main
	li	r29, 0
	li	r5, U_GETPID_BEFORE
	li	r6, U_BADSYS_ERRNO
	bl	check_getpid_and_enosys
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

user_exit:
	std	r29, U_STATUS(r30)
	mr	r3, r29
	li	r0, __NR_exit
	bl	internal_syscall
	b	.

/* "kexec -e" on CPU 0, once the process on CPU 1 is making system calls */
kexec_main:
	bl	__libc_start_main
	li	r29, 0
	li	r5, U_GETPID_BEFORE
	li	r6, U_BADSYS_ERRNO
	bl	check_getpid_and_enosys
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
