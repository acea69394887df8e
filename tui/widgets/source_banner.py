"""Source trouble, said once, in the pane that depends on the source.

`pane_trouble(pane, health, now)` turns the store's per-kind SourceHealth into the lines a pane
shows ("stale since 14:03, 2m ago (connection refused), retrying in 4 s", "forbidden: cannot
list volumes.longhorn.io", "Longhorn not installed"); `SourceBanner` renders them, and, while
a source waits to retry, counts down once a second (`r`/`ctrl+r` retries at once).
Without `now` the lines carry no age and no countdown (the overview's summaries, tests).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from tui.core.clock import age
from tui.core.events import ABSENT_STATES, SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.layers import PANES
from tui.core.traefik_match import TRAEFIK_API

# Which kinds each pane reads, and the add-on a missing CRD means.
PANE_KINDS: dict[str, tuple[str, ...]] = {
    "nodes": ("nodes",),
    "volumes": ("lh_volumes", "lh_nodes", "lh_replicas", "lh_engines", "lh_attachments", "lh_snapshots",
                "lh_backups", "lh_backup_volumes", "lh_backup_targets", "lh_recurring_jobs", "lh_settings"),
    "network": ("ip_pools", "l2_advertisements", "l2_statuses", "services"),
    "routes": ("ingressroutes", "ingressroutes_legacy", "ingresses"),
    "apps": ("applications",),
    "workloads": ("deployments", "statefulsets", "replicasets", "endpointslices"),
    "pods": ("pods",),
    "events": ("events",),
}
PRODUCT = {p.id: p.product for p in PANES if p.id != "overview"}  # the add-on behind each pane
# Kinds that are optional by design: absent is normal when a sibling kind is served.
_ALTERNATIVES = {"ingressroutes": "ingressroutes_legacy", "ingressroutes_legacy": "ingressroutes"}


@dataclass(frozen=True)
class Trouble:
    level: str  # "error" or "warning" or "info"
    text: str
    countdown: bool = False  # the text says when the next attempt is (the banner adds the retry key)


NOT_DUMPED = " not in the dump (unknown, not none)"


def pane_label(pane: str) -> str:
    """The add-on behind a pane (Longhorn, Argo CD), or the pane's own name for Kubernetes' kinds."""
    product = PRODUCT.get(pane, pane)
    return pane if product == "Kubernetes" else product


def _resource(key: str) -> str:
    kind = KINDS.get(key)
    if kind is None:
        return key
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def pane_state(pane: str, health: Mapping[str, SourceHealth]) -> SourceState:
    """The worst state among the pane's sources (what the header chip shows)."""
    order = [SourceState.FORBIDDEN, SourceState.STALE, SourceState.ERROR,
             SourceState.NOT_INSTALLED, SourceState.NOT_IN_DUMP, SourceState.CONNECTING, SourceState.OK]
    states = [h.state for h in _relevant(pane, health)]
    states += [health[key].state for key in POLLED_SOURCES.get(pane, ()) if key in health]
    if not states:
        return SourceState.CONNECTING
    return min(states, key=order.index)


EVERY = "*"  # pseudo-pane: every kind of every pane (the overview's one-line summary)


def _relevant(pane: str, health: Mapping[str, SourceHealth]) -> list[SourceHealth]:
    out = []
    keys = [k for kinds in PANE_KINDS.values() for k in kinds] if pane == EVERY else PANE_KINDS.get(pane, ())
    for key in keys:
        h = health.get(key)
        if h is None:
            continue
        alt = _ALTERNATIVES.get(key)
        if h.state in ABSENT_STATES and alt and health.get(alt) is not None \
                and health[alt].state not in ABSENT_STATES:
            continue  # Traefik v3 served, the v2 group absent: nothing wrong
        out.append(h)
    return out


def _retrying(sources: list[SourceHealth], now: datetime | None, word: str = "retrying") -> str:
    """ "retrying in 4 s" (the soonest next attempt), or plain "retrying" when unknown."""
    if now is None:
        return word
    due = [h.retry_at for h in sources if h.retry_at is not None]
    if not due:
        return word
    seconds = max(0, math.ceil((min(due) - now).total_seconds()))
    return f"{word} in {seconds} s" if seconds else f"{word} now"


def pane_trouble(pane: str, health: Mapping[str, SourceHealth], now: datetime | None = None) -> list[Trouble]:
    if pane == "overview":
        return overview_trouble(health, now)
    relevant = _relevant(pane, health)
    lines: list[Trouble] = []
    absent = [h for h in relevant if h.state == SourceState.NOT_INSTALLED]
    if absent and len(absent) == len(relevant):
        return [Trouble("info", f"{PRODUCT.get(pane, 'the add-on')} not installed (no {_resource(absent[0].key)} API)")]
    undumped = [h for h in relevant if h.state == SourceState.NOT_IN_DUMP]
    if undumped and len(undumped) == len(relevant):
        return [Trouble("info", f"{PRODUCT.get(pane, pane)}{NOT_DUMPED}")]
    seen: set[str] = set()

    def add(level: str, text: str, waiting: list[SourceHealth] | None = None) -> None:
        if text not in seen:
            seen.add(text)
            countdown = now is not None and any(h.retry_at is not None for h in waiting or [])
            lines.append(Trouble(level, text, countdown))

    stale = [h for h in relevant if h.state == SourceState.STALE]
    if stale:  # one line for the whole pane: the sources lost the same API together
        first = min((h.since for h in stale if h.since), default=None)
        details = "; ".join(sorted({h.detail for h in stale if h.detail}))
        since = f" since {first:%H:%M}" if first else ""
        if first and now is not None:
            since += f", {age(first, now)} ago"  # how old what the pane shows is
        add("warning", f"stale{since}" + (f" ({details})" if details else "") + ", " + _retrying(stale, now), stale)
    for h in relevant:
        detail = f" ({h.detail})" if h.detail else ""
        if h.state == SourceState.FORBIDDEN:
            recheck = f", {_retrying([h], now, 'rechecking')}" if now is not None and h.retry_at else ""
            add("error", f"forbidden: cannot list {_resource(h.key)}{recheck}", [h])
        elif h.state == SourceState.ERROR:
            add("error", f"error reading {_resource(h.key)}{detail}, {_retrying([h], now)}", [h])
        elif h.state == SourceState.NOT_INSTALLED:
            add("warning", f"{_resource(h.key)} not installed")
        elif h.state == SourceState.NOT_IN_DUMP:
            add("info", f"{_resource(h.key)} not in the dump (unknown, not none)")
        elif h.state == SourceState.CONNECTING:
            add("info", "loading…")
    for extra in polled_trouble(pane, health):
        add(extra.level, extra.text)
    if len(lines) > 1:  # "loading" next to a real problem is noise
        lines = [t for t in lines if t.text != "loading…"]
    return lines


