"""Benchmarks (`make bench`): every figure is a ratio or rate measured side by
side in one run.  Each `benchmarks/bench_*.py` module has a `main()`."""
