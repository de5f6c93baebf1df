"""Test support shared by tests/ and bench/: the real server in a subprocess, the reference device,
the sync fault state machine, sign-in by mail, clocks and people. Imported as `tests.support.*`
(the project installs the `tests` package, so bench/ scripts need no sys.path tricks).
"""
