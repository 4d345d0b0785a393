"""`python -m harness.cli` is the `ppcvec` command."""
import sys

from harness.cli import main

sys.exit(main())
