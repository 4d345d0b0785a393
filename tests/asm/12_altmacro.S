# .altmacro: LOCAL, %expr, <string>, !-escapes, bare parameter names; .noaltmacro
 .altmacro
 .macro ld_n reg, n
 LOCAL skip
 li reg, n
 b skip
 nop
skip:
 addi reg, reg, \n
 .endm
 ld_n 3, %(2+3)
 ld_n 4, <7>
 .macro str s
 .ascii "s"
 .endm
 str <a!>b>
 .p2align 2
 .noaltmacro
 .macro m2 x
 li \x, 1
 .endm
 m2 5
