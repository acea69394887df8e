"""SIGHUP (the operator's SSH session dropped) and SIGTERM: end cleanly, not mid-change.

`on_hangup(runner, then)` installs handlers that interrupt every running action (a playbook's
processes are ended, ssh masters included), wait until their end records are written (at most
`grace` seconds), then call `then(signum)` (the app exits; a script returns). Exit within 5 s.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from ..ports import Runner

SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def on_hangup(runner: Runner, then: Callable[[int], None], grace: float = 4.0) -> None:
    """Install the handlers (main thread only, as `signal.signal` requires)."""
    def handler(signum: int, _frame: FrameType | None) -> None:
        reason = {signal.SIGHUP: "SIGHUP: the terminal went away",
                  signal.SIGTERM: "SIGTERM"}.get(signal.Signals(signum), signal.Signals(signum).name)
        runner.interrupt(reason)

        def finish() -> None:
            runner.wait_idle(grace)
            then(signum)

        # not in the handler: it runs on the main thread, which may be what the actions wait on
        threading.Thread(target=finish, name="hangup", daemon=True).start()

    for sig in SIGNALS:
        signal.signal(sig, handler)
