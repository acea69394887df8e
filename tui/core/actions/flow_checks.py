"""What a multi-step action checks before its first change, and the record of an undo.

A flow that changes the cluster and then runs a playbook (the volume import) must know before
it changes anything that every later step can run: the catalog entry and its playbook file, the
inventory and the target host in it. The undo of a flow that failed half-way gets its own
audit record, next to the runner's start and end records of the action itself.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from .audit import AuditLog
from .base import ActionContext, ActionError, Plan
from .catalog import Catalog, CatalogEntry, inventory_groups, load_catalog


def catalog_entries(ctx: ActionContext, playbook_files: tuple[str, ...]) -> tuple[dict[str, CatalogEntry], list[str]]:
    """The catalog entry for each playbook file, and one problem line per file that has none."""
    if ctx.playbook_dir is None:
        return {}, ["no playbook directory configured"]
    try:
        catalog: Catalog = load_catalog(Path(ctx.playbook_dir) / "catalog.yaml")
    except ActionError as exc:
        return {}, [str(exc)]
    found: dict[str, CatalogEntry] = {}
    problems: list[str] = []
    for name in playbook_files:
        entry = next((e for e in catalog.entries if e.playbook.name == name), None)
        if entry is None:
            # the catalog dropped an entry whose file is missing: say that, not just "absent"
            why = next((p for p in catalog.problems if name in p), None)
            problems.append(f"{name} is not in the playbook catalog {catalog.path}" + (f" ({why})" if why else ""))
        elif not entry.playbook.is_file():
            problems.append(f"playbook {entry.playbook} does not exist")
        else:
            found[name] = entry
    return found, problems


def inventory_problems(ctx: ActionContext, host: str | None, *, list_hosts: bool = True) -> list[str]:
    """Why the playbooks could not run on `host` with the configured inventory (file or directory)."""
    if ctx.inventory is None:
        return ["no inventory configured: cannot run playbooks"]
    if not Path(ctx.inventory).exists():
        return [f"inventory {ctx.inventory} does not exist"]
    if not list_hosts or not host:
        return []
    try:
        groups = inventory_groups(Path(ctx.inventory))
    except ActionError as exc:
        return [str(exc)]
    if host not in groups.get("all", set()):
        return [f"{host} is not in the inventory {ctx.inventory}"]
    return []


def refuse_unless_ready(problems: list[str], what: str) -> None:
    """Raise one ActionError naming every problem, and that nothing was changed."""
    if problems:
        raise ActionError(f"{what}: " + "; ".join(problems) + ". Nothing was changed.")


def audit_undo(ctx: ActionContext, plan: Plan, outcome: str, message: str) -> None:
    """The undo's own audit record (the runner writes the action's start and end records)."""
    AuditLog(ctx.state_dir).write({
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"), "phase": "undo",
        "user": ctx.user, "context": ctx.context, "action": plan.action_id, "title": f"Undo: {plan.title}",
        "target": plan.target, "plan_digest": plan.digest(), "outcome": outcome, "message": message,
    })
