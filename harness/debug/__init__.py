"""Debugging: the run-control engine (`session`), what it shows (`render`), the
stepper's command interpreter (`commands`, reused by gdb `monitor`), its
front-end loop (`repl`) and the GDB remote-serial-protocol server (`gdbstub`)."""
