# never ends by itself: a counting loop (the budget stops it)
    .org 0x10
loop:
    addi 3, 3, 1
    b loop
