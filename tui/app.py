"""The clusterdeck console: the Textual App that owns the sources, the store and the panes.

Sources (one thread per kind) → StoreBridge.deliver → store.handle on the loop → the bridge
posts StoreChanged soon after (a burst coalesced, ≤ refresh_hz a second) → the active screen
redraws what changed, moving only the rows whose objects changed. Panes are Textual
modes (1-7), so switching never rebuilds a pane or restarts a watch.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

import screens
from screens.apps import AppsScreen
from screens.help import HelpScreen, help_lines
from screens.network import NetworkScreen
from screens.nodes import NodesScreen
from screens.overview import OverviewScreen
from screens.pods import PodsScreen
from screens.routes import RoutesScreen
from screens.volumes import VolumesScreen
from screens.workloads import WorkloadsScreen
from tui.action_launcher import ActionLauncher
from tui.config import Config
from tui.connection import ClusterConnection
from tui.core.clock import Clock, SystemClock
from tui.core.layers import IMPACT_LAYERS, TAB_PANES
from tui.core.ports import Deck
from tui.core.source_wiring import Sources, build_sources, traefik_api_for
from tui.core.sources import Backoff
from tui.core.store import ClusterStore
from tui.keymap import bindings, check_keymap, shown_key
from tui.store_bridge import StoreBridge, StoreChanged
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
    "workloads": WorkloadsScreen, "pods": PodsScreen,
}


def screen_stylesheets() -> list[str]:
    """Every screen's stylesheet (screens/*.tcss, each rule scoped by its screen's type), for the
    app to read at start: else Textual re-parses the app's whole stylesheet the first time each
    pane or dialog is shown, on the key that shows it. Resolved as Textual resolves a screen's
    CSS_PATH, so it finds them already read."""
    return [str(path.resolve()) for path in sorted(Path(screens.__file__).parent.glob("*.tcss"))]


_frozen = False


def freeze_startup_objects() -> None:
    """Everything built by start-up (modules, the client's model classes, the widget tree) lives
    as long as the process: out of the collector's sight, a full collection under a busy log or
    watch stream walks only what came since (pauses of ~100 ms went under 50 ms). Once per
    process, after a collection, so no garbage is frozen with it (tests start many apps)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


_synced_frozen = False
LISTING_GC_LIMIT_S = 60.0  # collections resume by then even if a source never answered


def freeze_synced_objects() -> None:
    """Once the first cluster has listed (tens of thousands of objects at scale), freeze again:
    every full collection would otherwise walk them all, and at 20,000 volumes that doubled an
    Overview redraw and put 100 ms pauses under key presses. Their replacements are freed by
    reference counting as ever (parsed objects hold no cycles). Once per process, like the
    start-up freeze, and without a collection first: that would walk them all once more, a
    pause of half a second under whatever key comes next (the few cycles dead by then stay)."""
    global _synced_frozen
    if not _synced_frozen:
        _synced_frozen = True
        gc.freeze()


class ClusterDeckApp(App[int]):
    TITLE = "clusterdeck"
    DEFAULT_MODE = "overview"  # the panes are modes (added in __init__)
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", *screen_stylesheets()]
    COMMANDS = App.COMMANDS | {ObjectJumpProvider}
    BINDINGS = bindings(
        "pane.overview", "pane.nodes", "pane.volumes", "pane.network", "pane.routes", "pane.apps",
        "pane.workloads", "pane.pods", "app.help", "app.command", "app.runs", "app.quit", "app.retry",
    )

    def __init__(self, connection: ClusterConnection, config: Config | None = None, clock: Clock | None = None,
                 start_sources: bool = True, source_backoff: Backoff | None = None) -> None:
        super().__init__()
        for mode, screen_class in PANE_SCREENS.items():
            self.add_mode(mode, partial(self._new_pane, screen_class))
        self.connection = connection
        self.config = config or Config()
        self.clock: Clock = clock or SystemClock()
        self.read_only: bool = connection.read_only
        self.store = ClusterStore(self.clock, events_max=self.config.events_max)
        self.bridge = StoreBridge(self, self.store, self.config.refresh_hz)
        self.start_sources = start_sources
        self.source_backoff = source_backoff  # tests shorten the retry delays (sources.Backoff)
        self.sources: Sources | None = None
        # `:ctx NAME` reconnects through this, once the CLI provides it (name -> None, raises on failure)
        self.context_switcher: Callable[[str], None] | None = None
        self.register_theme(CLUSTERDECK_THEME)
        self.actions = ActionLauncher(self)
        self._listing = False  # the first lists are landing, collections paused (on_mount)

    def _new_pane(self, screen_class: type[Screen[None]]) -> Screen[None]:
        """A pane for its mode's first switch, marked as styled by the current stylesheet: it is
        (every screen's CSS is read at start, and a theme change re-parses it for all), while
        Textual would re-parse it and re-style every screen of the app for a screen it has not
        seen (40 ms at scale S on the key that opens the pane). Textual 8.2.8's own counter."""
        screen = screen_class()
        screen._css_update_count = self._css_update_count
        return screen

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
        freeze_startup_objects()
        if self.start_sources:
            # while the first lists land (tens of thousands of objects at scale) the collector
            # would walk the growing heap again and again: half the start-up time at 20,000
            # volumes. Nothing made then is cyclic garbage worth a pause; it resumes once synced.
            self._listing = True
            gc.disable()
            self.set_timer(LISTING_GC_LIMIT_S, self.listed)  # a source that never answers

    def start_source_set(self) -> None:
        self.sources = build_sources(
            self.connection.api_client, self.bridge.deliver_for_now(), self.clock,
            origin=self.connection.origin, traefik_api_url=self.config.traefik_api_url,
            present=self.connection.dump_kinds,
            traefik_poll_seconds=self.config.traefik_poll_seconds, backoff=self.source_backoff,
            events_max=self.store.events_max)
        self.sources.start()

    def traefik_api_url(self) -> str | None:
        """The Traefik API the console polls (none for the demo or a dump)."""
        return traefik_api_for(self.connection.origin, self.config.traefik_api_url)

    def switch_connection(self, connection: ClusterConnection) -> None:
        """Another cluster (`:ctx NAME`): new sources into a new store; panes follow at the
        next tick. The old cluster's threads are stopped and their late events dropped."""
        if self.sources is not None:
            self.sources.stop(timeout=1.0)
        old, self.connection = self.connection, connection
        self.store = ClusterStore(self.clock, events_max=self.config.events_max)
        self.bridge.rebind(self.store)
        self.start_source_set()
        old.close()
        self.notify(f"switched to {connection.context}", timeout=4)

    def listed(self) -> None:
        """Every source answered (or the time for that is up): collections resume, and the
        listed objects are frozen out of their walk."""
        if self._listing:
            self._listing = False
            freeze_synced_objects()
            gc.enable()

    def on_unmount(self) -> None:
        self.listed()
        self.bridge.stop()
        if self.sources is not None:
            self.sources.stop(timeout=1.0)

    def on_store_changed(self, message: StoreChanged) -> None:
        started = time.perf_counter()
        # the top screen, and the pane under a modal (filter prompt, help) that still shows
        for screen in reversed(self.screen_stack):
            refresh = getattr(screen, "refresh_from_store", None)
            if refresh is not None:
                refresh(message.layers, message.health)
            if not isinstance(screen, ModalScreen):
                break
        self.bridge.redrawn_in(time.perf_counter() - started)
        if self._listing and self.store.synced():
            self.listed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # every worker is exit_on_error=False: its error is reported here, once, not crashed on
        if event.state == WorkerState.ERROR and event.worker.group not in ("detail-events",):
            self.notify(f"{event.worker.name or event.worker.group}: {event.worker.error}",
                        severity="error", timeout=8)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        # notifications carry cluster strings: shown literally (no markup, controls made visible)
        from tui.core.literal import visible

        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout,
                       markup=markup)

    # --- what screens ask the app -------------------------------------------------------------
    def header_facts(self, active: str) -> dict[str, Any]:
        context = self.connection.context
        return {
            "context": context,
            "production": self.config.is_production(context),
            "read_only": self.read_only,
            "origin": self.connection.origin_label,
            "active": active,
            "pane_keys": {p.id: shown_key(p.binding_id, self.config.keymap) for p in TAB_PANES},
        }

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

    def open_logs(self, layer: str, row: Any) -> None:
        """`l`: a pod's logs, or every pod of a workload or app merged (screens/logs.py)."""
        from screens.logs import LogScreen

        self.push_screen(LogScreen(layer, row))

    def open_events(self, layer: str | None = None, row: Any = None, filter_text: str = "") -> None:
        """The Events view: of one row's object (`e`), or of the whole cluster (`:events`)."""
        from screens.events import WITH_POD_EVENTS, EventsScreen, event_refs

        if row is None:
            screen = EventsScreen()
        else:
            name = f"{row.namespace}/{row.name}" if getattr(row, "namespace", None) else row.key
            pods_of = (layer, row.key) if layer in WITH_POD_EVENTS else None
            screen = EventsScreen(name, event_refs(layer or "", row), pods_of)
        self.push_screen(screen)
        if filter_text:
            screen.filter_text = filter_text

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
            await self.action_quit()
        elif command.verb == "pane":
            await self.jump_to(command.arg, "", filter_text=command.filter)
        elif command.verb == "events":
            self.open_events(filter_text=command.filter)
        elif command.verb == "ctx":
            self.switch_context(command.arg)
        elif command.verb == "runs":
            self.action_runs()
        elif command.verb == "help":
            self.action_help()
        elif command.verb == "error":
            self.notify(command.arg, severity="error")

    def switch_context(self, name: str) -> None:
        known = self.connection.contexts
        if self.context_switcher is None or (known and name not in known):
            self.notify(f"unknown context: {name}", severity="error")
            return
        try:
            self.context_switcher(name)
        except Exception as exc:  # noqa: BLE001 - a failed reconnect keeps the current cluster
            self.notify(f"cannot switch to {name}: {exc}", severity="error")

    # --- quit (screens/quit.py): never a blank screen while a playbook runs ----------------------
    async def action_quit(self) -> None:
        running = dict(getattr(self.actions, "running", None) or {})
        if not running:
            self.exit(0)
            return
        from screens.quit import QuitScreen

        self.push_screen(QuitScreen(list(running)), callback=self._quit_chosen)

    def _quit_chosen(self, choice: str | None) -> None:
        if choice == "cancel":
            for action in list(getattr(self.actions, "running", {}).values()):
                action.cancel()
            self.notify("cancelling the run, then quitting…", timeout=3)
            self.run_worker(self._quit_when_idle(deadline=2.0), group="quit", exit_on_error=False)
        elif choice == "keep":
            self.notify("the run goes on; clusterdeck quits when it ends", timeout=6)
            self.run_worker(self._quit_when_idle(deadline=None), group="quit", exit_on_error=False)

    async def _quit_when_idle(self, deadline: float | None) -> None:
        """Exit once no action runs (its worker thread would hold the exit back), or at the deadline."""
        import asyncio

        loop = asyncio.get_running_loop()
        until = None if deadline is None else loop.time() + deadline - 0.2
        while getattr(self.actions, "running", None) and (until is None or loop.time() < until):
            await asyncio.sleep(0.05)
        self.exit(0)

    def action_retry_sources(self) -> None:
        """`r` (`ctrl+r` where `r` means something else): every waiting source tries again now."""
        from tui.core.events import SourceState

        if all(h.state is SourceState.OK for h in self.store.health().values()):
            return  # nothing waits to retry
        members = getattr(self.sources, "members", None) or getattr(self.sources, "sources", None) or []
        for member in members:
            retry = getattr(member, "retry_now", None)
            if retry is not None:
                retry()
        self.notify("retrying now", timeout=2)

    def action_runs(self) -> None:
        self.actions.open_runs()


