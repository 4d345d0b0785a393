# 11_defsym.S - --defsym symbols (DEFSYM: MODE=2 BASE=0x2000 FLAG=1)
	.text
_start:
.ifdef FLAG
	li	r3, MODE
.else
	li	r3, -1
.endif
.if MODE == 2
	lis	r4, BASE@ha
	addi	r4, r4, BASE@l
.elseif MODE == 3
	trap
.endif
.ifndef NOT_GIVEN
	b	BASE
.endif
	.org	BASE
	blr
