"""Differential conformance against QEMU 7.2: the suite runner (`suite`), the
documented QEMU deviations (`deviations`), the QMP client (`qmp`) and the
bare-metal programs themselves (`programs/`, package data)."""
