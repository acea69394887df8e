"""The clusterdeck console: the Textual App that owns the sources, the store and the panes.

Sources (one thread per kind) → StoreBridge.deliver → store.handle on the loop → the bridge's
ticker posts StoreChanged (≤ 4 Hz) → the active screen redraws what changed. Panes are Textual
modes (1-7), so switching never rebuilds a pane or restarts a watch.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from screens.apps import AppsScreen
from screens.help import HelpScreen, help_lines
from screens.network import NetworkScreen
from screens.nodes import NodesScreen
from screens.overview import OverviewScreen
from screens.routes import RoutesScreen
from screens.volumes import VolumesScreen
from screens.workloads import WorkloadsScreen
from tui.bridge import StoreBridge, StoreChanged
from tui.config import Config
from tui.core.clock import Clock, SystemClock
from tui.core.store import ClusterStore
from tui.keymap import bindings, check_keymap
from tui.widgets.command_line import parse_command
from tui.widgets.object_jump import ObjectJumpProvider
from tui.widgets.prompt import PromptScreen

log = logging.getLogger(__name__)

# The default look: Textual's dark theme with calmer panels (ansi-dark is the 16-colour option).
CLUSTERDECK_THEME = Theme(
    name="clusterdeck", primary="#5f87af", secondary="#87afaf", accent="#d7af5f",
    warning="#d7af00", error="#d75f5f", success="#5faf5f", foreground="#d0d0d0",
    background="#1c1c1c", surface="#262626", panel="#303030", dark=True,
)

PANE_SCREENS = {
    "overview": OverviewScreen, "nodes": NodesScreen, "volumes": VolumesScreen,
    "network": NetworkScreen, "routes": RoutesScreen, "apps": AppsScreen,
    "workloads": WorkloadsScreen,
}
IMPACT_LAYERS = ("nodes", "volumes", "load_balancers", "routes", "apps", "workloads")


def _action_launcher(app: ClusterDeckApp) -> Any:
    """Engineer G's ActionLauncher, or None (action keys hidden) when it cannot be built."""
    try:
        from tui.action_bridge import ActionLauncher
    except ImportError as exc:
        log.warning("actions unavailable: %s", exc)
        return None
    return ActionLauncher(app)


