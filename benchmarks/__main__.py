"""Run every benchmarks/bench_*.py module in name order."""
import importlib
import pkgutil
import sys

import benchmarks


def main(argv=None) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                   if m.name.startswith("bench_"))
    wanted = (argv if argv is not None else sys.argv[1:])
    for name in names:
        if wanted and not any(w in name for w in wanted):
            continue
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
