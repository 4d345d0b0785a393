"""Processor models as data: what differs between POWER8, POWER9 and POWER10.

Nothing outside this module tests a CPU's name; code asks the model for a
property (`has_scv`, `lpcr_mask`, `ail_rule`, ...).  Sources: QEMU
target/ppc/cpu_init.c (`init_proc_POWER8/9/10`, `lpcr_mask`, `init_excp_*`),
../shared/reference/ppc-semantics.md sections (a), (b), (e), (k).
"""
from __future__ import annotations

from dataclasses import dataclass

from .bits import HID0_POWER8_HILE, HID0_POWER9_HILE, LPCR_HAIL
from .registers import implemented, register_for_field


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
    isa: str                       # "2.07", "3.0", "3.1"
    has_scv: bool                  # scv/rfscv exist (ISA 3.0+); otherwise illegal
    has_stop: bool                 # `stop` exists (ISA 3.0+); P8 has nap/sleep instead
    ail_reserved: frozenset        # LPCR[AIL] values treated as 0 by interrupt delivery
    ail_rule: str                  # "p8_p9" or "p10": which AIL table applies (emu.interrupts)
    hile_mask: int                 # HID0 bit that makes HV interrupts little-endian
    radix: bool                    # LPCR[HR]/radix MMU available
    interrupts: tuple              # interrupt kinds this CPU can raise

    def __hash__(self) -> int:       # models are singletons: hash by name (cheap, memo keys)
        return hash(self.name)

    # Register facts come from the register table (emu.registers)
    @property
    def pvr(self) -> int:
        return register_for_field("pvr").reset_for(self.name)

    @property
    def lpcr_mask(self) -> int:
        """LPCR bits a mtspr can change."""
        return register_for_field("lpcr").mask_for(self.name)

    @property
    def reset_lpcr(self) -> int:
        """LPES0|LPES1, as QEMU 7.2 powernv reads after reset."""
        return register_for_field("lpcr").reset_for(self.name)

    def has_spr(self, num: int) -> bool:
        return num in implemented(self.name)

    @property
    def has_hail(self) -> bool:
        return bool(self.lpcr_mask & LPCR_HAIL)

    def has_interrupt(self, kind: str) -> bool:
        return kind in self.interrupts


POWER8 = ProcessorModel(
    name="power8", isa="2.07", has_scv=False, has_stop=False, ail_reserved=frozenset({1}), ail_rule="p8_p9",
    hile_mask=HID0_POWER8_HILE, radix=False, interrupts=_VECTORS_P8)

POWER9 = ProcessorModel(
    name="power9", isa="3.0", has_scv=True, has_stop=True, ail_reserved=frozenset({1}), ail_rule="p8_p9",
    hile_mask=HID0_POWER9_HILE, radix=True, interrupts=_VECTORS_P9)

POWER10 = ProcessorModel(
    name="power10", isa="3.1", has_scv=True, has_stop=True, ail_reserved=frozenset({1, 2}), ail_rule="p10",
    hile_mask=HID0_POWER9_HILE, radix=True, interrupts=_VECTORS_P9)

MODELS = {m.name: m for m in (POWER8, POWER9, POWER10)}


def get_model(name: str) -> ProcessorModel:
    try:
        return MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown CPU model {name!r} (choose from {', '.join(MODELS)})") from None
