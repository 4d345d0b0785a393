"""Testing support: the `ppcvec` pytest fixture and its assertion helpers
(`fixture`), registered by the pytest11 entry point `pytest_plugin`."""
