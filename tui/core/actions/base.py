"""The action framework: what every action declares, plans and streams while it runs.

preconditions(store) -> problems; options(store) -> what the confirm dialog offers;
plan(ctx, choices) -> Plan (the preview: exact requests, affected objects);
execute(ctx, plan) -> progress events (a plain iterator, run in a worker thread);
cancel() asks a running execute() to stop at its next check.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..findings import Finding
from .redact import redact

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

    from ..clock import Clock
    from ..ports import StoreView

Danger = Literal["safe", "disruptive", "destructive"]
# unknown: the action cannot tell whether its change happened (the API was lost mid-way)
Outcome = Literal["succeeded", "failed", "cancelled", "refused", "unknown", "interrupted"]
DANGER_ORDER: dict[str, int] = {"safe": 0, "disruptive": 1, "destructive": 2}


# -- what the confirm dialog offers -------------------------------------------------------


@dataclass(frozen=True)
class Toggle:
    id: str
    label: str
    default: bool = False


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    options: tuple[str, ...]  # the values; the first one is the default unless `default` says
    default: str | None = None

    @property
    def initial(self) -> str | None:
        return self.default if self.default is not None else (self.options[0] if self.options else None)


@dataclass(frozen=True)
class Text:
    id: str
    label: str
    default: str = ""


Option = Toggle | Choice | Text


# -- the preview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    action_id: str
    target: str  # "kind/ns/name", "node:<name>", ...: what the one-at-a-time lock is keyed by
    title: str
    danger: Danger
    lines: tuple[str, ...] = ()  # human preview text
    diff: tuple[str, ...] = ()  # a unified diff of what the change does (shown coloured)
    requests: tuple[dict[str, Any], ...] = ()  # exact requests {method, path, content_type, body}
    # the objects the change reaches (lines) and what is at risk (Findings), from the impact index
    affected: tuple[str | Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    confirm_name: str | None = None  # the name the operator must type (destructive, or production)
    locks: tuple[str, ...] = ()  # targets held while it runs (default: just `target`)
    writes: bool = True  # False only for previews that change nothing (check-mode runs): allowed read-only
    choices: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)  # action-private details for execute()

    def to_json(self) -> dict[str, Any]:
        """Canonical, redacted form: what the digest covers and the audit log may show."""
        canonical: dict[str, Any] = redact({
            "action": self.action_id, "target": self.target, "danger": self.danger,
            "lines": list(self.lines), "requests": [dict(r) for r in self.requests],
            "affected": [a if isinstance(a, str) else f"! {a.text}" for a in self.affected],
            "warnings": list(self.warnings),
            "confirm_name": self.confirm_name, "choices": dict(self.choices),
            **({"diff": list(self.diff)} if self.diff else {}),
        })
        return canonical

    def digest(self) -> str:
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


# -- progress events (streamed to the progress screen) -----------------------------------


@dataclass(frozen=True)
class Note:
    """One line of progress: "patch sent", "attaching on hel-wk-02", ..."""

    text: str
    level: Literal["info", "warning", "error"] = "info"


@dataclass(frozen=True)
class Progress:
    done: float
    total: float
    text: str = ""


@dataclass(frozen=True)
class RunUpdate:
    """A playbook run's play/task/host tree changed (a frozen snapshot, see ansible_model)."""

    run: Any  # ansible_model.RunTree; Any keeps this module free of the ansible import


@dataclass(frozen=True)
class Done:
    outcome: Outcome
    message: str
    artifact: str | None = None  # run directory, when there is one


ProgressEvent = Note | Progress | RunUpdate | Done


# -- what an action runs with ---------------------------------------------------------------


@dataclass
class ActionContext:
    """Everything an action may touch. Built by the app (or a test) from the connection and config."""

    api_client: ApiClient | None
    store: StoreView  # on a thread, a FrozenView taken on the loop (tui/core/frozen_view.py)
    clock: Clock
    state_dir: Path
    context: str = ""  # kube context name, for the audit log
    read_only: bool = False
    argocd_url: str | None = None
    argocd_token: str | None = field(default=None, repr=False)  # never in a repr (crash output, logs)
    argocd_ca_file: str | None = None  # the CA the Argo CD server's certificate is checked against
    argocd_insecure: bool = False  # no certificate check: only when the operator set it
    longhorn_url: str | None = None
    inventory: Path | None = None
    playbook_dir: Path | None = None  # where catalog.yaml and the playbooks live
    check_only: bool = False  # the demo inventory: flows run their playbooks in check mode only
    user: str = "clusterdeck"  # who the cluster sees as initiator (Argo CD initiatedBy)
    timeout: float = 300.0  # how long to follow an operation before giving up
    poll_interval: float = 0.25


def gone(what: str) -> str:
    """The precondition every action has: its target still exists."""
    return f"{what} is not in the cluster (any more)"


class ActionError(Exception):
    """A clear, user-facing reason an action cannot plan or continue."""


class Action:
    """Base class. Subclasses set id/title/danger and implement plan() and execute()."""

    id: str = ""
    title: str = ""
    danger: Danger = "safe"
    writes: bool = True  # changes something somewhere (read-only mode refuses it)

    def __init__(self, target: str) -> None:
        self.target = target
        self._cancel = threading.Event()

    # Overridable -----------------------------------------------------------------------
    def preconditions(self, store: StoreView) -> list[str]:
        return []

    def prerequisite(self, store: StoreView) -> Action | None:
        """A separate action that must succeed first (its own preview, confirm and audit record)."""
        return None

    def options(self, store: StoreView, ctx: ActionContext | None = None) -> tuple[Option, ...]:
        """What the confirm dialog offers; with ctx an action may ask the API (call it off the UI thread)."""
        return ()

    def plan(self, ctx: ActionContext, choices: Mapping[str, Any] | None = None) -> Plan:
        raise NotImplementedError

    def require_preconditions(self, ctx: ActionContext) -> None:
        """A plan starts here: the first unmet precondition, as the ActionError the screen shows."""
        problems = self.preconditions(ctx.store)
        if problems:
            raise ActionError(problems[0])

    def execute(self, ctx: ActionContext, plan: Plan) -> Iterator[ProgressEvent]:
        raise NotImplementedError

    def lock_keys(self) -> tuple[str, ...]:
        """What the runner holds while this runs (plans say it via Plan.locks)."""
        return (self.target,)

    # Shared ------------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    def interrupt(self, reason: str) -> None:
        """The app is going away (SIGHUP/SIGTERM): stop like cancel(); the runner records why."""
        self.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def default_choices(self, store: StoreView, ctx: ActionContext | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for opt in self.options(store, ctx):
            out[opt.id] = opt.initial if isinstance(opt, Choice) else opt.default
        return out

    def _choices(self, store: StoreView, choices: Mapping[str, Any] | None) -> dict[str, Any]:
        merged = self.default_choices(store)  # without ctx: no API call, the caller's choices win
        merged.update(choices or {})
        return merged
