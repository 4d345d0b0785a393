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
 *   --defsym SCENARIO=1|2|3|4     which user processes run (docs/scenarios.md);
 *                                 4: the radix host, no KVM (RADIX=1)
 *   --defsym RADIX=1              radix MMU (radix__early_init_mmu): PR KVM
 *                                 refuses to load
 *   --defsym WHATIF_HOST_FSCR_IN_GUEST=1  the guest runs with the host
 *                                 thread's FSCR (not upstream; kvm_pr.inc)
 *
 * Boot: QEMU powernv convention - image at real 0, every thread starts at 0x10
 * in hypervisor real mode; PIR selects the boot thread.  Ends with `attn`:
 * r3 = 0 all well, 1..0x3f a host process reported a failed check,
 * 0x50.. a kernel panic (see linux.inc PANIC_*).
 */
	.include "linux.inc"
	.include "mmu.inc"
	.include "kernel.inc"

.ifndef FIX_VCPU_LOAD_PUT
	.set FIX_VCPU_LOAD_PUT, 0
.endif
.ifndef FIX_SET_FSCR
	.set FIX_SET_FSCR, 0
.endif
.ifndef SCENARIO
	.set SCENARIO, 1
.endif

/* ---- platform parameters of the shared code (kvm_pr.inc, libc.inc) ------ */
.set HVMODE, 1                          /* CPU_FTR_HVMODE: hypervisor (HV=1) */
.ifndef RADIX
	.set RADIX, 0                   /* hash MMU; 1: radix (no PR KVM) */
.endif
.set FIX_KVMPPC_SET_FSCR, FIX_SET_FSCR
.set SPRN_SPRG_PACA, SPRN_HSPRG0        /* Linux: SPRN_SPRG_HPACA */
.set SPRN_SPRG_SCRATCH, SPRN_HSPRG1     /* Linux: SPRN_SPRG_HSCRATCH0 */
.set PLAT_MSR_KERNEL, MSR_KERNEL
.set PLAT_MSR_KERNEL_REAL, MSR_KERNEL_REAL
.set PLAT_MSR_USER, MSR_USER64
/* RFI_TO_KERNEL_VIRT: into the kernel's virtual mode at `label` (HSRR, hrfid) */
.macro RFI_TO_KERNEL_VIRT label
	LOAD_IMM32 r4, \label			/* its kernel EA */
	LOAD_IMM64 r5, KERNELBASE
	or	r4, r4, r5
	mtspr	SPRN_HSRR0, r4
	LOAD_IMM64 r4, MSR_KERNEL
	mtspr	SPRN_HSRR1, r4
	hrfid
.endm
/* KVM_PR_PAPR_HCALL (kvm_pr.inc): every hypercall is handled by userspace */
.macro KVM_PR_PAPR_HCALL
	ld	r4, 24(r31)			/* guest r3: the hcall number */
	std	r4, VCPU_HCALL_NR(r31)
	ld	r4, 32(r31)
	std	r4, VCPU_HCALL_ARG(r31)
	li	r4, KVM_EXIT_PAPR_HCALL
	std	r4, VCPU_EXIT_REASON(r31)
	li	r3, RESUME_HOST
.endm

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
	INTERRUPT_COMMON_KVMTEST

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

	PANIC_INTERRUPT
	ATTN				/* machine stops; exit code = r3 */
	b	.

/* ===================================== 0x3000: scv vectors (AIL=3 only) */
	SCV_VECTORS

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

/* kvmppc_book3s_init_pr (book3s_pr.c, the kvm-pr module's init): refuses to
 * load when kvmppc_core_check_processor_compat_pr says no */
kvmppc_book3s_init_pr:
	mflr	r30
	bl	kvmppc_core_check_processor_compat_pr
	LOAD_KADDR r6, RESULTS
	std	r3, RES_KVM_PR_INIT(r6)
	mtlr	r30
	blr

/* "PR KVM can work on POWER9 inside a guest partition running in HPT mode.
 *  It can't work if we are using radix translation" (book3s_pr.c): -EIO on
 * ISA v3.0+ with radix_enabled() */
kvmppc_core_check_processor_compat_pr:
	li	r3, 0
	LOAD_KADDR r6, KDATA
	ld	r7, 0(r6)
	andi.	r0, r7, CPU_FTR_ARCH_300
	beq	1f
	LOAD_KADDR r6, RESULTS
	ld	r4, RES_RADIX(r6)
	cmpdi	r4, 0
	beq	1f
	li	r3, -EIO
1:	blr

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

	.include "kvm_pr.inc"		/* __kvmppc_vcpu_run .. kvmppc_emulate_instruction */

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

.if RADIX
/*
 * radix__early_init_mmu (book3s64/radix_pgtable.c): the kernel's radix tree
 * (1 GiB leaf: EA 0xc000000000000000 -> real 0, privileged), the host
 * processes' tree (PID 1: EA 0 -> real 0), the process table and partition
 * table entry 0 (HR=1, the process table).  Built at boot in RADIX_TABLES.
 */
