"""Where the repository and its test fixtures are, for every test folder."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "fixtures" / "reference"
PLAYBOOKS = REPO / "playbooks"
MANIFESTS = REPO / "manifests"
README = REPO / "README.md"
VENV_BIN = Path(sys.executable).parent
