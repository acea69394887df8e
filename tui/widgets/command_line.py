"""The `:` command line: parse what was typed into one Command (pure, so it is easy to test)."""
from __future__ import annotations

from dataclasses import dataclass

PANE_ALIASES = {
    "overview": "overview", "ov": "overview", "home": "overview",
    "nodes": "nodes", "node": "nodes", "no": "nodes",
    "volumes": "volumes", "volume": "volumes", "vol": "volumes", "lhv": "volumes", "longhorn": "volumes",
    "network": "network", "net": "network", "lb": "network", "metallb": "network", "svc": "network",
    "routes": "routes", "route": "routes", "rt": "routes", "traefik": "routes", "ing": "routes",
    "apps": "apps", "app": "apps", "argocd": "apps", "argo": "apps",
    "workloads": "workloads", "workload": "workloads", "wl": "workloads", "deploy": "workloads",
    "sts": "workloads",
}


@dataclass(frozen=True)
class Command:
    verb: str  # "pane", "ctx", "quit", "runs", "help", "error", "none"
    arg: str = ""  # pane id, context name, or the error message
    filter: str = ""


def parse_command(text: str) -> Command:
    words = text.strip().lstrip(":").split(maxsplit=1)
    if not words:
        return Command("none")
    head, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if head in ("q", "q!", "quit", "exit"):
        return Command("quit")
    if head in ("ctx", "context"):
        if not rest:
            return Command("error", "usage: :ctx NAME")
        return Command("ctx", rest)
    if head in ("runs", "history"):
        return Command("runs")
    if head in ("help", "h", "?"):
        return Command("help")
    if head in PANE_ALIASES:
        return Command("pane", PANE_ALIASES[head], rest)
    return Command("error", f"unknown command: {head} (try :nodes, :volumes wiki, :ctx NAME, :q)")
