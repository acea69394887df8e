"""Benchmark: 2,000 log lines/s for 60 s into an open log screen.

    .venv/bin/python bench/logs.py [--rate 2000] [--seconds 60] [--size 120x40]

The emulator runs as `clusterdeck emulate` in its own process (as a cluster would be: its
CPU is not ours) serving one pod whose container writes `--rate` lines a second. The app
runs headless (Textual's test driver) on that cluster through a kubeconfig, opens the pod's
log screen and, while the lines pour in, presses `k`/`j` (scroll a line up, then down) every
0.25 s: keypress-to-repaint is the time from posting the key to the next frame the app
writes. RSS of the app process is sampled every 5 s. Goals (issue 10): p95 under 50 ms, RSS
flat once the 20,000-line buffer is full. Also times `t` (timestamps on/off: every kept line
re-measured) and `/` search over the full buffer.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dump(path: Path, rate: float) -> None:
    from tui.emulator.log_profiles import RATE_ANNOTATION, TEXT_ANNOTATION

    started = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "flood-0", "namespace": "bench", "creationTimestamp": started,
                        "annotations": {RATE_ANNOTATION: str(rate), TEXT_ANNOTATION + "app": "starting"}},
           "spec": {"nodeName": "bench-1", "containers": [{"name": "app", "image": "bench/flood:1"}]},
           "status": {"phase": "Running", "podIP": "10.42.0.9", "startTime": started,
                      "containerStatuses": [{"name": "app", "image": "bench/flood:1", "ready": True,
                                             "restartCount": 0, "state": {"running": {"startedAt": started}}}]}}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [ns, pod]}))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def drive(kubeconfig: Path, seconds: float, size: tuple[int, int]) -> dict[str, Any]:
    from screens.log_view import LogView
    from screens.logs import LogScreen
    from tui.app import ClusterDeckApp
    from tui.config import Config
    from tui.connection import connect_kubeconfig
    from tui.core.rows import PodRow

    state = Path(tempfile.mkdtemp(prefix="clusterdeck-bench-state-"))
    app = ClusterDeckApp(connect_kubeconfig(str(kubeconfig)), Config(state_dir=state))
    frames: list[float] = []
    original = app._display

    def display(*args: Any, **kwargs: Any) -> Any:
        frames.append(time.perf_counter())
        return original(*args, **kwargs)

    app._display = display  # type: ignore[method-assign]
    out: dict[str, Any] = {"latency_ms": [], "rss": [], "lines": 0, "dropped": 0}

    async def repaint_after(pilot: Any, key: str) -> float:
        seen = len(frames)
        start = time.perf_counter()
        await pilot.press(key)
        while len(frames) <= seen or frames[-1] < start:
            await asyncio.sleep(0.001)
        first = next(t for t in frames[seen:] if t >= start)
        return (first - start) * 1000

    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 20
        while not any(isinstance(r, PodRow) for r in app.store.rows("pods")):
            if time.monotonic() > deadline:
                raise SystemExit("the bench pod never appeared in the store")
            await asyncio.sleep(0.05)
        pod = next(r for r in app.store.rows("pods") if isinstance(r, PodRow))
        app.open_logs("pods", pod)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LogScreen)
        view = screen.query_one(LogView)
        start = time.monotonic()
        next_sample = start
        keys = ("k", "j")
        i = 0
        while time.monotonic() - start < seconds:
            now = time.monotonic()
            if now >= next_sample:
                out["rss"].append((round(now - start), rss_mib(), screen.session.buffer.total))
                next_sample += 5
            before = view.scroll_offset
            took = await repaint_after(pilot, keys[i % 2])
            # a key that moved nothing (`k` at the top, once the lines on screen aged out of the
            # buffer) has no repaint of its own: what it would time is the wait for an unrelated
            # frame. Counted apart, never mixed into the latency.
            if view.scroll_offset != before:
                out["latency_ms"].append(took)
            else:
                out["idle_keys"] = out.get("idle_keys", 0) + 1
            i += 1
            await asyncio.sleep(0.25)
        out["rss"].append((round(time.monotonic() - start), rss_mib(), screen.session.buffer.total))
        out["lines"], out["dropped"] = screen.session.buffer.total, screen.session.buffer.dropped
        out["kept"] = len(view.lines)
        out["toggle_ms"] = [await repaint_after(pilot, "t") for _ in range(4)]
        t0 = time.perf_counter()
        await pilot.press("slash", *"line 9", "enter")
        out["search_ms"] = (time.perf_counter() - t0) * 1000
        out["elapsed"] = time.monotonic() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="clusterdeck-bench-logs-") as tmp:
        tmpdir = Path(tmp)
        dump(tmpdir / "flood.yaml", args.rate)
        kubeconfig = tmpdir / "kubeconfig"
        emulator = subprocess.Popen([str(BIN / "clusterdeck"), "emulate", "--from", str(tmpdir / "flood.yaml"),
                                     "--no-controllers", "--kubeconfig-out", str(kubeconfig)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while not kubeconfig.exists():
                if emulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"emulator did not start: {emulator.stderr.read().decode() if emulator.stderr else ''}")
                time.sleep(0.05)
            os.environ.pop("KUBECONFIG", None)
            result = asyncio.run(drive(kubeconfig, args.seconds, (width, height)))
        finally:
            emulator.terminate()
            emulator.wait(10)
    lat = result["latency_ms"]
    print(f"log screen at {args.size}, {args.rate:.0f} lines/s for {result['elapsed']:.0f} s: "
          f"{result['lines']:,} lines received ({result['lines'] / result['elapsed']:,.0f}/s), "
          f"{result['kept']:,} kept, {result['dropped']:,} dropped")
    print(f"keypress -> repaint (k/j while following, n={len(lat)}): median {statistics.median(lat):.1f} ms, "
          f"p95 {percentile(lat, 0.95):.1f} ms, max {max(lat):.1f} ms  (goal: p95 < 50 ms); "
          f"{result.get('idle_keys', 0)} keys moved nothing and are not timed")
    print(f"`t` (re-lay {result['kept']:,} lines): " + ", ".join(f"{v:.0f}" for v in result["toggle_ms"]) + " ms;"
          f"  `/` search over the buffer: {result['search_ms']:.0f} ms")
    print("RSS over time (s, MiB, lines received): " +
          "  ".join(f"{t}s {m:.0f}MiB/{n:,}" for t, m, n in result["rss"]))
    full = [m for t, m, n in result["rss"] if n > 2 * 20_000]
    if len(full) >= 2:
        print(f"RSS once the buffer is full: {min(full):.0f}..{max(full):.0f} MiB (spread {max(full) - min(full):.1f} MiB)")


if __name__ == "__main__":
    main()
