"""What a container run wrote to stdout: lines computed from a profile (demo/logs.yaml) and time.

A run's lines are a few fixed start lines, then one steady line every `every` seconds, then
(for a run that exited with an error) its crash lines. Steady line n is computed from n alone,
so a tail, a since window or a follow over a run that started weeks ago costs only the lines
sent. Times are integer microseconds since the epoch: monotonic, and distinct at 2,000 lines/s.
"""
from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

PROFILES_FILE = Path(__file__).resolve().parent / "demo" / "logs.yaml"
# Emulator-only knobs on a Pod (tests and the bench use them; a real cluster ignores them).
RATE_ANNOTATION = "emulator.clusterdeck.dev/log-lines-per-second"
TEXT_ANNOTATION = "emulator.clusterdeck.dev/log."  # + container name: that run's literal log
US = 1_000_000
_PLACEHOLDER = re.compile(r"\{(t:[^}]*|n|pod|ns|container|node|ip|ip2|id|ms)\}")


@dataclass(frozen=True)
class Profile:
    match: dict[str, str]
    start: tuple[tuple[float, str], ...]
    ready: tuple[tuple[float, str], ...]
    every: float  # seconds between steady lines; 0: none
    steady: tuple[str, ...]
    crash: tuple[str, ...]

    def fits(self, pod: str, container: str, image: str) -> bool:
        m = self.match
        return ((not m.get("container") or m["container"] == container)
                and (not m.get("image") or m["image"] in image)
                and (not m.get("pod") or pod.startswith(m["pod"])))


def _pairs(value: Any) -> tuple[tuple[float, str], ...]:
    return tuple((float(off), str(text)) for off, text in (value or []))


@functools.lru_cache(maxsize=1)
def profiles() -> tuple[Profile, ...]:
    data = yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))
    return tuple(Profile(match={k: str(v) for k, v in (p.get("match") or {}).items()},
                         start=_pairs(p.get("start")), ready=_pairs(p.get("ready")),
                         every=float(p.get("every") or 0), steady=tuple(p.get("steady") or ()),
                         crash=tuple(p.get("crash") or ()))
                 for p in data["profiles"])


def profile_for(pod: str, container: str, image: str) -> Profile:
    for p in profiles():
        if p.fits(pod, container, image):
            return p
    return Profile({}, (), (), 0.0, (), ())


def to_us(when: datetime) -> int:
    return int(when.timestamp()) * US + when.microsecond


