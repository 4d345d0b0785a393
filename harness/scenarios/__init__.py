"""The PR-KVM scv crash and fix scenarios: the machinery and PowerNV scenarios
(`core`), the pseries scenarios (`pseries`), `bisect` over fix hunks and the
`make demo` script (`demo`).  Images are package data in `guest_images`."""

# Importing the package registers every scenario: the PowerNV ones in `core`,
# the pseries ones in `pseries` (which builds on `core`).
from harness.scenarios import core, pseries  # noqa: F401,E402