# HTTP APIs we poll besides the kube kinds (pane -> health keys); they exist in the store's
# health only once configured and started, so an unconfigured one shows nothing
POLLED_SOURCES: dict[str, tuple[str, ...]] = {"routes": (TRAEFIK_API,)}


def polled_trouble(pane: str, health: Mapping[str, SourceHealth]) -> list[Trouble]:
    return [t for key in POLLED_SOURCES.get(pane, ()) for t in traefik_trouble(health.get(key))]


def traefik_trouble(health: SourceHealth | None) -> list[Trouble]:
    """The Traefik API source's trouble, in the words of the kube sources' banner lines."""
    if health is None:
        return []
    detail = f" ({health.detail})" if health.detail else ""
    if health.state is SourceState.STALE:
        since = f" since {health.since:%H:%M}" if health.since else ""
        return [Trouble("warning", f"Traefik API stale{since}{detail}, retrying")]
    if health.state is SourceState.ERROR:
        return [Trouble("error", f"Traefik API unreachable{detail}, retrying")]
    if health.state is SourceState.FORBIDDEN:
        return [Trouble("error", f"Traefik API forbidden{detail}")]
    if health.state is SourceState.NOT_INSTALLED:
        return [Trouble("warning", f"Traefik API not found{detail}")]
    return []


def overview_trouble(health: Mapping[str, SourceHealth], now: datetime | None = None) -> list[Trouble]:
    """Every pane's trouble on one screen; one line when the whole API is in the same state."""
    per_pane = {pane: pane_trouble(pane, health) for pane in PANE_KINDS}  # no countdowns: for grouping
    troubled = {pane: t for pane, t in per_pane.items() if t and t[0].text != "loading…"}
    if not troubled:
        return []
    # a dump without whole layers: one line naming them, not one line per pane
    undumped = [pane for pane in troubled
                if all(h.state is SourceState.NOT_IN_DUMP for h in _relevant(pane, health))]
    if len(undumped) > 1:
        named = ", ".join(pane_label(pane) for pane in undumped)
        rest = {pane: lines for pane, lines in troubled.items() if pane not in undumped}
        return [Trouble("info", f"not in the dump: {named} (unknown, not none)"),
                *overview_lines(rest, health, now)]
    return overview_lines(troubled, health, now)


def overview_lines(troubled: dict[str, list[Trouble]], health: Mapping[str, SourceHealth],
                   now: datetime | None) -> list[Trouble]:
    texts = {tuple(t.text for t in lines) for lines in troubled.values()}
    if len(troubled) == len(PANE_KINDS) and len(texts) == 1:
        return [Trouble(t.level, f"every source: {t.text}", t.countdown) for t in pane_trouble(EVERY, health, now)]
    if now is not None:
        troubled = {pane: pane_trouble(pane, health, now) for pane in troubled}
    return [Trouble(t.level, f"{pane_label(pane)}: {t.text}", t.countdown)
            for pane, lines in troubled.items() for t in lines]


class SourceBanner(Static):
    """One line per distinct trouble; hidden when the pane's sources are fine."""

    DEFAULT_CSS = """
    SourceBanner { height: auto; display: none; padding: 0 1; background: $warning 20%; }
    SourceBanner.-shown { display: block; }
    SourceBanner.-error { background: $error 25%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.troubles: list[Trouble] = []  # what is shown, for tests and the overview
        self._follow: Callable[[], list[Trouble]] | None = None
        self._retry_key = ""  # shown after a countdown: the key that retries now

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def follow(self, pane: str, health: Callable[[], Mapping[str, SourceHealth]],
               now: Callable[[], datetime]) -> None:
        """Show the pane's trouble now and recompute it every second while shown (countdown, age)."""
        self._follow = lambda: pane_trouble(pane, health(), now())
        self._retry_key = "ctrl+r" if pane == "apps" else "r"  # Apps: `r` is Argo CD's refresh
        self.show_trouble(self._follow())

    def _tick(self) -> None:
        if self._follow is not None and self.troubles:
            troubles = self._follow()
            if troubles != self.troubles:
                self.show_trouble(troubles)

    def show_trouble(self, troubles: list[Trouble]) -> None:
        self.troubles = list(troubles)
        self.set_class(bool(troubles), "-shown")
        self.set_class(any(t.level == "error" for t in troubles), "-error")
        text = Text()
        for i, t in enumerate(troubles):
            if i:
                text.append("\n")
            mark = {"error": "✖ ", "warning": "! ", "info": "· "}[t.level]
            text.append(mark + t.text, style="bold" if t.level != "info" else "")
            if self._retry_key and t.countdown:
                text.append(f" · {self._retry_key}: retry now", style="dim")
        self.update(text)