def rfc3339(us: int) -> str:
    """RFC3339Nano as Go writes it (trailing zeros of the fraction trimmed), as kubelet does."""
    secs, frac = divmod(us, US)
    base = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{frac:06d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


@dataclass(frozen=True)
class Run:
    """One run of one container: what it writes and when."""

    pod: str
    namespace: str
    container: str
    node: str
    ip: str
    serial: int  # restart count of this run: seeds the steady lines
    start_us: int
    end_us: int | None  # None while running
    crashed: bool
    profile: Profile
    literal: tuple[str, ...] | None = None  # the pod's text annotation, replacing the profile
    rate: float = 0.0  # the pod's lines-per-second annotation, replacing `every`

    # ---- the three segments ---------------------------------------------------------------
    def _fixed(self) -> list[tuple[int, str, int]]:
        if self.literal is not None:
            return [(self.start_us + i * 1000, text, 0) for i, text in enumerate(self.literal)]
        out = [(self.start_us + int(off * US), text, 0) for off, text in self.profile.start]
        if not self.crashed:
            last = max((off for off, _ in self.profile.start), default=0.0)
            out += [(self.start_us + int((last + off) * US), text, 0) for off, text in self.profile.ready]
        if self.crashed and self.end_us is not None:  # a crash during start: squeeze before it
            limit = self.end_us
            out = [(min(t, limit - 1000 * (len(out) - i)), text, 0) for i, (t, text, _) in enumerate(out)]
        return out

    def _period_us(self) -> int:
        if self.rate > 0:
            return max(1, int(US / self.rate))
        if self.literal is not None or not self.profile.steady or self.profile.every <= 0:
            return 0
        return int(self.profile.every * US)

    def _steady_base(self) -> int:
        fixed = self._fixed()
        return (fixed[-1][0] if fixed else self.start_us) + 1000

    def _crash(self) -> list[tuple[int, str, int]]:
        if not self.crashed or self.end_us is None or self.literal is not None:
            return []
        # finishedAt has second precision: the last lines were written within that second
        return [(self.end_us + 1000 * i, text, 0) for i, text in enumerate(self.profile.crash)]

    def _hash(self, n: int) -> int:
        return zlib.crc32(f"{self.namespace}/{self.pod}/{self.container}/{self.serial}/{n}".encode())

    def steady_time(self, n: int) -> int:
        period = self._period_us()
        return self._steady_base() + n * period + self._hash(n) % max(1, period // 2)

    def _steady_text(self, n: int) -> str:
        if self.literal is not None or not self.profile.steady:
            return f"line {n + 1}"
        h = self._hash(n)
        return self.profile.steady[h % len(self.profile.steady)]

    # ---- queries ----------------------------------------------------------------------------
    def lines(self, until_us: int, since_us: int | None = None, tail: int | None = None,
              after_n: int | None = None) -> tuple[list[tuple[int, str]], int]:
        """Rendered (time, text) lines with time in [since, until], the last `tail` of them,
        and the last steady counter covered; after_n (a follow): only steady lines past it."""
        limit = until_us if self.end_us is None else min(until_us, self.end_us + US - 1)
        crash = [c for c in self._crash() if c[0] <= limit] if after_n is None else []
        period = self._period_us()
        base = self._steady_base()
        steady_end = limit if not crash else crash[0][0] - 1
        lo = after_n + 1 if after_n is not None else 0
        if since_us is not None and period:
            lo = max(lo, (since_us - base) // period - 1)
        hi = (steady_end - base) // period if period else -1
        while hi >= lo and period and self.steady_time(hi) > steady_end:
            hi -= 1
        count = max(0, hi - lo + 1) if period else 0
        fixed = [f for f in self._fixed() if f[0] <= limit] if after_n is None else []
        if since_us is not None:
            fixed = [f for f in fixed if f[0] >= since_us]
            crash = [c for c in crash if c[0] >= since_us]
        if tail is not None:
            crash = crash[len(crash) - min(tail, len(crash)):]
            room = tail - len(crash)
            if count > room:
                lo, count = hi - room + 1, room
            room -= count
            fixed = fixed[len(fixed) - min(room, len(fixed)):] if room > 0 else []
        out = [(t, self._render(t, text, 0)) for t, text, _ in fixed]
        for n in range(lo, lo + count):
            t = self.steady_time(n)
            if since_us is not None and t < since_us:
                continue
            out.append((t, self._render(t, self._steady_text(n), n)))
        out += [(t, self._render(t, text, 0)) for t, text, _ in crash]
        return out, max(-1 if after_n is None else after_n, hi)

    def _render(self, t_us: int, template: str, n: int) -> str:
        if self.literal is not None:
            return template
        when = datetime.fromtimestamp(t_us // US, UTC).replace(microsecond=t_us % US)
        h = self._hash(n)

        def fill(m: re.Match[str]) -> str:
            key = m.group(1)
            if key.startswith("t:"):
                return when.strftime(key[2:])
            return {"n": str(n + 1), "pod": self.pod, "ns": self.namespace, "container": self.container,
                    "node": self.node, "ip": self.ip, "id": f"{h:08x}", "ms": str(3 + h % 97),
                    "ip2": f"10.42.{(h >> 8) % 4}.{(h >> 16) % 250 + 2}"}[key]

        return _PLACEHOLDER.sub(fill, template)

