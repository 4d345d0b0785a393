# An interrupt storm: the emulation-assist handler re-faults two instructions
# into itself (not at its own vector), so it never returns and every delivery
# is the same HEAI from heai_refault to 0xe40.  `ppcvec run` ends it with
# outcome storm after --storm-limit repetitions (default 1000).
    .org 0x10
    b start

    .org 0xe40                  # emulation_assist (HV real mode)
heai:
    mfspr 4, 314                # HSRR0
    addi 5, 5, 1                # count the deliveries
heai_refault:
    .long 0x7c0007fe            # illegal on Book3S: HEAI again
    b .

    .org 0x20000
start:
    li 5, 0
first_fault:
    .long 0x7c0007fe
    attn