.set RADIX_TABLES, 0x80000               /* PATB: partition table */
.set RADIX_PRTB,   RADIX_TABLES + 0x1000 /* process table: [0] kernel, [1] user */
.set RADIX_KROOT,  RADIX_TABLES + 0x10000
.set RADIX_KL2,    RADIX_TABLES + 0x20000
.set RADIX_UROOT,  RADIX_TABLES + 0x30000
.set RADIX_UL2,    RADIX_TABLES + 0x40000
.macro STORE_QUAD addr, value
	LOAD_IMM64 r4, \value
	LOAD_IMM32 r5, \addr
	std	r4, 0(r5)
.endm
radix__early_init_mmu:
	STORE_QUAD RADIX_TABLES, PATE0_HR
	STORE_QUAD RADIX_TABLES + 8, RADIX_PRTB		/* PRTS = 0: 4 KiB */
	STORE_QUAD RADIX_PRTB, RADIX_RTS52 | RADIX_KROOT | 13
	STORE_QUAD RADIX_PRTB + 16, RADIX_RTS52 | RADIX_UROOT | 13
	STORE_QUAD RADIX_KROOT, R_PTE_V | RADIX_KL2 | 9
	STORE_QUAD RADIX_KL2, R_PTE_V | R_PTE_L | R_PTE_R | R_PTE_C | EAA_PRIV | EAA_RWX
	STORE_QUAD RADIX_UROOT, R_PTE_V | RADIX_UL2 | 9
	STORE_QUAD RADIX_UL2, R_PTE_V | R_PTE_L | R_PTE_R | R_PTE_C | EAA_RWX
	ptesync
	LOAD_KADDR r6, RESULTS
	li	r4, 1
	std	r4, RES_RADIX(r6)			/* radix_enabled() */
	blr

/* radix__early_init_mmu_secondary, per CPU: PTCR, LPIDR 0, LPCR[HR|UPRT],
 * PIDR = the host process' PID */
mmu_early_init_percpu:
	LOAD_IMM32 r4, RADIX_TABLES
	mtspr	SPRN_PTCR, r4
	li	r4, 0
	mtspr	SPRN_LPIDR, r4
	mfspr	r4, SPRN_LPCR
	oris	r4, r4, (LPCR_HR | LPCR_UPRT) >> 16
	mtspr	SPRN_LPCR, r4
	li	r4, 1
	mtspr	SPRN_PIDR, r4
	isync
	blr

.else
/* htab_initialize: the partition table (ISA v3.0) or SDR1 (v2.07), bolted
 * mappings: kernel linear map, host user memory, the PR guest's memory. */
htab_initialize:
	mflr	r29
	HTAB_BOLT_MAPPINGS
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
	LOAD_HOST_SEGMENTS

.endif

/* ------------------------------------------------------------- set-up */
	SETUP_PACA 1

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
	INIT_CPU_FEATURES
	/* configure_exceptions: init_task.thread.fscr and HWCAP2 */
	INIT_THREAD_FSCR_HWCAP2
	std	r4, 8(r6)			/* init_task.thread.fscr */
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
.if RADIX
	bl	radix__early_init_mmu
.else
	bl	htab_initialize
.endif
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
	RFI_TO_KERNEL_VIRT start_kernel

start_kernel:
	ld	r3, PACA_CPU(r13)
	cmpdi	r3, 0
	bne	1f
	/* CPU 0: do_initcalls -> module_init(kvmppc_book3s_init_pr), then the
	 * scenario's main process */
	bl	kvmppc_book3s_init_pr
.if SCENARIO == 2 || SCENARIO == 4
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

	START_USER_PROCESS

/* ======================== 0x16e80: arch/powerpc/kernel/irq.c (real 0x17000) */
	.include "irq.inc"

/* ================================================ host user processes */
	.org	USER_BASE
	.include "libc.inc"		/* __libc_start_main, internal_syscall, checks */

/* KVM_RUN until the guest shuts down (a PAPR hcall exit), then check again */
.macro KVM_RUN_GUEST_ONCE
	KVM_RUN_IOCTL
	cmpdi	r3, KVM_EXIT_PAPR_HCALL
	beq	1f
	ori	r29, r29, 4
1:
	CHECK_AFTER_GUEST
.endm

/* "qemu": one vCPU; KVM_RUN until the guest shuts down (PAPR hcall exit) */
qemu_main:
	LIBC_START_AND_CHECK
	KVM_RUN_GUEST_ONCE
	b	user_exit

/* a host process: system calls before and (on CPU 0) after a guest ran here */
host_user_main:
	LIBC_START_AND_CHECK
.if SCENARIO == 4
	b	user_exit			/* the radix host: no PR KVM, no guest */
.endif
	lis	r4, U_RES@h
	ori	r4, r4, U_RES@l
	cmpd	r30, r4
	bne	user_exit			/* CPU 1: done */
	/* CPU 0: run the guest once (it makes no scv), then system calls again */
	KVM_RUN_GUEST_ONCE

	USER_EXIT

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
