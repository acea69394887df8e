"""Run a catalog playbook on selected nodes: a check-mode run (--check --diff) as the preview,
then the real run once confirmed. Both go through the ActionRunner and leave an audit record."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..ports import StoreView
from .ansible_model import load_run
from .ansible_run import PlaybookRun, new_run_id
from .base import Action, ActionContext, ActionError, Done, Plan, ProgressEvent, Text
from .catalog import Catalog, check_limit, inventory_groups, load_catalog
from .nodes import drain_warnings, other_nodes_not_ready


def node_lock(host: str) -> str:
    return f"node:{host}"


def catalog_for(ctx: ActionContext) -> Catalog:
    if ctx.playbook_dir is None:
        raise ActionError("no playbook directory configured")
    return load_catalog(Path(ctx.playbook_dir) / "catalog.yaml")


class PlaybookAction(Action):
    id = "playbook"
    title = "Playbook"

    def __init__(self, entry_id: str, hosts: list[str], *, check: bool, catalog: Catalog) -> None:
        if not hosts:
            raise ActionError("choose at least one node")
        super().__init__(",".join(hosts))
        self.entry = catalog.get(entry_id)
        self.hosts = list(hosts)
        self.check = check
        self.title = f"{self.entry.title} ({'check' if check else 'run'})"
        self.danger = "safe" if check else self.entry.danger
        self.writes = not check
        self._run: PlaybookRun | None = None

    def lock_keys(self) -> tuple[str, ...]:
        return tuple(node_lock(h) for h in self.hosts)

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Text, ...]:
        return tuple(Text(v.name, v.description or v.name, "" if v.default is None else str(v.default))
                     for v in self.entry.variables)

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        if ctx.inventory is None:
            raise ActionError("no inventory configured: set `inventory` in the config")
        limit = check_limit(self.entry, self.hosts, inventory_groups(ctx.inventory))
        chosen = dict(choices or {})
        preview_dir = chosen.pop("preview_run", None)
        declared = {v.name for v in self.entry.variables}
        unknown = sorted(set(chosen) - declared)
        if unknown:
            raise ActionError(f"{self.entry.id} takes no variable {', '.join(unknown)}")
        extravars = {**{k: v for k, v in self.entry.defaults().items() if v not in (None, "")},
                     **{k: v for k, v in chosen.items() if v not in (None, "")}}
        run_id = new_run_id()
        lines = [f"{self.entry.title}: {self.entry.playbook.name} on {limit}",
                 f"inventory {ctx.inventory}"]
        lines += [f"  {k} = {v}" for k, v in sorted(extravars.items())]
        if self.check:
            lines.append("Check mode (--check --diff): shows what would change, changes nothing.")
        else:
            lines.append(f"REAL RUN ({self.entry.danger}): hosts are changed.")
            lines += _preview_lines(preview_dir)
        danger = self.danger
        warnings: list[str] = []
        confirm_name = limit if danger == "destructive" else None
        if self.entry.drains:
            warnings = drain_warnings(ctx, self.hosts)
            down = other_nodes_not_ready(ctx.store, self.hosts)
            if down and not self.check:
                warnings.insert(0, f"{', '.join(down)} NotReady already: taking {limit} out too leaves fewer "
                                   "nodes than usual; type the target to go on")
                confirm_name = limit
        return Plan(action_id=self.id, target=f"node:{limit}", title=self.title, danger=danger,
                    lines=tuple(lines), requests=({"playbook": str(self.entry.playbook), "limit": limit,
                                                   "extravars": extravars, "check": self.check},),
                    affected=tuple(f"node {h}" for h in self.hosts), warnings=tuple(warnings),
                    confirm_name=confirm_name,
                    writes=not self.check, locks=self.lock_keys(),
                    choices={"entry": self.entry.id, **chosen},
                    data={"run_id": run_id, "artifact": str(Path(ctx.state_dir) / "runs" / run_id),
                          "extravars": extravars, "limit": limit})

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        assert ctx.inventory is not None
        if not self.entry.playbook.is_file():  # removed since the preview: say so before anything runs
            yield Done("failed", f"playbook {self.entry.playbook} does not exist any more. Nothing was changed.")
            return
        self._run = PlaybookRun(self.entry, plan.data["limit"], plan.data["extravars"], self.check,
                                ctx.state_dir, ctx.inventory, run_id=plan.data["run_id"])
        if self.cancelled:
            yield Done("cancelled", "cancelled before it started")
            return
        yield from self._run.events()

    def cancel(self) -> None:
        super().cancel()
        if self._run is not None:
            self._run.cancel()

    def interrupt(self, reason: str) -> None:
        super().interrupt(reason)
        if self._run is not None:
            self._run.interrupt(reason)


def _preview_lines(run_dir: Any) -> list[str]:
    """What the check run said would change: the real run's preview."""
    if not run_dir:
        return ["No check run to compare with."]
    tree = load_run(Path(run_dir))
    counts = tree.counts()
    out = [f"Check run {tree.run_id}: {tree.status}; " + ", ".join(f"{n} {k}" for k, n in counts.items() if n)]
    for task in tree.tasks():
        hosts = [h.host for h in task.hosts if h.status in ("changed", "failed", "unreachable")]
        if hosts:
            out.append(f"  {task.status:<8} {task.name}: {', '.join(hosts)}")
    return out
