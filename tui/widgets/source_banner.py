"""Source trouble, said once, in the pane that depends on the source.

`pane_trouble(pane, health, clock)` turns the store's per-kind SourceHealth into the lines a pane
shows ("stale since 14:03 (connection refused), retrying", "forbidden: cannot list
volumes.longhorn.io", "Longhorn not installed"); `SourceBanner` renders them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui.core.events import SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.traefik_match import TRAEFIK_API

# Which kinds each pane reads, and the add-on a missing CRD means.
PANE_KINDS: dict[str, tuple[str, ...]] = {
    "nodes": ("nodes",),
    "volumes": ("lh_volumes", "lh_nodes", "lh_replicas", "lh_engines", "lh_attachments"),
    "network": ("ip_pools", "l2_advertisements", "l2_statuses", "services"),
    "routes": ("ingressroutes", "ingressroutes_legacy", "ingresses"),
    "apps": ("applications",),
    "workloads": ("deployments", "statefulsets", "replicasets", "endpointslices"),
}
PRODUCT = {
    "nodes": "Kubernetes", "volumes": "Longhorn", "network": "MetalLB", "routes": "Traefik",
    "apps": "Argo CD", "workloads": "Kubernetes",
}
# Kinds that are optional by design: absent is normal when a sibling kind is served.
_ALTERNATIVES = {"ingressroutes": "ingressroutes_legacy", "ingressroutes_legacy": "ingressroutes"}


@dataclass(frozen=True)
class Trouble:
    level: str  # "error" or "warning" or "info"
    text: str


def _resource(key: str) -> str:
    kind = KINDS.get(key)
    if kind is None:
        return key
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def pane_state(pane: str, health: Mapping[str, SourceHealth]) -> SourceState:
    """The worst state among the pane's sources (what the header chip shows)."""
    order = [SourceState.FORBIDDEN, SourceState.STALE, SourceState.ERROR,
             SourceState.NOT_INSTALLED, SourceState.CONNECTING, SourceState.OK]
    states = [h.state for h in _relevant(pane, health)]
    states += [health[key].state for key in POLLED_SOURCES.get(pane, ()) if key in health]
    if not states:
        return SourceState.CONNECTING
    return min(states, key=order.index)


def _relevant(pane: str, health: Mapping[str, SourceHealth]) -> list[SourceHealth]:
    out = []
    for key in PANE_KINDS.get(pane, ()):
        h = health.get(key)
        if h is None:
            continue
        alt = _ALTERNATIVES.get(key)
        if h.state == SourceState.NOT_INSTALLED and alt and health.get(alt) is not None \
                and health[alt].state != SourceState.NOT_INSTALLED:
            continue  # Traefik v3 served, the v2 group absent: nothing wrong
        out.append(h)
    return out


def pane_trouble(pane: str, health: Mapping[str, SourceHealth]) -> list[Trouble]:
    if pane == "overview":
        return overview_trouble(health)
    relevant = _relevant(pane, health)
    lines: list[Trouble] = []
    absent = [h for h in relevant if h.state == SourceState.NOT_INSTALLED]
    if absent and len(absent) == len(relevant):
        return [Trouble("info", f"{PRODUCT[pane]} not installed (no {_resource(absent[0].key)} API)")]
    seen: set[str] = set()

    def add(level: str, text: str) -> None:
        if text not in seen:
            seen.add(text)
            lines.append(Trouble(level, text))

    stale = [h for h in relevant if h.state == SourceState.STALE]
    if stale:  # one line for the whole pane: the sources lost the same API together
        first = min((h.since for h in stale if h.since), default=None)
        details = "; ".join(sorted({h.detail for h in stale if h.detail}))
        since = f" since {first:%H:%M}" if first else ""
        add("warning", f"stale{since}" + (f" ({details})" if details else "") + ", retrying")
    for h in relevant:
        detail = f" ({h.detail})" if h.detail else ""
        if h.state == SourceState.FORBIDDEN:
            add("error", f"forbidden: cannot list {_resource(h.key)}")
        elif h.state == SourceState.ERROR:
            add("error", f"error reading {_resource(h.key)}{detail}, retrying")
        elif h.state == SourceState.NOT_INSTALLED:
            add("warning", f"{_resource(h.key)} not installed")
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


def overview_trouble(health: Mapping[str, SourceHealth]) -> list[Trouble]:
    """Every pane's trouble on one screen; one line when the whole API is in the same state."""
    per_pane = {pane: pane_trouble(pane, health) for pane in PANE_KINDS}
    troubled = {pane: t for pane, t in per_pane.items() if t and t[0].text != "loading…"}
    if not troubled:
        return []
    texts = {tuple(t.text for t in lines) for lines in troubled.values()}
    if len(troubled) == len(PANE_KINDS) and len(texts) == 1:
        return [Trouble(t.level, f"every source: {t.text}") for t in next(iter(troubled.values()))]
    return [Trouble(t.level, f"{PRODUCT[pane] if pane not in ('nodes', 'workloads') else pane}: {t.text}")
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
        self.update(text)
