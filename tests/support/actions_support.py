"""Helpers for the action tests (engineer G): a real store filled from the emulator, a context, a run."""
from __future__ import annotations

import copy
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPO
from tui.core.actions import Action, ActionContext, ActionRunner, Done, Plan, Who
from tui.core.clock import FrozenClock
from tui.core.events import Relisted
from tui.core.kinds import KINDS
from tui.core.kube_http import client_for
from tui.core.store import ClusterStore

PLAYBOOKS = REPO / "playbooks"


def store_from(emu: Any, store: ClusterStore | None = None) -> ClusterStore:
    """A ClusterStore holding what the emulator holds now (the relist the sources would deliver)."""
    store = store or ClusterStore(FrozenClock())
    for key in KINDS:
        store.handle(Relisted(key, copy.deepcopy(emu.list(key))))
    return store


def context(emu: Any, state_dir: Path, **overrides: Any) -> ActionContext:
    values: dict[str, Any] = {
        "api_client": client_for(emu.url), "store": store_from(emu), "clock": FrozenClock("2026-11-26T14:05:00Z"),
        "state_dir": state_dir, "context": "clusterdeck-test", "timeout": 20.0, "poll_interval": 0.05,
        "playbook_dir": PLAYBOOKS, "inventory": PLAYBOOKS / "inventory" / "demo.yml", "user": "tester",
    }
    values.update(overrides)
    return ActionContext(**values)


def runner_for(ctx: ActionContext, **kwargs: Any) -> ActionRunner:
    return ActionRunner(ctx.state_dir, context=ctx.context, who=Who("tester", "10.9.8.7"), **kwargs)


def run_all(runner: ActionRunner, action: Action, ctx: ActionContext, plan: Plan, typed: str = "") -> list[Any]:
    events = list(runner.run(action, ctx, plan, typed))
    assert isinstance(events[-1], Done), events[-1]
    return events


def patched(objects: list[dict[str, Any]], kind: str, name: str, change: Any) -> list[dict[str, Any]]:
    """A copy of the seed with one object changed by ``change(obj)``."""
    out = copy.deepcopy(objects)
    for obj in out:
        if obj.get("kind") == kind and obj["metadata"]["name"] == name:
            change(obj)
    return out


def write_small_catalog(book: Path) -> Path:
    """A catalog of tiny playbooks: quick to run, and one that sleeps so it can be cancelled."""
    book.mkdir(parents=True, exist_ok=True)
    (book / "slow.yml").write_text(textwrap.dedent("""\
        - name: Slow
          hosts: all
          gather_facts: false
          tasks:
            - name: first
              ansible.builtin.debug: {msg: "first on {{ inventory_hostname }}"}
            - name: sleep a while
              ansible.builtin.command: sleep 30
              changed_when: false
            - name: never reached
              ansible.builtin.debug: {msg: "late"}
        """))
    (book / "three.yml").write_text(textwrap.dedent("""\
        - name: Three steps
          hosts: all
          gather_facts: false
          tasks:
            - name: one
              ansible.builtin.ping:
            - name: two
              ansible.builtin.debug: {msg: "token from env is '{{ lookup('env', 'ARGOCD_AUTH_TOKEN') }}'"}
            - name: three
              ansible.builtin.command: "true"
              changed_when: true
        """))
    (book / "catalog.yaml").write_text(yaml.safe_dump({"playbooks": [
        {"id": "slow", "title": "Slow", "playbook": "slow.yml", "danger": "safe", "limits": ["host"]},
        {"id": "three", "title": "Three", "playbook": "three.yml", "danger": "disruptive",
         "limits": ["workers", "host"], "variables": {"note": {"default": "hi"}}},
        {"id": "broken", "playbook": "missing.yml"},
    ]}))
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    dead = {"ansible_host": "127.0.0.1", "ansible_port": 9, "ansible_user": "nobody",
            "ansible_ssh_common_args": "-o ConnectTimeout=3 -o StrictHostKeyChecking=no"}
    (book / "inventory.yml").write_text(yaml.safe_dump({"all": {"children": {
        "workers": {"hosts": {"local-a": local, "local-b": local}},
        "gone": {"hosts": {"dead-1": dead}}}}}))
    return book


class LonghornManager:
    """A small Longhorn manager REST surface on loopback (REFERENCE 1.5): `attach` / `detach`
    actions written as VolumeAttachment tickets through the emulator's kube API, as the real
    manager does; `GET /v1/volumes` answers so the app sees it as reachable."""

    def __init__(self, emu: Any) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse

        from tui.core.kube_http import MERGE_PATCH, request_json

        client = client_for(emu.url)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if urlparse(self.path).path.rstrip("/") == "/v1/volumes":
                    self._answer(200, {"type": "collection", "data": []})
                else:
                    self._answer(404, {"message": "not found"})

            def do_POST(self) -> None:
                url = urlparse(self.path)
                name = url.path.rsplit("/", 1)[-1]
                action = (parse_qs(url.query).get("action") or [""])[0]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                calls.append((action, body))
                path = f"/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumeattachments/{name}"
                if action == "attach":
                    ticket_id = body["attachmentID"]
                    ticket = {"id": ticket_id, "type": body.get("attacherType") or "longhorn-api",
                              "nodeID": body["hostId"],
                              "parameters": {"disableFrontend": str(bool(body.get("disableFrontend"))).lower(),
                                             "lastAttachedBy": body.get("attachedBy", "")}}
                    patch = {"spec": {"attachmentTickets": {ticket_id: ticket}}}
                elif action == "detach":
                    patch = {"spec": {"attachmentTickets": {body["attachmentID"]: None}}}
                else:
                    self._answer(400, {"message": f"unsupported action {action}"})
                    return
                request_json(client, "PATCH", path, body=patch, content_type=MERGE_PATCH)
                self._answer(200, {"id": name, "type": "volume"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