class ClusterDeckApp(App[int]):
    TITLE = "clusterdeck"
    MODES: ClassVar[dict[str, Any]] = dict(PANE_SCREENS)
    DEFAULT_MODE = "overview"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ObjectJumpProvider}
    BINDINGS = bindings(
        "pane.overview", "pane.nodes", "pane.volumes", "pane.network", "pane.routes", "pane.apps",
        "pane.workloads", "app.help", "app.command", "app.runs", "app.quit",
    )

    def __init__(self, connection: Any, config: Config | None = None, clock: Clock | None = None,
                 start_sources: bool = True, source_backoff: Any = None) -> None:
        super().__init__()
        self.connection = connection
        self.config = config or Config()
        self.clock: Clock = clock or SystemClock()
        self.read_only: bool = bool(getattr(connection, "read_only", False))
        self.store = ClusterStore(self.clock)
        self.bridge = StoreBridge(self, self.store, self.config.refresh_hz)
        self.start_sources = start_sources
        self.source_backoff = source_backoff  # tests shorten the retry delays (sources.Backoff)
        self.sources: Any = None
        # `:ctx NAME` reconnects through this, once the CLI provides it (name -> None, raises on failure)
        self.context_switcher: Callable[[str], None] | None = None
        self.register_theme(CLUSTERDECK_THEME)
        self.actions = _action_launcher(self)

    # --- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.theme = self.config.theme
        for problem in check_keymap(self.config.keymap):
            self.notify(problem, severity="warning")
        if self.config.keymap:
            self.set_keymap(dict(self.config.keymap))
        self.bridge.bind_loop()
        if self.start_sources:
            self.start_source_set()
        self.bridge.start_ticker()

    def start_source_set(self) -> None:
        from tui.core.sources import SourceSet

        extra = {"backoff": self.source_backoff} if self.source_backoff is not None else {}
        deliver = self.bridge.deliver_for_now()
        self.sources = SourceSet(self.connection.api_client, deliver, self.clock, **extra)
        self.sources.start()
        traefik_api_url = self.traefik_api_url()
        if traefik_api_url:
            from tui.core.traefik_api import TraefikPoller

            poller = TraefikPoller(traefik_api_url, deliver, self.clock, self.config.traefik_poll_seconds,
                                   **extra)
            poller.start()
            self.sources.sources.append(poller)  # SourceSet.stop() stops and joins it with the rest

    def traefik_api_url(self) -> str | None:
        """The Traefik API the console polls: the config's, but never for the demo or a dump
        (the configured Traefik serves another cluster)."""
        if self.origin(getattr(self.connection, "context", "") or ""):
            return None
        return self.config.traefik_api_url

    def switch_connection(self, connection: Any) -> None:
        """Another cluster (`:ctx NAME`): new sources into a new store; panes follow at the
        next tick. The old cluster's threads are stopped and their late events dropped."""
        if self.sources is not None:
            self.sources.stop(timeout=1.0)
        old, self.connection = self.connection, connection
        self.store = ClusterStore(self.clock)
        self.bridge.rebind(self.store)
        self.start_source_set()
        old.close()
        self.notify(f"switched to {connection.context}", timeout=4)

    def on_unmount(self) -> None:
        self.bridge.stop()
        if self.sources is not None:
            self.sources.stop(timeout=1.0)

    def on_store_changed(self, message: StoreChanged) -> None:
        # the top screen, and the pane under a modal (filter prompt, help) that still shows
        for screen in reversed(self.screen_stack):
            refresh = getattr(screen, "refresh_from_store", None)
            if refresh is not None:
                refresh(message.layers, message.health)
            if not isinstance(screen, ModalScreen):
                break

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # every worker is exit_on_error=False: its error is reported here, once, not crashed on
        if event.state == WorkerState.ERROR and event.worker.group not in ("detail-events",):
            self.notify(f"{event.worker.name or event.worker.group}: {event.worker.error}",
                        severity="error", timeout=8)

    # --- what screens ask the app -------------------------------------------------------------
    def header_facts(self, active: str) -> dict[str, Any]:
        context = getattr(self.connection, "context", "") or ""
        return {
            "context": context,
            "production": self.config.is_production(context),
            "read_only": self.read_only,
            "origin": self.origin(context),
            "active": active,
        }

    def origin(self, context: str) -> str:
        """Where the data comes from, when it is not a live cluster."""
        if getattr(self.connection, "emulator", None) is None:
            return ""
        return "offline dump" if context.startswith("dump:") else "demo" if context.endswith("demo") else ""

    def has_impact(self, layer: str) -> bool:
        return layer in IMPACT_LAYERS

    def open_detail(self, layer: str, row: Any) -> None:
        from screens.detail import DetailScreen

        self.push_screen(DetailScreen(layer, row))

    def open_impact(self, layer: str, row: Any) -> None:
        if not self.has_impact(layer):
            return
        from screens.impact import ImpactScreen

        self.push_screen(ImpactScreen(layer, row))

    async def jump_to(self, pane: str, key: str, filter_text: str | None = None) -> bool:
        """Show `pane` with the cursor on `key` (palette, command line)."""
        while len(self.screen_stack) > 1:  # close detail/impact opened over the current pane
            self.pop_screen()
        await self.switch_mode(pane)
        screen = self.screen
        if filter_text is not None and hasattr(screen, "set_filter"):
            screen.set_filter(filter_text)
        if hasattr(screen, "refresh_table"):
            screen.refresh_table()
        return bool(key) and bool(getattr(screen, "select_key", lambda _k: False)(key))

    # --- global actions ---------------------------------------------------------------------
    async def action_pane(self, pane: str) -> None:
        await self.switch_mode(pane)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        title = getattr(screen, "TITLE", "") or type(screen).__name__.replace("Screen", "")
        self.push_screen(HelpScreen(title, getattr(screen, "HELP", ""), help_lines(screen)))

    def action_command_line(self) -> None:
        if isinstance(self.screen, PromptScreen):
            return
        self.push_screen(PromptScreen(":", placeholder="nodes | volumes wiki | ctx NAME | runs | q"),
                         callback=self._command_entered)

    def _command_entered(self, text: str | None) -> None:
        if text:
            self.run_worker(self.run_command(text), group="command", exit_on_error=False)

    async def run_command(self, text: str) -> None:
        command = parse_command(text)
        if command.verb == "quit":
            self.exit(0)
        elif command.verb == "pane":
            await self.jump_to(command.arg, "", filter_text=command.filter)
        elif command.verb == "ctx":
            self.switch_context(command.arg)
        elif command.verb == "runs":
            self.action_runs()
        elif command.verb == "help":
            self.action_help()
        elif command.verb == "error":
            self.notify(command.arg, severity="error")

    def switch_context(self, name: str) -> None:
        known = tuple(getattr(self.connection, "contexts", ()) or ())
        if self.context_switcher is None or (known and name not in known):
            self.notify(f"unknown context: {name}", severity="error")
            return
        try:
            self.context_switcher(name)
        except Exception as exc:  # noqa: BLE001 - a failed reconnect keeps the current cluster
            self.notify(f"cannot switch to {name}: {exc}", severity="error")

    def action_runs(self) -> None:
        if self.actions is None:
            self.notify("actions are not available in this build", severity="warning")
            return
        opener = getattr(self.actions, "open_runs", None)
        if opener is not None:
            opener()
        else:
            self.actions.request("runs", [])


def run_app(connection: Any, config: Config | None = None,
            connect_context: Callable[[str], Any] | None = None) -> int:
    """Run the console until the user quits; the exit code for the CLI. `connect_context`
    (a context name -> a new connection) makes `:ctx NAME` switch clusters."""
    app = ClusterDeckApp(connection, config)
    if connect_context is not None:
        app.context_switcher = lambda name: app.switch_connection(connect_context(name))
    try:
        result = app.run()
    finally:
        app.connection.close()
    return int(result or app.return_code or 0)
