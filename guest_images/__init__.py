"""Hand-assembled hosts, guests and user programs (package data: `*.S`, `*.inc`),
and `pagetables`, which builds radix and hash page tables for tests.

`guest_images.path(*parts)` is the on-disk path of a file shipped here; the
assembler needs real paths because sources `.include` each other.
"""
from __future__ import annotations

import importlib.resources
import os


def path(*parts: str) -> str:
    """Filesystem path of `parts` inside the installed guest_images package."""
    root = importlib.resources.files(__name__)
    return os.path.join(os.fspath(root), *parts)


INCLUDE = path("include")
