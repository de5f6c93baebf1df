"""Where things are: the project, its libraries and the `recap` command of this environment."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
DEMO_LIBRARY = ROOT / "content"
DEMO_ACCOUNTS = ROOT / "server" / "demo" / "accounts.csv"
RECAP = str(Path(sys.executable).parent / "recap")
