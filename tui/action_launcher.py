"""ActionLauncher: how the panes' action keys reach tui.core.actions.

availability(action_id, rows) -> True (shown) / None (dimmed: not possible now) / False (hidden)
request(action_id, rows): plan off the UI thread -> ConfirmScreen -> ProgressScreen, with the
action run by the ActionRunner in a thread worker that posts each progress event to the screen.
Playbooks: CatalogScreen first, a check run as the preview, then the real run on confirm.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screens.catalog import CatalogScreen
from screens.confirm import ConfirmResult, ConfirmScreen
from screens.progress import ActionEvent, FollowUp, ProgressScreen
from screens.runs import RunsScreen
from tui.core.actions import (
    ACTION_CLASSES,
    Action,
    ActionContext,
    ActionError,
    ActionRunner,
    Catalog,
    Done,
    Plan,
    PlaybookAction,
    action_for,
    catalog_for,
)
from tui.core.errors import describe_error
from tui.core.frozen_view import freeze
from tui.core.ports import Runner, StoreView

if TYPE_CHECKING:
    from tui.app import ClusterDeckApp

log = logging.getLogger(__name__)
ROW_LAYER = {"volume.mount": "volumes", "volume.unmount": "volumes", "app.sync": "apps", "app.refresh": "apps",
             "app.rollback": "apps", "app.terminate": "apps", "workload.restart": "workloads",
             "workload.undo": "workloads", "node.cordon": "nodes", "node.drain": "nodes",
             "pod.delete": "pods"}


class ActionLauncher:
    def __init__(self, app: ClusterDeckApp) -> None:
        self.app = app
        config = app.config
        self.state_dir = Path(config.state_dir)
        connection = app.connection
        self.runner: Runner = ActionRunner(self.state_dir, context=connection.context,
                                   read_only=app.read_only, clock=None)
        self.playbook_dir = config.playbooks_path()  # playbooks_dir, else the bundled playbooks
        self.inventory = config.inventory_path()
        # the demo inventory points every node at this machine: its flows only ever run --check
        self.check_only = connection.emulator is not None or \
            (self.inventory is not None and self.inventory.name == "demo.yml")
        self.running: dict[str, Action] = {}  # plan title -> action being executed (the quit dialog)

    def frozen_view(self) -> StoreView:
        """The store as it is now, for a thread: taken on the loop (threads never read the store)."""
        return freeze(self.app.store)

    def frozen_view_from_thread(self) -> StoreView:
        return self.app.call_from_thread(self.frozen_view)

    def context(self, view: StoreView) -> ActionContext:
        connection, config = self.app.connection, self.app.config
        return ActionContext(
            api_client=connection.api_client, store=view, clock=self.app.clock,
            state_dir=self.state_dir, context=connection.context, read_only=self.runner.read_only,
            argocd_url=connection.argocd_url or config.argocd_server,
            argocd_token=connection.argocd_token or config.argocd_token,
            argocd_ca_file=config.argocd_ca_file, argocd_insecure=config.argocd_insecure,
            longhorn_url=connection.longhorn_url or config.longhorn_url,
            inventory=self.inventory, playbook_dir=self.playbook_dir, check_only=self.check_only,
            user=f"clusterdeck:{self.runner.who.user}",
        )

    # -- what the footer shows -----------------------------------------------------------------
    def availability(self, action_id: str, rows: Sequence[Any]) -> bool | None:
        if action_id == "runs":
            return True
        if action_id == "playbook":
            return True if rows and all(getattr(r, "name", None) for r in rows) else None
        if action_id not in ACTION_CLASSES:
            return False
        if len(rows) != 1:
            return None  # one target at a time for these
        try:
            action = action_for(action_id, rows[0].key)
        except ActionError:
            return None
        if self.runner.read_only and (action.danger != "safe" or action.writes):
            return True  # shown, so that pressing it says why read-only mode refuses it
        if self.runner.refusal(action) is not None:
            return None
        return None if action.preconditions(self.app.store) else True

    # -- what a key does ---------------------------------------------------------------------
    def request(self, action_id: str, rows: Sequence[Any]) -> None:
        if action_id == "runs":
            self.open_runs()
            return
        if action_id == "playbook":
            self._pick_playbook([r.name for r in rows])
            return
        if not rows:
            return
        try:
            action = action_for(action_id, rows[0].key)
        except ActionError as exc:
            self.app.notify(str(exc), severity="error")
            return
        problems = [r for r in [self.runner.refusal(action)] if r] or action.preconditions(self.app.store)
        if problems:
            self.app.notify("\n".join(problems), title=action.title, severity="warning")
            return
        first = action.prerequisite(self.app.store)
        if first is not None:  # e.g. auto-sync off before a rollback: its own confirm and audit record
            self._plan_and_confirm(first, after=lambda done: self._then(action, done))
            return
        self._plan_and_confirm(action)

    def _then(self, action: Action, done: Done) -> FollowUp | None:
        """After a prerequisite step succeeded, the key that continues to the action itself."""
        if done.outcome != "succeeded":
            return None
        return FollowUp("f", f"continue: {action.title.lower()} {action.target}",
                        lambda: self._plan_and_confirm(action))

    def open_runs(self) -> None:
        self.app.push_screen(RunsScreen(self.state_dir))

    # -- playbooks -----------------------------------------------------------------------------
    def _pick_playbook(self, hosts: list[str]) -> None:
        try:
            catalog = catalog_for(self.context(self.frozen_view()))
        except ActionError as exc:
            self.app.notify(str(exc), severity="error")
            return

        def picked(entry_id: str | None) -> None:
            if entry_id:
                self._plan_and_confirm(PlaybookAction(entry_id, hosts, check=True, catalog=catalog),
                                       after=lambda done: self._offer_real_run(entry_id, hosts, catalog, done))

        self.app.push_screen(CatalogScreen(catalog, hosts), callback=picked)

    def _offer_real_run(self, entry_id: str, hosts: list[str], catalog: Catalog, done: Done) -> FollowUp | None:
        if done.outcome not in ("succeeded", "failed") or done.artifact is None:
            return None
        if self.check_only:
            return None  # the demo inventory is this machine: never run for real
        if self.runner.read_only:
            return None
        real = PlaybookAction(entry_id, hosts, check=False, catalog=catalog)
        return FollowUp("f", "run it for real (confirm first)",
                        lambda: self._plan_and_confirm(real, choices={"preview_run": done.artifact}))

    # -- the one flow ----------------------------------------------------------------------------
    def _plan_and_confirm(self, action: Action, choices: dict[str, Any] | None = None,
                          after: Callable[[Done], FollowUp | None] | None = None) -> None:
        # planning may ask the API or read the catalog: never on the UI thread; the thread
        # reads a view of the store frozen here, on the loop
        view = self.frozen_view()
        self.app.run_worker(lambda: self._plan_worker(action, view, dict(choices or {}), after), thread=True,
                            group="action-plan", exit_on_error=False)

    def _plan_worker(self, action: Action, view: StoreView, choices: dict[str, Any],
                     after: Callable[[Done], FollowUp | None] | None) -> None:
        ctx = self.context(view)
        try:
            options = action.options(ctx.store, ctx)
            merged = {**action.default_choices(ctx.store, ctx), **choices}
            plan = action.plan(ctx, merged)
        except ActionError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), title=action.title, severity="error")
            return
        except Exception as exc:
            log.exception("planning %s failed", action.id)
            self.app.call_from_thread(self.app.notify, describe_error(exc), title=action.title, severity="error")
            return
        fixed = {k: v for k, v in choices.items() if k == "preview_run"}
        plan = self._guard_production(plan)

        def replan(new: dict[str, Any]) -> Plan:
            # called on ConfirmScreen's thread: the store is read on the loop, then frozen
            ctx = self.context(self.frozen_view_from_thread())
            return self._guard_production(action.plan(ctx, {**new, **fixed}))

        shown = [o for o in options]
        screen = ConfirmScreen(plan, tuple(shown), {k: v for k, v in merged.items() if k != "preview_run"},
                               replan, refusal=self.runner.refusal(action, plan))
        self.app.call_from_thread(self.app.push_screen, screen,
                                  lambda result: self._confirmed(action, result, after))

    def _guard_production(self, plan: Plan) -> Plan:
        """On a production context every change needs the target's name typed, not only destructive ones."""
        context = self.app.connection.context
        if plan.confirm_name or not plan.writes or not self.app.config.is_production(context):
            return plan
        return dataclasses.replace(plan, confirm_name=plan.target.rsplit("/", 1)[-1].removeprefix("node:"))

    def _confirmed(self, action: Action, result: ConfirmResult | None,
                   after: Callable[[Done], FollowUp | None] | None) -> None:
        if result is None:
            return
        if result.alternative is not None:
            alt_id, key = result.alternative
            self.request(alt_id, [_Key(key)])
            return
        screen = ProgressScreen(result.plan.title, cancel=action.cancel)
        self.app.push_screen(screen)
        self.app.run_worker(lambda: self._execute(action, result, screen, after), thread=True,
                            group="action-run", exit_on_error=False, name=result.plan.title)

    def _execute(self, action: Action, result: ConfirmResult, screen: ProgressScreen,
                 after: Callable[[Done], FollowUp | None] | None) -> None:
        ctx = self.context(self.frozen_view_from_thread())
        final: Done | None = None
        self.running[result.plan.title] = action
        try:
            for event in self.runner.run(action, ctx, result.plan, result.typed):
                if isinstance(event, Done):
                    final = event
                screen.post_message(ActionEvent(event))
        finally:
            self.running.pop(result.plan.title, None)
        if final is not None:
            self.app.call_from_thread(self._finished, action, final, screen, after)

    def _finished(self, action: Action, done: Done, screen: ProgressScreen,
                  after: Callable[[Done], FollowUp | None] | None) -> None:
        follow = after(done) if after is not None else None
        if follow is not None:
            screen.offer(follow)
        if not screen.is_attached or self.app.screen is not screen:
            severity = "information" if done.outcome == "succeeded" else "warning"
            self.app.notify(done.message.splitlines()[0] if done.message else done.outcome,
                            title=f"{action.title}: {done.outcome}", severity=severity)
        self.app.refresh_bindings()


class _Key:
    """A row stand-in carrying only a key (the "sync instead" alternative names its app by key)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.name = key.rsplit("/", 1)[-1]
