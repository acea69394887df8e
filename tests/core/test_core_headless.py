"""The core model must load without Textual or Rich (it runs in `snapshot` and in tests)."""
from __future__ import annotations

import subprocess
import sys

CHECK = (
    "import tui.core.store, tui.core.index, tui.core.snapshot, tui.core.parsers; import sys; "
    "loaded = sorted(m for m in ('textual', 'rich') if m in sys.modules); "
    "assert not loaded, f'core imported {loaded}'"
)


def test_core_model_imports_neither_textual_nor_rich():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
