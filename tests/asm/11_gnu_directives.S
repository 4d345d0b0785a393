# GNU as directives and POWER10 prefixed pcrel forms (compared with binutils by tests/test_asm.py)
 .abiversion 2
 .machine power10
f: nop
 .localentry f,.-f
 .short 1
 .p2alignw 3,0x1234
 .long 2
 .balignl 16,0xdeadbeef
 .irpc c,1234
 .byte \c
 .endr
 .irp r,3,4,5
 li \r,\r
 .endr
 .ifc a,a
 .long 7
 .endif
 .ifb
 .long 8
 .endif
 .ifnb x
 .long 9
 .endif
 .ifdef f
 .long 10
 .endif
 .p2align 2
 .section .rodata.x,"a"
 .long 11
 .section .data.y,"aw",@progbits
 .quad f
 .section .mybss,"aw",@nobits
 .space 16
 .text
 .dc.w 1,2
 .balign 8
 pla 3,f@pcrel
 paddi 4,0,f@pcrel,1
 plwz 5,f@pcrel
 pstd 6,f@pcrel