def _implements_deck(app: ClusterDeckApp) -> Deck:
    return app  # mypy checks here that the App gives screens everything tui.core.ports.Deck names


def run_app(connection: ClusterConnection, config: Config | None = None,
            connect_context: Callable[[str], ClusterConnection] | None = None) -> int:
    """Run the console until the user quits; the exit code for the CLI. `connect_context`
    (a context name -> a new connection) makes `:ctx NAME` switch clusters."""
    app = ClusterDeckApp(connection, config)
    if connect_context is not None:
        app.context_switcher = lambda name: app.switch_connection(connect_context(name))
    _exit_cleanly_on_hangup(app)
    try:
        result = app.run()
    finally:
        app.connection.close()
    return int(result or app.return_code or 0)


def _exit_cleanly_on_hangup(app: ClusterDeckApp) -> None:
    """SIGHUP (the SSH session dropped) / SIGTERM: interrupt running actions (their end records
    say so, a playbook's processes are ended), then exit; never later than 5 s after the signal."""
    import os
    import threading

    from tui.core.actions.hangup import on_hangup

    def then(signum: int) -> None:
        code = 128 + signum
        watchdog = threading.Timer(1.0, os._exit, (code,))  # a dead terminal may wedge the teardown
        watchdog.daemon = True
        watchdog.start()
        try:
            app.call_from_thread(app.exit, code)
        except Exception as exc:  # noqa: BLE001 - the loop is gone already: the watchdog ends us
            log.warning("exit after %s: %s", signum, exc)

    on_hangup(app.actions.runner, then, grace=3.5)
