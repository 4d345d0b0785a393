"""ppcvec emu: the Book3S-64 system layer.

Ordinary instructions run in Unicorn (problem state, JIT); privileged state,
trap-and-emulate, interrupt delivery (AIL/HAIL, FSCR/HFSCR, sc/scv) and address
translation are implemented here in Python, as the Power ISA specifies.
"""
from .machine import Machine, RunResult, CpuSnapshot  # noqa: F401
from .models import MODELS, POWER8, POWER9, POWER10, ProcessorModel, get_model  # noqa: F401
from .events import InterruptEvent, SprWriteEvent, HaltEvent  # noqa: F401
