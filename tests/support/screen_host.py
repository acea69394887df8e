"""One screen on a bare app (the action screens without the panes around them), and a RunTree
rebuilt from its JSON (what a progress screen showed mid-run)."""
from __future__ import annotations

from typing import Any

from textual.app import App


def tree_from_json(data: dict[str, Any]) -> Any:
    from tui.core.actions import HostResult, PlayNode, RunTree, TaskNode

    plays = tuple(PlayNode(p["uuid"], p["name"], tuple(
        TaskNode(t["uuid"], t["name"], t["action"], tuple(HostResult(**h) for h in t["hosts"]))
        for t in p["tasks"])) for p in data["plays"])
    return RunTree(**{**data, "plays": plays})


class ScreenHost(App[None]):
    """A bare app that shows one screen: the action screens without the panes around them."""

    def __init__(self, screen_factory: Any) -> None:
        super().__init__()
        self._factory = screen_factory
        self.animation_level = "none"

    def on_mount(self) -> None:
        self.push_screen(self._factory())
