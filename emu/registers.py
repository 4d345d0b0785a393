"""The one description of every Special Purpose Register, as data.

Each `Spr` row says, for one SPR number: its ISA name and Linux name
(`SPRN_*`, arch/powerpc/include/asm/reg.h), the names GNU as accepts in
`mfNAME`/`mtNAME` (binutils 2.40 `-mpower10`; the first one is the name objdump
prints; tests/test_registers.py checks them against the binutils opcode table the
assembler and disassembler use, harness/toolchain/ppc_opcodes.py), the width read back (32 or 64 bits), the models that implement it,
which of problem / privileged / hypervisor state may read it (`mf`) and write
it (`mt`), the facility bit that gates it (FSCR and/or HFSCR, whose bit number is
also the IC value), the reset value and the writable mask (per model where
they differ), the `CpuState` field that holds it, and the named side-effect
hook that runs when it is read or written (emu.cpu).

Everything else derives from this table: mtspr/mfspr emulation
(emu.privileged), the `CpuState` fields and the JSON `spr` object (emu.state),
GNU as's predefined SPR symbols (harness.toolchain.asm.expr), the assembly
include guest_images/include/sprs.inc, the gdb target description and the
debugger.

Sources: Power ISA v2.07B / v3.0B / v3.1B Book III "SPR encodings" tables
(Figure "SPR encodings" in 4.4.4 mtspr/mfspr), Linux reg.h, QEMU 7.2
target/ppc/cpu_init.c (`register_*_sprs`, which registers each SPR per model).
Access letters: p = problem state (MSR[PR]=1), s = privileged non-hypervisor
(PR=0, HV=0), h = hypervisor (PR=0, HV=1).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .bits import (LPCR_AIL, LPCR_GTSE, LPCR_HAIL, LPCR_HDICE, LPCR_HR, LPCR_HVICE, LPCR_ILE,
                   LPCR_LPES0, LPCR_UPRT, ibm_bit)

P8, P9, P10 = "power8", "power9", "power10"
ALL = (P8, P9, P10)
V3 = (P9, P10)
M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF

# Facility bits (LSB-0 number in FSCR/HFSCR = the IC value; Linux FSCR_*_LG)
FAC_FP, FAC_VECVSX, FAC_DSCR, FAC_PM, FAC_BHRB, FAC_TM = 0, 1, 2, 3, 4, 5
FAC_EBB, FAC_TAR, FAC_MSGP, FAC_LM, FAC_SCV, FAC_PREFIX = 7, 8, 10, 11, 12, 13
IC_FIELD = 0xFF << 56


def _bits(*ns: int) -> int:
    m = 0
    for n in ns:
        m |= ibm_bit(n)
    return m


def _range(a: int, b: int) -> int:
    return _bits(*range(a, b + 1))


def _fac(*lg: int) -> int:
    m = 0
    for n in lg:
        m |= 1 << n
    return m


# LPCR fields by IBM bit (QEMU cpu.h): VPM0 0, VPM1 1, ISL 2, KBV 3, DPFD 9-11,
# VRMASD 12-16, HVEE 17 (P9), RMLS 34-37 (P8), HAIL 37 (v3.1), ILE 38, AIL 39-40,
# UPRT 41, EVIRT 42, HR 43, ONL 45, LD 46, PECE 47-51, MER 52, GTSE 53, TC 54,
# HEIC 59, LPES0 60, LPES1 61, HVICE 62, HDICE 63.  (LPES1, IBM bit 61, is in the
# reset value 0xC but not writable: QEMU 7.2 powernv8 reads LPCR=0x8 after
# `mtspr LPCR, 0xC`, as on POWER9/10; QEMU ppc_store_lpcr: val & lpcr_mask.)
_LPCR_P8 = (_bits(0, 1, 2, 3) | _range(9, 11) | _range(12, 16) | _range(34, 37) | LPCR_ILE
            | LPCR_AIL | _bits(45) | _range(47, 51) | _bits(52, 54) | LPCR_LPES0 | LPCR_HDICE)
_LPCR_P9 = (_bits(1, 2, 3) | _range(9, 11) | _bits(17) | LPCR_ILE | LPCR_AIL | LPCR_UPRT
            | _bits(42) | LPCR_HR | _bits(45, 46) | _range(47, 51) | _bits(52) | LPCR_GTSE
            | _bits(54, 59) | LPCR_LPES0 | LPCR_HVICE | LPCR_HDICE)
_LPCR_P10 = _LPCR_P9 | LPCR_HAIL

# FSCR implements only the facilities problem state can be denied by the OS
# (ISA v2.07B/v3.0B/v3.1B Book III "Facility Status and Control Register": TAR,
# EBB, TM, DSCR; v3.0 adds LM and SCV, v3.1 PREFIX); FP, VECVSX, PM, BHRB and MSGP
# are HFSCR-only (Book III "Hypervisor Facility Status and Control Register").
_FSCR_207 = IC_FIELD | _fac(FAC_DSCR, FAC_TM, FAC_EBB, FAC_TAR)
_FSCR_300 = _FSCR_207 | _fac(FAC_LM, FAC_SCV)
_FSCR_310 = _FSCR_300 | _fac(FAC_PREFIX)
_HFSCR_207 = IC_FIELD | _fac(FAC_FP, FAC_VECVSX, FAC_DSCR, FAC_PM, FAC_BHRB, FAC_TM,
                             FAC_EBB, FAC_TAR, FAC_MSGP)
_HFSCR_300 = _HFSCR_207 | _fac(FAC_LM)
_HFSCR_310 = _HFSCR_300 | _fac(FAC_PREFIX)

# PSSCR (ISA v3.0B Book III 4.3.2): PLS 0:3, SD 41, ESL 42, EC 43, PSLL 44:47,
# TR 54:55, MTL 56:59, RL 60:63.  PLS is status (read-only).  SPR 823 is the
# privileged-state view: it shows and writes only RL and shows PLS.
PSSCR_PLS = _range(0, 3)
_PSSCR_HV = _bits(41, 42, 43) | _range(44, 47) | _range(54, 55) | _range(56, 59) | _range(60, 63)
PSSCR_OS_VIEW = PSSCR_PLS | _range(60, 63)
PSSCR_OS_WRITE = _range(60, 63)


@dataclass(frozen=True)
class Spr:
    num: int
    name: str                   # ISA name
    linux: str | None           # SPRN_* in Linux reg.h (None: Linux has no name for it)
    mf: str                     # states that may mfspr it: subset of "psh"
    mt: str                     # states that may mtspr it
    models: tuple               # models that implement it (empty: assembler name only)
    width: int = 64             # bits read back (a 32-bit SPR reads 0 in 0:31)
    field: str | None = None    # CpuState field that holds it (None: no storage)
    fscr: int | None = None     # FSCR bit gating problem-state access (= IC)
    hfscr: int | None = None    # HFSCR bit gating HV=0 access (= IC)
    msr_tm: bool = False        # also needs MSR[TM]=1 (else Facility Unavailable, IC=TM)
    mask: object = None         # writable bits: int, or {model: int}; None = all of width
    reset: object = 0           # int, or {model: int}
    hook: str | None = None     # side effect on read/write, named for emu.cpu
    mf_asm: tuple = ()          # GNU as `mfNAME` names; [0] is objdump's
    mt_asm: tuple = ()          # GNU as `mtNAME` names; [0] is objdump's
    view: str = ""              # the register this number is a view of, when it is one

    def mask_for(self, model: str) -> int:
        m = self.mask
        if isinstance(m, dict):
            m = m[model]
        if m is None:
            m = M32 if self.width == 32 else M64
        return m

    def reset_for(self, model: str) -> int:
        r = self.reset
        return r[model] if isinstance(r, dict) else r


def _r(num, name, linux, mf, mt, models, **kw):
    return Spr(num, name, linux, mf, mt, tuple(models), **kw)


# A row per SPR number.  Several numbers may be views of one register (same
# `field`): the user aliases (3/17 DSCR, 13/29 AMR, 259/275 SPRG3, 268/284 TBL,
# 768-782/784-798 PMU, 823/855 PSSCR).
SPRS = (
    _r(1, "XER", "SPRN_XER", "psh", "psh", ALL, hook="core", mf_asm=("xer",), mt_asm=("xer",)),
    _r(3, "DSCR", "SPRN_DSCR_USR", "psh", "psh", ALL, field="dscr", fscr=FAC_DSCR,
       hfscr=FAC_DSCR, mf_asm=("udscr",), mt_asm=("udscr",), view="DSCR"),
    _r(4, "RTCU", None, "", "", (), mf_asm=("rtcu",)),
    _r(5, "RTCL", None, "", "", (), mf_asm=("rtcl",)),
    _r(8, "LR", "SPRN_LR", "psh", "psh", ALL, hook="core", mf_asm=("lr",), mt_asm=("lr",)),
    _r(9, "CTR", "SPRN_CTR", "psh", "psh", ALL, hook="core", mf_asm=("ctr",), mt_asm=("ctr",)),
    _r(13, "AMR", "SPRN_UAMR", "psh", "psh", ALL, field="amr", hook="uamr",
       mf_asm=("uamr",), mt_asm=("uamr",), view="AMR"),
    _r(17, "DSCR", "SPRN_DSCR", "sh", "sh", ALL, field="dscr", hfscr=FAC_DSCR,
       mf_asm=("dscr",), mt_asm=("dscr",)),
    _r(18, "DSISR", "SPRN_DSISR", "sh", "sh", ALL, width=32, field="dsisr",
       mf_asm=("dsisr",), mt_asm=("dsisr",)),
    _r(19, "DAR", "SPRN_DAR", "sh", "sh", ALL, field="dar", mf_asm=("dar",), mt_asm=("dar",)),
    _r(20, "RTCU", None, "", "", (), mt_asm=("rtcu",)),
    _r(21, "RTCL", None, "", "", (), mt_asm=("rtcl",)),
    _r(22, "DEC", "SPRN_DEC", "sh", "sh", ALL, width=32, hook="dec",
       mf_asm=("dec",), mt_asm=("dec",)),
    _r(25, "SDR1", "SPRN_SDR1", "h", "h", (P8,), field="sdr1", hook="translation",
       mf_asm=("sdr1",), mt_asm=("sdr1",)),
    _r(26, "SRR0", "SPRN_SRR0", "sh", "sh", ALL, field="srr0", mf_asm=("srr0",), mt_asm=("srr0",)),
    _r(27, "SRR1", "SPRN_SRR1", "sh", "sh", ALL, field="srr1", mf_asm=("srr1",), mt_asm=("srr1",)),
    _r(28, "CFAR", "SPRN_CFAR", "sh", "sh", ALL, field="cfar", mf_asm=("cfar",), mt_asm=("cfar",)),
    _r(29, "AMR", "SPRN_AMR", "sh", "sh", ALL, field="amr", mf_asm=("amr",), mt_asm=("amr",)),
    _r(48, "PIDR", "SPRN_PID", "sh", "sh", ALL, width=32, field="pidr", hook="translation",
       mf_asm=("pidr",), mt_asm=("pidr",)),
    _r(61, "IAMR", "SPRN_IAMR", "sh", "sh", ALL, field="iamr", mf_asm=("iamr",), mt_asm=("iamr",)),
    _r(128, "TFHAR", "SPRN_TFHAR", "psh", "psh", (P8, P9), field="tfhar", fscr=FAC_TM,
       hfscr=FAC_TM, msr_tm=True, mt_asm=("tfhar",)),
    _r(129, "TFIAR", "SPRN_TFIAR", "psh", "psh", (P8, P9), field="tfiar", fscr=FAC_TM,
       hfscr=FAC_TM, msr_tm=True, mt_asm=("tfiar",)),
    _r(130, "TEXASR", "SPRN_TEXASR", "psh", "psh", (P8, P9), field="texasr", fscr=FAC_TM,
       hfscr=FAC_TM, msr_tm=True, mt_asm=("texasr",)),
    _r(131, "TEXASRU", "SPRN_TEXASRU", "psh", "psh", (P8, P9), width=32, field="texasr",
       fscr=FAC_TM, hfscr=FAC_TM, msr_tm=True, hook="upper32", mt_asm=("texasru",),
       view="TEXASR"),
    # TIDR (ISA v3.0 only: the thread id for as_notify/wait; not in v3.1)
    _r(144, "TIDR", "SPRN_TIDR", "sh", "sh", (P9,), field="tidr", mf_asm=("tidr",),
       mt_asm=("tidr",)),
    _r(136, "CTRL", "SPRN_CTRLF", "psh", "", ALL, width=32, field="ctrl", mf_asm=("ctrl",),
       view="CTRL"),
    _r(152, "CTRL", "SPRN_CTRLT", "", "sh", ALL, width=32, field="ctrl", mask=1, reset=1,
       mt_asm=("ctrl",)),
    _r(153, "FSCR", "SPRN_FSCR", "sh", "sh", ALL, field="fscr",
       mask={P8: _FSCR_207, P9: _FSCR_300, P10: _FSCR_310}, mf_asm=("fscr",), mt_asm=("fscr",)),
    _r(157, "UAMOR", "SPRN_UAMOR", "sh", "sh", ALL, field="uamor",
       mf_asm=("uamor",), mt_asm=("uamor",)),
    _r(159, "PSPB", "SPRN_PSPB", "sh", "sh", ALL, width=32, field="pspb",
       mf_asm=("pspb",), mt_asm=("pspb",)),
    _r(176, "DPDES", "SPRN_DPDES", "sh", "h", ALL, hook="dpdes", hfscr=FAC_MSGP,
       mf_asm=("dpdes",), mt_asm=("dpdes",)),
    _r(180, "DAWR0", "SPRN_DAWR0", "h", "h", ALL, field="dawr0", mf_asm=("dawr0",),
       mt_asm=("dawr0",)),
    _r(181, "DAWR1", "SPRN_DAWR1", "h", "h", (P10,), field="dawr1", mf_asm=("dawr1",),
       mt_asm=("dawr1",)),
    _r(186, "RPR", "SPRN_RPR", "h", "h", ALL, field="rpr", reset=0x00000103070F1F3F,
       mf_asm=("rpr",), mt_asm=("rpr",)),            # Linux RPR default, QEMU 7.2 reset
    _r(187, "CIABR", "SPRN_CIABR", "h", "h", ALL, field="ciabr", mf_asm=("ciabr",),
       mt_asm=("ciabr",)),
    _r(188, "DAWRX0", "SPRN_DAWRX0", "h", "h", ALL, width=32, field="dawrx0",
       mf_asm=("dawrx0",), mt_asm=("dawrx0",)),
    _r(189, "DAWRX1", "SPRN_DAWRX1", "h", "h", (P10,), width=32, field="dawrx1",
       mf_asm=("dawrx1",), mt_asm=("dawrx1",)),
    _r(190, "HFSCR", "SPRN_HFSCR", "h", "h", ALL, field="hfscr",
       mask={P8: _HFSCR_207, P9: _HFSCR_300, P10: _HFSCR_310}, mf_asm=("hfscr",),
       mt_asm=("hfscr",)),
    _r(256, "VRSAVE", "SPRN_VRSAVE", "psh", "psh", ALL, width=32, field="vrsave",
       mf_asm=("vrsave",), mt_asm=("vrsave",)),
    _r(259, "SPRG3", "SPRN_USPRG3", "psh", "", ALL, field="sprg3", mf_asm=("usprg3",),
       view="SPRG3"),
    _r(268, "TBL", "SPRN_TBRL", "psh", "", ALL, hook="tb", mf_asm=("tb", "tbl"), view="TB"),
    _r(269, "TBU", "SPRN_TBRU", "psh", "", ALL, width=32, hook="tbu", mf_asm=("tbu",),
       view="TB"),
    _r(272, "SPRG0", "SPRN_SPRG0", "sh", "sh", ALL, field="sprg0", mf_asm=("sprg0",),
       mt_asm=("sprg0",)),
    _r(273, "SPRG1", "SPRN_SPRG1", "sh", "sh", ALL, field="sprg1", mf_asm=("sprg1",),
       mt_asm=("sprg1",)),
    _r(274, "SPRG2", "SPRN_SPRG2", "sh", "sh", ALL, field="sprg2", mf_asm=("sprg2",),
       mt_asm=("sprg2",)),
    _r(275, "SPRG3", "SPRN_SPRG3", "sh", "sh", ALL, field="sprg3", mf_asm=("sprg3",),
       mt_asm=("sprg3",)),
    _r(280, "ASR", None, "", "", (), mf_asm=("asr",), mt_asm=("asr",)),
    _r(282, "EAR", None, "", "", (), mf_asm=("ear",), mt_asm=("ear",)),
    _r(284, "TBL", "SPRN_TBWL", "", "h", ALL, hook="tb_write", mt_asm=("tbl",), view="TB"),
    _r(285, "TBU", "SPRN_TBWU", "", "h", ALL, width=32, hook="tb_write", mt_asm=("tbu",),
       view="TB"),
    _r(286, "TBU40", "SPRN_TBU40", "", "h", ALL, hook="tb_write", mt_asm=("tbu40",), view="TB"),
    _r(287, "PVR", "SPRN_PVR", "sh", "", ALL, width=32, field="pvr",
       reset={P8: 0x004D0200, P9: 0x004E1200, P10: 0x00800200}, mf_asm=("pvr",)),   # QEMU 7.2 powernv CPUs (P10: DD2.0)
    _r(304, "HSPRG0", "SPRN_HSPRG0", "h", "h", ALL, field="hsprg0", mf_asm=("hsprg0",),
       mt_asm=("hsprg0",)),
    _r(305, "HSPRG1", "SPRN_HSPRG1", "h", "h", ALL, field="hsprg1", mf_asm=("hsprg1",),
       mt_asm=("hsprg1",)),
    _r(306, "HDSISR", "SPRN_HDSISR", "h", "h", ALL, width=32, field="hdsisr",
       mf_asm=("hdisr",), mt_asm=("hdisr",)),
    _r(307, "HDAR", "SPRN_HDAR", "h", "h", ALL, field="hdar", mf_asm=("hdar",), mt_asm=("hdar",)),
    _r(308, "SPURR", "SPRN_SPURR", "sh", "h", ALL, field="spurr", hook="purr",
       mf_asm=("spurr",), mt_asm=("spurr",)),
    _r(309, "PURR", "SPRN_PURR", "sh", "h", ALL, field="purr", hook="purr",
       mf_asm=("purr",), mt_asm=("purr",)),
    _r(310, "HDEC", "SPRN_HDEC", "h", "h", ALL, width=32, hook="hdec",
       mf_asm=("hdec",), mt_asm=("hdec",)),
    # RMOR (ISA v2.07, removed in v3.0): the HV=0 real-mode offset; held, not applied
    # by the MMU (docs/mmu.md: RMO real mode for MSR[HV]=0 is not modelled)
    _r(312, "RMOR", "SPRN_RMOR", "h", "h", (P8,), field="rmor"),   # (no GNU as name)
    _r(313, "HRMOR", "SPRN_HRMOR", "h", "h", ALL, field="hrmor", hook="translation",
       mf_asm=("hrmor",), mt_asm=("hrmor",)),
    _r(314, "HSRR0", "SPRN_HSRR0", "h", "h", ALL, field="hsrr0", mf_asm=("hsrr0",),
       mt_asm=("hsrr0",)),
    _r(315, "HSRR1", "SPRN_HSRR1", "h", "h", ALL, field="hsrr1", mf_asm=("hsrr1",),
       mt_asm=("hsrr1",)),
    _r(318, "LPCR", "SPRN_LPCR", "h", "h", ALL, field="lpcr", hook="lpcr",
       mask={P8: _LPCR_P8, P9: _LPCR_P9, P10: _LPCR_P10}, reset=0xC,
       mf_asm=("lpcr",), mt_asm=("lpcr",)),
    _r(319, "LPIDR", "SPRN_LPID", "h", "h", ALL, width=32, field="lpidr", hook="translation",
       mf_asm=("lpidr",), mt_asm=("lpidr",)),
    _r(336, "HMER", "SPRN_HMER", "h", "h", ALL, field="hmer", hook="hmer",
       mf_asm=("hmer",), mt_asm=("hmer",)),
    _r(337, "HMEER", "SPRN_HMEER", "h", "h", ALL, field="hmeer", mf_asm=("hmeer",),
       mt_asm=("hmeer",)),
    _r(338, "PCR", "SPRN_PCR", "h", "h", ALL, field="pcr", mf_asm=("pcr",), mt_asm=("pcr",)),
    _r(339, "HEIR", "SPRN_HEIR", "h", "h", V3, width=32, field="heir",
       mf_asm=("heir",), mt_asm=("heir",)),
    _r(349, "AMOR", "SPRN_AMOR", "h", "h", ALL, field="amor", mf_asm=("amor",), mt_asm=("amor",)),
    _r(446, "TIR", "SPRN_TIR", "sh", "", ALL, width=32, field="tir", mf_asm=("tir",)),
    _r(464, "PTCR", "SPRN_PTCR", "h", "h", V3, field="ptcr", hook="translation",
       mf_asm=("ptcr",), mt_asm=("ptcr",)),
    # Ultravisor registers: only with SMF enabled, which no PowerNV model here has
    _r(496, "USPRG0", None, "", "", (), mf_asm=("usprg0",), mt_asm=("usprg0",)),
    _r(497, "USPRG1", None, "", "", (), mf_asm=("usprg1",), mt_asm=("usprg1",)),
    _r(505, "URMOR", "SPRN_URMOR", "", "", (), mf_asm=("urmor",), mt_asm=("urmor",)),
    _r(506, "USRR0", None, "", "", (), mf_asm=("usrr0",), mt_asm=("usrr0",)),
    _r(507, "USRR1", None, "", "", (), mf_asm=("usrr1",), mt_asm=("usrr1",)),
    _r(511, "SMFCTRL", None, "", "", (), mf_asm=("smfctrl",), mt_asm=("smfctrl",)),
    # Performance monitor.  User numbers 736-782 are views of the privileged 752-798
    # (problem-state access by MMCR0[PMCC] is not modelled: allowed); HFSCR[PM]
    # gates them in HV=0 state.
    _r(736, "SIER2", None, "psh", "", (P10,), field="sier2", hfscr=FAC_PM,
       mf_asm=("usier2", "sier2"), view="SIER2"),
    _r(737, "SIER3", None, "psh", "", (P10,), field="sier3", hfscr=FAC_PM,
       mf_asm=("usier3", "sier3"), view="SIER3"),
    _r(738, "MMCR3", None, "psh", "", (P10,), field="mmcr3", hfscr=FAC_PM,
       mf_asm=("ummcr3", "mmcr3"), view="MMCR3"),
    _r(752, "SIER2", "SPRN_SIER2", "sh", "sh", (P10,), field="sier2", hfscr=FAC_PM,
       mt_asm=("sier2",)),
    _r(753, "SIER3", "SPRN_SIER3", "sh", "sh", (P10,), field="sier3", hfscr=FAC_PM,
       mt_asm=("sier3",)),
    _r(754, "MMCR3", "SPRN_MMCR3", "sh", "sh", (P10,), field="mmcr3", hfscr=FAC_PM,
       mt_asm=("mmcr3",)),
    _r(768, "SIER", "SPRN_USIER", "psh", "", ALL, field="sier", hfscr=FAC_PM,
       mf_asm=("usier", "sier"), view="SIER"),
    _r(769, "MMCR2", "SPRN_UMMCR2", "psh", "psh", ALL, field="mmcr2", hfscr=FAC_PM,
       mf_asm=("ummcr2", "mmcr2"), mt_asm=("ummcr2", "mmcr2"), view="MMCR2"),
    _r(770, "MMCRA", "SPRN_UMMCRA", "psh", "psh", ALL, field="mmcra", hfscr=FAC_PM,
       mf_asm=("ummcra", "mmcra"), mt_asm=("ummcra",), view="MMCRA"),
    *(_r(770 + k, f"PMC{k}", f"SPRN_UPMC{k}", "psh", "psh", ALL, width=32, field=f"pmc{k}",
         hfscr=FAC_PM, mf_asm=(f"upmc{k}", f"pmc{k}"), mt_asm=(f"upmc{k}",), view=f"PMC{k}")
      for k in range(1, 7)),
    _r(779, "MMCR0", "SPRN_UMMCR0", "psh", "psh", ALL, width=32, field="mmcr0", hfscr=FAC_PM,
       mf_asm=("ummcr0", "mmcr0"), mt_asm=("ummcr0",), view="MMCR0"),
    _r(780, "SIAR", "SPRN_USIAR", "psh", "", ALL, field="siar", hfscr=FAC_PM,
       mf_asm=("usiar", "siar"), view="SIAR"),
    _r(781, "SDAR", "SPRN_USDAR", "psh", "", ALL, field="sdar", hfscr=FAC_PM,
       mf_asm=("usdar", "sdar"), view="SDAR"),
    _r(782, "MMCR1", "SPRN_UMMCR1", "psh", "", ALL, field="mmcr1", hfscr=FAC_PM,
       mf_asm=("ummcr1", "mmcr1"), view="MMCR1"),
    _r(784, "SIER", "SPRN_SIER", "sh", "sh", ALL, field="sier", hfscr=FAC_PM, mt_asm=("sier",)),
    _r(785, "MMCR2", "SPRN_MMCR2", "sh", "sh", ALL, field="mmcr2", hfscr=FAC_PM),
    _r(786, "MMCRA", "SPRN_MMCRA", "sh", "sh", ALL, field="mmcra", hfscr=FAC_PM,
       mt_asm=("mmcra",)),
    *(_r(786 + k, f"PMC{k}", f"SPRN_PMC{k}", "sh", "sh", ALL, width=32, field=f"pmc{k}",
         hfscr=FAC_PM, mt_asm=(f"pmc{k}",)) for k in range(1, 7)),
    _r(795, "MMCR0", "SPRN_MMCR0", "sh", "sh", ALL, width=32, field="mmcr0", hfscr=FAC_PM,
       reset=0x80000000, mt_asm=("mmcr0",)),       # FC: counters frozen (QEMU 7.2 reset)
    _r(796, "SIAR", "SPRN_SIAR", "sh", "sh", ALL, field="siar", hfscr=FAC_PM, mt_asm=("siar",)),
    _r(797, "SDAR", "SPRN_SDAR", "sh", "sh", ALL, field="sdar", hfscr=FAC_PM, mt_asm=("sdar",)),
    _r(798, "MMCR1", "SPRN_MMCR1", "sh", "sh", ALL, field="mmcr1", hfscr=FAC_PM,
       mt_asm=("mmcr1",)),
    # Event-based branching (ISA v2.07 Book II 7): problem-state registers gated by
    # FSCR[EBB] (IC=7) and HFSCR[EBB]; BESCRS/BESCRR set/reset bits of BESCR, the
    # *U forms act on its upper 32 bits.
    _r(800, "BESCRS", "SPRN_BESCRS", "psh", "psh", ALL, field="bescr", fscr=FAC_EBB,
       hfscr=FAC_EBB, hook="bescr_set", mf_asm=("bescrs",), mt_asm=("bescrs",), view="BESCR"),
    _r(801, "BESCRSU", "SPRN_BESCRSU", "psh", "psh", ALL, width=32, field="bescr",
       fscr=FAC_EBB, hfscr=FAC_EBB, hook="bescr_set_upper", mf_asm=("bescrsu",),
       mt_asm=("bescrsu",), view="BESCR"),
    _r(802, "BESCRR", "SPRN_BESCRR", "psh", "psh", ALL, field="bescr", fscr=FAC_EBB,
       hfscr=FAC_EBB, hook="bescr_reset", mf_asm=("bescrr",), mt_asm=("bescrr",), view="BESCR"),
    _r(803, "BESCRRU", "SPRN_BESCRRU", "psh", "psh", ALL, width=32, field="bescr",
       fscr=FAC_EBB, hfscr=FAC_EBB, hook="bescr_reset_upper", mf_asm=("bescrru",),
       mt_asm=("bescrru",), view="BESCR"),
    _r(804, "EBBHR", "SPRN_EBBHR", "psh", "psh", ALL, field="ebbhr", fscr=FAC_EBB,
       hfscr=FAC_EBB, mf_asm=("ebbhr",), mt_asm=("ebbhr",)),
    _r(805, "EBBRR", "SPRN_EBBRR", "psh", "psh", ALL, field="ebbrr", fscr=FAC_EBB,
       hfscr=FAC_EBB, mf_asm=("ebbrr",), mt_asm=("ebbrr",)),
    _r(806, "BESCR", "SPRN_BESCR", "psh", "psh", ALL, field="bescr", fscr=FAC_EBB,
       hfscr=FAC_EBB, mf_asm=("bescr",), mt_asm=("bescr",)),
    # ISA v2.07+: mtspr/mfspr 808-811 are no-ops in every state
    *(_r(n, f"RSVD{n}", None, "psh", "psh", ALL, hook="nop") for n in range(808, 812)),
    _r(815, "TAR", "SPRN_TAR", "psh", "psh", ALL, field="tar", fscr=FAC_TAR, hfscr=FAC_TAR,
       mf_asm=("tar",), mt_asm=("tar",)),
    _r(816, "ASDR", "SPRN_ASDR", "h", "h", V3, field="asdr", mf_asm=("asdr",), mt_asm=("asdr",)),
    _r(823, "PSSCR", "SPRN_PSSCR_PR", "sh", "sh", V3, field="psscr", hook="psscr_os",
       mf_asm=("psscr",), mt_asm=("psscr",), view="PSSCR"),
    # Instruction Counter and Virtual Time Base (ISA v2.07 Book III 9.x, 7.x): not
    # modelled beyond the register (IC does not count, VTB does not tick)
    _r(848, "IC", "SPRN_IC", "sh", "h", ALL, field="ic", mf_asm=("ic",), mt_asm=("ic",)),
    _r(849, "VTB", "SPRN_VTB", "sh", "h", ALL, field="vtb", mf_asm=("vtb",), mt_asm=("vtb",)),
    _r(855, "PSSCR", "SPRN_PSSCR", "h", "h", V3, field="psscr", mask=_PSSCR_HV,
       mf_asm=("hpsscr",), mt_asm=("hpsscr",)),
    # POWER9/POWER10 User's Manual implementation SPRs a partition may use: TRIG1/2
    # (debug triggers, write-only: no effect here), WORT (workload optimisation,
    # held), TRACE (1006, write-only in every state: no effect here)
    _r(881, "TRIG1", None, "", "sh", V3, hook="nop"),
    _r(882, "TRIG2", None, "", "sh", V3, hook="nop"),
    _r(895, "WORT", "SPRN_WORT", "sh", "sh", V3, field="wort"),
    _r(896, "PPR", "SPRN_PPR", "psh", "psh", ALL, field="ppr", mask=_range(11, 13),
       mf_asm=("ppr",), mt_asm=("ppr",)),
    _r(898, "PPR32", "SPRN_PPR32", "psh", "psh", ALL, width=32, field="ppr", hook="upper32",
       mask=_range(11, 13) >> 32, mf_asm=("ppr32",), mt_asm=("ppr32",), view="PPR"),
    _r(1006, "TRACE", None, "", "psh", V3, hook="nop"),
    _r(1008, "HID0", "SPRN_HID0", "h", "h", ALL, field="hid0"),
    _r(1023, "PIR", "SPRN_PIR", "sh", "", ALL, width=32, field="pir", mf_asm=("pir",)),
)

BY_NUMBER = {r.num: r for r in SPRS}
assert len(BY_NUMBER) == len(SPRS), "an SPR number appears twice in SPRS"


@lru_cache(maxsize=None)
def implemented(model: str) -> dict:
    """SPR number -> row, for the SPRs `model` implements."""
    return {r.num: r for r in SPRS if model in r.models}


def spr_fields() -> tuple:
    """CpuState fields that hold SPRs, in table order (each once)."""
    out = []
    for r in SPRS:
        if r.field and r.field not in out:
            out.append(r.field)
    return tuple(out)


def register_for_field(field: str, model: str | None = None) -> Spr:
    """The canonical row of a storage field: the full (non-view) register, the
    one the model implements if `model` is given."""
    rows = [r for r in SPRS if r.field == field and not r.view and (model is None or model in r.models)]
    if not rows:
        rows = [r for r in SPRS if r.field == field]
    return rows[0]


@lru_cache(maxsize=None)
def model_fields(model: str) -> tuple:
    """The storage fields of the SPRs `model` implements (the JSON `spr` object)."""
    out = []
    for r in SPRS:
        if r.field and model in r.models and r.field not in out:
            out.append(r.field)
    return tuple(out)


@lru_cache(maxsize=None)
def field_resets(model: str) -> dict:
    """Storage field -> reset value on `model` (fields of SPRs it implements)."""
    return {f: register_for_field(f, model).reset_for(model) for f in model_fields(model)}


@lru_cache(maxsize=None)
def field_masks(model: str) -> dict:
    """Storage field -> writable mask on `model` (the full register's row)."""
    return {f: register_for_field(f, model).mask_for(model) for f in model_fields(model)}


def asm_names(direction: str) -> dict:
    """GNU as names for `mfNAME` (direction "mf") or `mtNAME` ("mt") -> SPR number."""
    out = {}
    for r in SPRS:
        for n in (r.mf_asm if direction == "mf" else r.mt_asm):
            out[n] = r.num
    return out


def gas_symbols() -> str:
    """guest_images/include/sprs.inc: `.set SPR_<ISA name>, <number>` for the
    assembly sources, one line per register (its full, non-view row; a name
    that two rows share takes the privileged one).  Generated from this table
    (`python -m emu.registers > guest_images/include/sprs.inc`); a test keeps
    the file current."""
    seen = {}
    for r in SPRS:
        if r.models and not r.view and r.name not in seen and not r.name.startswith("RSVD"):
            seen[r.name] = r.num
    lines = ["/* sprs.inc - SPR numbers for the assembly sources.  GENERATED from",
             " * emu/registers.py (python -m emu.registers): do not edit. */",
             ".ifndef SPRS_INC_INCLUDED", ".set SPRS_INC_INCLUDED, 1"]
    lines += [f".set SPR_{name}, {num}" for name, num in seen.items()]
    lines.append(".endif")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(gas_symbols(), end="")
