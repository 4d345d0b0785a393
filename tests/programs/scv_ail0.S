# scv with LPCR[AIL]=0 in hypervisor state: delivered to real 0x17000 + LEV*0x20.
# The scv 1 slot records LR and CTR at 0x30000 and ends the run with attn, r3 = 7.
    .set RESULTS, 0x30000
    .text
    .org 0x10
    b start

    .org 0x17020                # system_call_vectored, LEV 1, real mode
scv1_handler:
    lis 10, RESULTS@h
    mflr 11
    std 11, 0(10)
    mfctr 11
    std 11, 8(10)
    li 3, 7
    attn

    .org 0x20000
start:
    li 4, 0x1000                # FSCR[SCV]
    mtspr 153, 4
    li 5, 0x1234
before_scv:
    scv 1
after_scv:
    b .
