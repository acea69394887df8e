"""Issue 9: the data import checks everything before its first change, and takes back what it
changed when a later step fails. Each step is broken in turn against the emulator (and real
ansible-runner runs on this machine); afterwards the volume carries no clusterdeck ticket, and
every undo has its own audit record."""
from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.actions_support import (
    PLAYBOOKS,
    LonghornManager,
    context,
    run_all,
    runner_for,
    store_from,
)
from tui.core.actions import TICKET_ID, ActionError, AuditLog, VolumeMount, VolumeUnmount
from tui.emulator.demo import demo_objects

VOLUME = "import-wiki-legacy"
KEY = f"longhorn-system/{VOLUME}"
NODE = "hel-wk-02"
FAILING = textwrap.dedent("""\
    - name: A step that fails
      hosts: all
      gather_facts: false
      tasks:
        - name: Refuse
          ansible.builtin.fail: {msg: "broken on purpose by the test"}
    """)


def _books(tmp_path: Path, **replace: str | None) -> Path:
    """A copy of the playbooks; `replace={"volume-mount.yml": text}` swaps a file, None deletes it."""
    book = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS, book)
    for name, text in replace.items():
        target = book / (name.removesuffix("_yml").replace("_", "-") + ".yml")
        if text is None:
            target.unlink()
        else:
            target.write_text(text)
    return book


def _local_inventory(tmp_path: Path, host: str = NODE) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": {host: {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    return path


def _ticket(emu: Any) -> Any:
    va = emu.get("lh_attachments", "longhorn-system", VOLUME)
    return (va["spec"].get("attachmentTickets") or {}).get(TICKET_ID)


def _undo_records(state: Path) -> list[dict[str, Any]]:
    return [r for r in AuditLog(state).records() if r.get("phase") == "undo"]


def _without_catalog_entry(tmp_path: Path) -> Path:
    book = _books(tmp_path)
    catalog = yaml.safe_load((book / "catalog.yaml").read_text())
    catalog["playbooks"] = [e for e in catalog["playbooks"] if e["playbook"] != "volume-mount.yml"]
    (book / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    return book


# -- before the first change: plan() refuses, naming every problem ------------------------------

BROKEN_BEFORE = {
    "no catalog": (lambda tmp: {"playbook_dir": tmp / "empty"}, "no playbook catalog at"),
    "no catalog entry": (lambda tmp: {"playbook_dir": _without_catalog_entry(tmp)},
                         "volume-mount.yml is not in the playbook catalog"),
    "playbook file missing": (lambda tmp: {"playbook_dir": _books(tmp, volume_unmount_yml=None)},
                              "volume-unmount.yml is not in the playbook catalog .*does not exist"),
    "no inventory": (lambda tmp: {"inventory": tmp / "nowhere.yml"}, "inventory .*nowhere.yml does not exist"),
    "node not in inventory": (lambda tmp: {"inventory": _local_inventory(tmp, "some-other-host")},
                              f"{NODE} is not in the inventory"),
}


@pytest.mark.parametrize("broken", list(BROKEN_BEFORE))
def test_import_refuses_before_its_first_change(broken, emulator_factory, tmp_path):
    (tmp_path / "empty").mkdir()
    overrides, message = BROKEN_BEFORE[broken]
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path / "state", **overrides(tmp_path))
    with pytest.raises(ActionError, match=message) as refused:
        VolumeMount(KEY).plan(ctx, {"node": NODE})
    assert "Nothing was changed" in str(refused.value)
    assert _ticket(emu) is None
    assert emu.get("lh_volumes", "longhorn-system", VOLUME)["status"]["state"] == "detached"


def test_import_refuses_when_the_api_it_writes_to_does_not_answer(emulator_factory, tmp_path):
    """No VolumeAttachment to write the ticket into: said at plan time, nothing written."""
    seed = [o for o in demo_objects() if not (o["kind"] == "VolumeAttachment" and o["metadata"]["name"] == VOLUME)]
    emu = emulator_factory(seed, time_scale=50)
    ctx = context(emu, tmp_path / "state")
    with pytest.raises(ActionError, match=f"cannot read the VolumeAttachment {VOLUME}"):
        VolumeMount(KEY).plan(ctx, {"node": NODE})
    assert AuditLog(tmp_path / "state").records() == []


