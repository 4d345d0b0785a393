# A two-interrupt storm cycle: the HEAI handler takes a Facility Unavailable
# (scv with FSCR[SCV]=0), whose handler executes an illegal instruction again.
    .org 0x10
    b start

    .org 0xe40                  # emulation_assist
heai:
scv_insn:
    scv 0                       # FSCR[SCV]=0: facility unavailable (0xf60)

    .org 0xf60                  # facility_unavailable
fu:
illegal:
    .long 0x7c0007fe            # HEAI (0xe40)

    .org 0x20000
start:
    li 4, 0
    mtspr 153, 4                # FSCR[SCV] = 0
    b heai
