"""Debugging: the run-control session and debugger (`session`) and the GDB
remote-serial-protocol server (`gdbstub`)."""
