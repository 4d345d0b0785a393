"""ppcvec harness: assembler front-end, boot and run control, scenarios, traces,
the `ppcvec` command line, debugger, GDB stub and pytest plugin.

The harness builds on `emu` (the system layer); `emu` never imports `harness`.
"""
