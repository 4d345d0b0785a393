"""Processor models as data: what differs between POWER8, POWER9 and POWER10.

Nothing outside this module tests a CPU's name; code asks the model for a
property (`has_scv`, `lpcr_mask`, `ail_rule`, ...).  Sources: QEMU
target/ppc/cpu_init.c (`init_proc_POWER8/9/10`, `lpcr_mask`, `init_excp_*`),
../shared/reference/ppc-semantics.md sections (a), (b), (e), (k).
"""
from __future__ import annotations

from dataclasses import dataclass

from .bits import (HID0_POWER8_HILE, HID0_POWER9_HILE, LPCR_AIL, LPCR_GTSE, LPCR_HAIL,
                   LPCR_HDICE, LPCR_HR, LPCR_HVICE, LPCR_ILE, LPCR_LPES0, LPCR_UPRT, ibm_bit)


def _bits(*ns: int) -> int:
    m = 0
    for n in ns:
        m |= ibm_bit(n)
    return m


def _range(a: int, b: int) -> int:
    return _bits(*range(a, b + 1))


# LPCR fields by IBM bit (QEMU cpu.h): VPM0 0, VPM1 1, ISL 2, KBV 3, DPFD 9-11,
# VRMASD 12-16, HVEE 17 (P9), RMLS 34-37 (P8), HAIL 37 (v3.1), ILE 38, AIL 39-40,
# UPRT 41, EVIRT 42, HR 43, ONL 45, LD 46, PECE 47-51, MER 52, GTSE 53, TC 54,
# HEIC 59, LPES0 60, LPES1 61, HVICE 62, HDICE 63.
_LPCR_P8 = (_bits(0, 1, 2, 3) | _range(9, 11) | _range(12, 16) | _range(34, 37) | LPCR_ILE
            | LPCR_AIL | _bits(45) | _range(47, 51) | _bits(52, 54) | LPCR_LPES0 | LPCR_HDICE)
# (LPES1, IBM bit 61, is in the reset value 0xC but not writable: QEMU 7.2 powernv8
# reads LPCR=0x8 after `mtspr LPCR, 0xC`, as on POWER9/10.)
_LPCR_P9 = (_bits(1, 2, 3) | _range(9, 11) | _bits(17) | LPCR_ILE | LPCR_AIL | LPCR_UPRT
            | _bits(42) | LPCR_HR | _bits(45, 46) | _range(47, 51) | _bits(52) | LPCR_GTSE
            | _bits(54, 59) | LPCR_LPES0 | LPCR_HVICE | LPCR_HDICE)
_LPCR_P10 = _LPCR_P9 | LPCR_HAIL

# Interrupts every Book3S-64 server CPU here has (QEMU init_excp_POWER7/8).
_VECTORS_P8 = (
    "sreset", "mce", "dsi", "dseg", "isi", "iseg", "external", "alignment", "program",
    "fpu", "dec", "hdec", "doorbell", "sc", "trace", "hdsi", "hisi", "heai", "hmi",
    "hdoorbell", "perfmon", "vmx", "vsx", "fu", "hfu",
)
_VECTORS_P9 = _VECTORS_P8 + ("hvirt", "scv")


@dataclass(frozen=True)
class ProcessorModel:
    name: str
    pvr: int
    isa: str                       # "2.07", "3.0", "3.1"
    has_scv: bool                  # scv/rfscv exist (ISA 3.0+); otherwise illegal
    has_stop: bool                 # `stop` exists (ISA 3.0+); P8 has nap/sleep instead
    lpcr_mask: int                 # LPCR bits a mtspr can change
    ail_reserved: frozenset        # LPCR[AIL] values treated as 0 by interrupt delivery
    ail_rule: str                  # "p8_p9" or "p10": which AIL table applies (emu.interrupts)
    hile_mask: int                 # HID0 bit that makes HV interrupts little-endian
    radix: bool                    # LPCR[HR]/radix MMU available
    interrupts: tuple              # interrupt kinds this CPU can raise
    reset_lpcr: int = 0xC          # LPES0|LPES1, as QEMU 7.2 powernv reads after reset

    def __hash__(self) -> int:       # models are singletons: hash by name (cheap, memo keys)
        return hash(self.name)

    @property
    def has_hail(self) -> bool:
        return bool(self.lpcr_mask & LPCR_HAIL)

    def has_interrupt(self, kind: str) -> bool:
        return kind in self.interrupts


POWER8 = ProcessorModel(
    name="power8", pvr=0x004D0200, isa="2.07", has_scv=False, has_stop=False,
    lpcr_mask=_LPCR_P8, ail_reserved=frozenset({1}), ail_rule="p8_p9",
    hile_mask=HID0_POWER8_HILE, radix=False, interrupts=_VECTORS_P8)

POWER9 = ProcessorModel(
    name="power9", pvr=0x004E1200, isa="3.0", has_scv=True, has_stop=True,
    lpcr_mask=_LPCR_P9, ail_reserved=frozenset({1}), ail_rule="p8_p9",
    hile_mask=HID0_POWER9_HILE, radix=True, interrupts=_VECTORS_P9)

POWER10 = ProcessorModel(
    name="power10", pvr=0x00801200, isa="3.1", has_scv=True, has_stop=True,
    lpcr_mask=_LPCR_P10, ail_reserved=frozenset({1, 2}), ail_rule="p10",
    hile_mask=HID0_POWER9_HILE, radix=True, interrupts=_VECTORS_P9)

MODELS = {m.name: m for m in (POWER8, POWER9, POWER10)}


def get_model(name: str) -> ProcessorModel:
    try:
        return MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown CPU model {name!r} (choose from {', '.join(MODELS)})") from None
