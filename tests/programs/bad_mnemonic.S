    .org 0x10
    li 3, 1
    frobnicate 3, 4
