"""ActionRunner: the one path every action takes from a confirmed plan to its audit record.

Refuses (with a reason) non-safe actions when read-only, a second action on a busy target,
and destructive plans whose typed confirmation does not match. Otherwise writes the start
record, streams the action's events, and writes the end record whatever happens.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from .audit import AuditLog, Who
from .base import Action, ActionContext, Done, Note, Plan, ProgressEvent
from .redact import redact_text


class ActionRunner:
    def __init__(self, state_dir: Path, *, context: str = "", read_only: bool = False,
                 who: Who | None = None, clock: Any = None) -> None:
        self.audit = AuditLog(state_dir)
        self.context = context
        self.read_only = read_only
        self.who = who or Who.from_env()
        self._clock = clock
        self._running: dict[str, Action] = {}  # target -> the action holding it
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.interrupted: str | None = None  # set by interrupt(): every later end record says so

    # -- questions the UI asks before offering a key ------------------------------------
    def refusal(self, action: Action, plan: Plan | None = None) -> str | None:
        """Why this action may not run now, or None."""
        danger = plan.danger if plan else action.danger
        writes = plan.writes if plan else action.writes
        if self.read_only and (danger != "safe" or writes):
            return f"read-only mode: {action.title or action.id} would change the cluster"
        with self._lock:
            holder = next((self._running[k] for k in _locks(action, plan) if k in self._running), None)
        if holder is not None and holder is not action:
            return f"{holder.title or holder.id} is already running on {holder.target}; wait for it or cancel it"
        return None

    def running(self) -> dict[str, Action]:
        with self._lock:
            return dict(self._running)

    def interrupt(self, reason: str) -> None:
        """The app is ending (SIGHUP: the operator's SSH session is gone; SIGTERM): stop every
        running action; their end records say `interrupted` and why. New actions are refused."""
        self.interrupted = reason
        for action in set(self.running().values()):
            action.interrupt(reason)

    def wait_idle(self, timeout: float) -> bool:
        """True once no action runs (each one's end record written), False after `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._running, timeout)

    # -- the one path --------------------------------------------------------------------
    def run(self, action: Action, ctx: ActionContext, plan: Plan, typed: str = "") -> Iterator[ProgressEvent]:
        reason = self.refusal(action, plan)
        if self.interrupted:
            reason = f"clusterdeck is shutting down ({self.interrupted})"
        if reason is None and plan.confirm_name and typed.strip() != plan.confirm_name:
            what = "destructive action" if plan.danger == "destructive" else "change"
            reason = f"type {plan.confirm_name!r} to confirm this {what}"
        locks = _locks(action, plan)
        if reason is None:
            with self._lock:  # check and take every lock at once: two threads cannot both win
                holder = next((self._running[k] for k in locks if k in self._running), None)
                if holder is not None:
                    reason = f"{holder.title or holder.id} is already running on {holder.target}"
                else:
                    self._running.update(dict.fromkeys(locks, action))
        if reason is not None:
            yield Done("refused", reason)
            return
        run_id = uuid.uuid4().hex[:12]
        base = self._base_record(run_id, action, plan)
        try:
            self.audit.write({**base, "phase": "start", "outcome": "started"})
        except OSError as exc:
            self._release(locks)
            yield Done("refused", f"cannot write the audit log ({exc}); nothing was done")
            return
        done: Done | None = None
        try:
            for event in action.execute(ctx, plan):
                if isinstance(event, Note):
                    event = Note(redact_text(event.text), event.level)
                if isinstance(event, Done):
                    done = Done(event.outcome, redact_text(event.message), event.artifact)
                    break
                yield event
            if done is None:
                done = Done("cancelled", "stopped") if action.cancelled else Done("succeeded", "done")
        except GeneratorExit:
            done = Done("cancelled", "the screen following it was closed")
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message and an end record
            done = Done("failed", redact_text(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)))
        finally:
            final = done or Done("failed", "interrupted")
            if self.interrupted and final.outcome in ("cancelled", "failed", "unknown", "interrupted"):
                final = Done("interrupted", f"interrupted ({self.interrupted}): {final.message}", final.artifact)
            self.audit.write({**base, "phase": "end", "time": self._now(), "outcome": final.outcome,
                              "message": final.message, "artifact": final.artifact})
            self._release(locks)
        yield final

    def _release(self, locks: tuple[str, ...]) -> None:
        with self._lock:
            for key in locks:
                self._running.pop(key, None)
            self._idle.notify_all()

    def _base_record(self, run_id: str, action: Action, plan: Plan) -> dict[str, Any]:
        return {
            "time": self._now(), "id": run_id, "user": self.who.user, "client": self.who.client,
            "context": self.context, "action": plan.action_id, "title": plan.title,
            "target": plan.target, "danger": plan.danger, "plan_digest": plan.digest(),
            "choices": dict(plan.choices), "artifact": plan.data.get("artifact"),
        }

    def _now(self) -> str:
        from datetime import datetime

        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        return now.isoformat().replace("+00:00", "Z")


def _locks(action: Action, plan: Plan | None) -> tuple[str, ...]:
    if plan is not None:
        return plan.locks or (plan.target,)
    return action.lock_keys()