def test_unmount_refuses_before_it_unmounts_without_its_playbook(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path / "state", check_only=True)  # the demo's way: the mount is a check run
    mount = VolumeMount(KEY)
    assert run_all(runner_for(ctx), mount, ctx, mount.plan(ctx, {"node": NODE}))[-1].outcome == "succeeded"
    ctx.store = store_from(emu)
    ctx.playbook_dir = _books(tmp_path, volume_unmount_yml=None)
    with pytest.raises(ActionError, match="volume-unmount.yml .*Nothing was changed"):
        VolumeUnmount(KEY).plan(ctx)
    assert _ticket(emu)["nodeID"] == NODE  # still attached, as it was


def test_a_playbook_removed_after_the_preview_is_caught_before_the_attach(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    book = _books(tmp_path)
    ctx = context(emu, tmp_path / "state", playbook_dir=book)
    mount = VolumeMount(KEY)
    plan = mount.plan(ctx, {"node": NODE})
    (book / "volume-mount.yml").unlink()  # while the operator reads the confirmation
    done = run_all(runner_for(ctx), mount, ctx, plan)[-1]
    assert done.outcome == "failed" and "Nothing was changed" in done.message and "volume-mount.yml" in done.message
    assert _ticket(emu) is None and _undo_records(tmp_path / "state") == []


# -- after the first change: the import undoes it ------------------------------------------------

def test_attach_that_never_completes_is_undone(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), controllers=False)  # no Longhorn: nothing ever attaches
    ctx = context(emu, tmp_path / "state", timeout=1.0)
    mount = VolumeMount(KEY)
    done = run_all(runner_for(ctx), mount, ctx, mount.plan(ctx, {"node": NODE}))[-1]
    assert done.outcome == "failed"
    assert f"did not attach to {NODE} (timeout)" in done.message
    assert f"Undone: it had attached {VOLUME} to {NODE}" in done.message
    assert _ticket(emu) is None
    [undo] = _undo_records(tmp_path / "state")
    assert undo["outcome"] == "succeeded" and undo["target"] == KEY and undo["user"] == "tester"
    phases = [r["phase"] for r in AuditLog(tmp_path / "state").records()]
    assert phases == ["start", "undo", "end"]


def test_mount_playbook_that_fails_is_undone_unmount_then_ticket(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path / "state", playbook_dir=_books(tmp_path, volume_mount_yml=FAILING),
                  inventory=_local_inventory(tmp_path), check_only=False)
    mount = VolumeMount(KEY)
    events = run_all(runner_for(ctx), mount, ctx, mount.plan(ctx, {"node": NODE}))
    done = events[-1]
    assert done.outcome == "failed" and "broken on purpose" in done.message
    assert "Undone" in done.message and "device unmounted" in done.message
    assert _ticket(emu) is None
    assert [u["outcome"] for u in _undo_records(tmp_path / "state")] == ["succeeded"]
    # the undo's unmount was a real run of its own, in the Runs history
    assert len(list((tmp_path / "state" / "runs").iterdir())) == 2


def test_an_undo_that_fails_says_exactly_what_is_left(emulator_factory, tmp_path):
    emu = emulator_factory(demo_objects(), time_scale=50)
    ctx = context(emu, tmp_path / "state", inventory=_local_inventory(tmp_path), check_only=False,
                  playbook_dir=_books(tmp_path, volume_mount_yml=FAILING, volume_unmount_yml=FAILING))
    mount = VolumeMount(KEY)
    done = run_all(runner_for(ctx), mount, ctx, mount.plan(ctx, {"node": NODE}))[-1]
    assert done.outcome == "failed"
    assert f"It had attached {VOLUME} to {NODE}" in done.message and "the undo failed" in done.message
    assert f"still attached to {NODE}; u unmounts" in done.message
    assert _ticket(emu)["nodeID"] == NODE  # never detached under what may be mounted
    assert [u["outcome"] for u in _undo_records(tmp_path / "state")] == ["failed"]


def test_longhorn_manager_lost_after_the_preview(emulator_factory, tmp_path):
    """The attach request itself fails: nothing landed, and the undo says so truthfully."""
    emu = emulator_factory(demo_objects(), time_scale=50)
    manager = LonghornManager(emu)
    ctx = context(emu, tmp_path / "state", longhorn_url=manager.url)
    mount = VolumeMount(KEY)
    plan = mount.plan(ctx, {"node": NODE, "maintenance": True})
    assert plan.requests[0]["api"] == "longhorn"
    manager.stop()
    done = run_all(runner_for(ctx), mount, ctx, plan)[-1]
    assert done.outcome == "failed" and "the attach request failed: Longhorn manager" in done.message
    assert f"Nothing is left attached: {VOLUME} carries no" in done.message
    assert _ticket(emu) is None
