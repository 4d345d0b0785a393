"""The run API: run an image to an outcome (`api`), render what happened
(`report`) and watch the scv/AIL invariant while it runs (`invariants`).

    from harness.run import run_source
"""
from harness.run.api import (Result, RunOptions, parse_dump, prepare, run_image,  # noqa: F401
                             run_image_file, run_loaded, run_source)
