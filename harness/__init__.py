"""ppcvec harness: assembler front-end, boot and run control, scenarios, traces,
the `ppcvec` command line, debugger, GDB stub and pytest plugin.

The harness builds on `emu` (the system layer); `emu` never imports `harness`.
"""

__version__ = "0.1.0"   # the one copy: pyproject.toml reads it (tool.setuptools.dynamic)
