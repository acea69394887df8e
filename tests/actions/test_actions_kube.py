"""Actions against the emulator over HTTP, asserting on the objects the emulator holds afterwards:
volume attach/detach with the clusterdeck ticket, Argo CD sync/rollback/terminate/refresh through
both the REST API and the core way, rollout restart and undo."""
from __future__ import annotations

import pytest

from tests.support.actions_support import (
    LonghornManager,
    context,
    patched,
    run_all,
    runner_for,
    store_from,
)
from tui.core.actions import (
    TICKET_ID,
    ActionError,
    AppAutoSyncOff,
    AppRefresh,
    AppRollback,
    AppSync,
    AppTerminate,
    Done,
    Note,
    Progress,
    RunUpdate,
    VolumeMount,
    VolumeUnmount,
    WorkloadRestart,
    WorkloadUndo,
)
from tui.emulator.demo import demo_objects

IMPORT_VOLUME = "longhorn-system/import-wiki-legacy"
TOKEN = "argocd-test-token-0123456789"


@pytest.fixture
def demo():
    return demo_objects()


def _no_autosync(objects, app):
    def change(obj):
        obj["spec"]["syncPolicy"].pop("automated", None)
    return patched(objects, "Application", app, change)


# -- volumes ------------------------------------------------------------------------------------


def test_attach_in_maintenance_then_detach_through_kube(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=50)
    ctx = context(emu, tmp_path)
    runner = runner_for(ctx)
    mount = VolumeMount(IMPORT_VOLUME)
    assert mount.preconditions(ctx.store) == []
    plan = mount.plan(ctx, {"node": "hel-wk-01", "maintenance": True})
    assert plan.requests[0]["body"]["spec"]["attachmentTickets"][TICKET_ID]["nodeID"] == "hel-wk-01"
    events = run_all(runner, mount, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert any(isinstance(e, Note) and "attaching" in e.text for e in events)  # shown live
    va = emu.get("lh_attachments", "longhorn-system", "import-wiki-legacy")
    ticket = va["spec"]["attachmentTickets"][TICKET_ID]
    assert ticket["type"] == "longhorn-api" and ticket["parameters"]["disableFrontend"] == "true"
    vol = emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")
    assert vol["status"]["state"] == "attached" and vol["status"]["currentNodeID"] == "hel-wk-01"

    ctx.store = store_from(emu)
    assert "already attached by clusterdeck" in VolumeMount(IMPORT_VOLUME).preconditions(ctx.store)[0]
    unmount = VolumeUnmount(IMPORT_VOLUME)
    plan = unmount.plan(ctx)
    assert plan.choices["maintenance"] is True  # nothing mounted: no playbook step
    events = run_all(runner, unmount, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    va = emu.get("lh_attachments", "longhorn-system", "import-wiki-legacy")
    assert TICKET_ID not in (va["spec"].get("attachmentTickets") or {})
    assert emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")["status"]["state"] == "detached"


def test_volume_in_use_is_refused_naming_the_workload(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path)
    problems = VolumeMount("longhorn-system/pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28").preconditions(ctx.store)
    assert problems and "StatefulSet wiki-db" in problems[0] and "scale it to 0" in problems[0]
    with pytest.raises(ActionError, match="wiki-db"):
        VolumeMount("longhorn-system/pvc-b8d14f6a-2e7c-4093-a5d1-9f3c6e0b7a28").plan(ctx, {"node": "hel-wk-01"})


def test_only_ready_nodes_are_offered(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)  # the demo's hel-wk-03 is NotReady
    ctx = context(emu, tmp_path)
    mount = VolumeMount(IMPORT_VOLUME)
    nodes = mount.options(ctx.store)[0].options
    assert "hel-wk-03" not in nodes and "hel-wk-02" in nodes
    with pytest.raises(ActionError, match="hel-wk-03 is not a Ready node"):
        mount.plan(ctx, {"node": "hel-wk-03"})


def test_mount_that_fails_undoes_the_attach_and_says_so(emulator_factory, demo, tmp_path):
    """A real run on this machine: /dev/longhorn/<vol> does not exist, the playbook refuses;
    the import takes its attach back (issue 9: a failing step leaves nothing attached)."""
    emu = emulator_factory(demo, time_scale=50)
    ctx = context(emu, tmp_path, check_only=False)
    mount = VolumeMount(IMPORT_VOLUME)
    plan = mount.plan(ctx, {"node": "hel-wk-02"})
    done = run_all(runner_for(ctx), mount, ctx, plan)[-1]
    assert done.outcome == "failed"
    assert "attached import-wiki-legacy to hel-wk-02" in done.message and "Undone" in done.message
    assert done.artifact and (tmp_path / "runs").is_dir()
    va = emu.get("lh_attachments", "longhorn-system", "import-wiki-legacy")
    assert TICKET_ID not in (va["spec"].get("attachmentTickets") or {})


def test_demo_mount_previews_what_a_real_run_would_do(emulator_factory, demo, tmp_path):
    """The demo runs playbooks in check mode only, and its node has no Longhorn device: the
    flow attaches for real in the emulator and the mount step says what it would do."""
    emu = emulator_factory(demo, time_scale=50)
    ctx = context(emu, tmp_path, check_only=True)
    mount = VolumeMount(IMPORT_VOLUME)
    plan = mount.plan(ctx, {"node": "hel-wk-02"})
    events = run_all(runner_for(ctx), mount, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1].message
    run = next(e.run for e in reversed(events) if isinstance(e, RunUpdate))
    assert run.status == "successful"
    vol = emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")
    assert (vol["status"]["state"], vol["status"]["currentNodeID"]) == ("attached", "hel-wk-02")


def test_attach_and_detach_through_the_longhorn_manager_api(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=50)
    manager = LonghornManager(emu)
    try:
        ctx = context(emu, tmp_path, longhorn_url=manager.url)
        mount = VolumeMount(IMPORT_VOLUME)
        plan = mount.plan(ctx, {"node": "hel-wk-02", "maintenance": True})
        assert plan.requests[0]["api"] == "longhorn" and "Longhorn manager API" in plan.lines[0]
        assert run_all(runner_for(ctx), mount, ctx, plan)[-1].outcome == "succeeded"
        assert manager.calls[-1] == ("attach", {"hostId": "hel-wk-02", "disableFrontend": True,
                                                "attacherType": "longhorn-api", "attachmentID": TICKET_ID,
                                                "attachedBy": TICKET_ID})
        vol = emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")
        assert (vol["status"]["state"], vol["status"]["currentNodeID"]) == ("attached", "hel-wk-02")
        ctx.store = store_from(emu)
        unmount = VolumeUnmount(IMPORT_VOLUME)
        assert run_all(runner_for(ctx), unmount, ctx, unmount.plan(ctx))[-1].outcome == "succeeded"
        assert manager.calls[-1] == ("detach", {"attachmentID": TICKET_ID, "hostId": "", "forceDetach": False})
        assert emu.get("lh_volumes", "longhorn-system", "import-wiki-legacy")["status"]["state"] == "detached"
    finally:
        manager.stop()


def test_unreachable_longhorn_manager_falls_back_to_kube(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path, longhorn_url="http://127.0.0.1:9")
    plan = VolumeMount(IMPORT_VOLUME).plan(ctx, {"node": "hel-wk-02"})
    assert plan.requests[0]["method"] == "PATCH"
    assert "through the kube API (Longhorn manager at http://127.0.0.1:9: Longhorn manager: connection refused)" \
        in plan.lines[0]


# -- Argo CD ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rest", [False, True], ids=["core", "rest"])
def test_sync_out_of_sync_app_to_synced(emulator_factory, demo, tmp_path, rest):
    emu = emulator_factory(demo, time_scale=30, argocd_token=TOKEN)
    extra = {"argocd_url": emu.url, "argocd_token": TOKEN} if rest else {}
    ctx = context(emu, tmp_path, **extra)
    sync = AppSync("argocd/donate")
    plan = sync.plan(ctx, {"prune": False})
    assert plan.danger == "disruptive" and any("OutOfSync" in line for line in plan.lines)
    assert (plan.requests[0].get("api") == "argocd") is rest
    events = run_all(runner_for(ctx), sync, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert any(isinstance(e, Note) and "Running" in e.text for e in events)
    app = emu.get("applications", "argocd", "donate")
    assert app["status"]["sync"]["status"] == "Synced"
    assert app["status"]["operationState"]["phase"] == "Succeeded"
    assert "operation" not in app or app["operation"] is None
    assert len(app["status"]["history"]) == 3
    audit = (tmp_path / "audit.jsonl").read_text()
    assert TOKEN not in audit and TOKEN not in repr(events) and '"outcome": "succeeded"' in audit


def test_sync_with_prune_is_destructive_and_needs_the_name(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=30)
    ctx = context(emu, tmp_path)
    sync = AppSync("argocd/donate")
    plan = sync.plan(ctx, {"prune": True})
    assert plan.danger == "destructive" and plan.confirm_name == "donate"
    events = list(runner_for(ctx).run(sync, ctx, plan, typed="donat"))
    assert events == [Done("refused", "type 'donate' to confirm this destructive action")]
    assert emu.get("applications", "argocd", "donate").get("operation") is None
    done = run_all(runner_for(ctx), sync, ctx, plan, typed="donate")[-1]
    assert done.outcome == "succeeded"
    assert emu.get("applications", "argocd", "donate")["status"]["operationState"]["operation"]["sync"]["prune"] is True


@pytest.mark.parametrize("rest", [False, True], ids=["core", "rest"])
def test_rollback_to_history_id(emulator_factory, demo, tmp_path, rest):
    emu = emulator_factory(_no_autosync(demo, "wiki"), time_scale=30, argocd_token=TOKEN)
    extra = {"argocd_url": emu.url, "argocd_token": TOKEN} if rest else {}
    ctx = context(emu, tmp_path, **extra)
    before = emu.get("applications", "argocd", "wiki")["status"]["history"]
    target = before[0]
    rollback = AppRollback("argocd/wiki")
    assert rollback.options(ctx.store)[0].options[0].startswith(f"{before[-2]['id']}  {before[-2]['revision'][:7]}  ")
    plan = rollback.plan(ctx, {"id": str(target["id"])})
    assert plan.confirm_name == "wiki" and plan.danger == "destructive"
    done = run_all(runner_for(ctx), rollback, ctx, plan, typed="wiki")[-1]
    assert done.outcome == "succeeded", done
    app = emu.get("applications", "argocd", "wiki")
    assert app["status"]["operationState"]["operation"]["sync"]["revision"] == target["revision"]
    assert app["status"]["history"][-1]["revision"] == target["revision"]


@pytest.mark.parametrize("rest", [False, True], ids=["core", "rest"])
def test_auto_sync_off_is_the_step_before_a_rollback(emulator_factory, demo, tmp_path, rest):
    """Argo CD refuses a rollback with auto-sync on: the rollback names the step it needs first, its
    plan refuses while the API still shows auto-sync, and the step succeeds once the API shows it gone."""
    emu = emulator_factory(demo, time_scale=30, argocd_token=TOKEN)
    extra = {"argocd_url": emu.url, "argocd_token": TOKEN} if rest else {}
    ctx = context(emu, tmp_path, **extra)
    rollback = AppRollback("argocd/wiki")
    assert rollback.preconditions(ctx.store) == []  # the key applies: it offers the step first
    first = rollback.prerequisite(ctx.store)
    assert isinstance(first, AppAutoSyncOff)
    with pytest.raises(ActionError, match="automated sync on: Argo CD refuses a rollback"):
        rollback.plan(ctx, {"id": "2"})
    done = run_all(runner_for(ctx), first, ctx, first.plan(ctx))[-1]
    assert done.outcome == "succeeded", done
    assert "automated" not in emu.get("applications", "argocd", "wiki")["spec"]["syncPolicy"]
    ctx.store = store_from(emu)
    assert rollback.prerequisite(ctx.store) is None
    assert rollback.plan(ctx, {"id": "2"}).choices == {"id": 2}
    assert AppAutoSyncOff("argocd/wiki").preconditions(ctx.store) == ["wiki has no automated sync to turn off"]


@pytest.mark.parametrize("rest", [False, True], ids=["core", "rest"])
def test_terminate_a_running_operation(emulator_factory, demo, tmp_path, rest):
    emu = emulator_factory(demo, time_scale=0.05, argocd_token=TOKEN)  # the sync would take a minute
    extra = {"argocd_url": emu.url, "argocd_token": TOKEN} if rest else {}
    ctx = context(emu, tmp_path, **extra)
    sync = AppSync("argocd/api")
    runner = runner_for(ctx)
    stream = runner.run(sync, ctx, sync.plan(ctx), "")
    for event in stream:  # until the controller says Running
        if isinstance(event, Note) and "Running" in event.text:
            break
    sync.cancel()
    assert list(stream)[-1].outcome == "cancelled"
    ctx.store = store_from(emu)
    terminate = AppTerminate("argocd/api")
    assert terminate.preconditions(ctx.store) == []
    done = run_all(runner, terminate, ctx, terminate.plan(ctx))[-1]
    assert done.outcome == "succeeded", done
    app = emu.get("applications", "argocd", "api")
    assert app["status"]["operationState"]["phase"] == "Failed"
    assert "terminated" in app["status"]["operationState"]["message"]
    assert app.get("operation") is None


def test_refresh_sets_the_annotation_the_controller_reads(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path, timeout=0.3)
    refresh = AppRefresh("argocd/bot")
    done = run_all(runner_for(ctx), refresh, ctx, refresh.plan(ctx, {"mode": "hard"}))[-1]
    # no controller runs here, so nobody clears it: the annotation is what we wrote
    app = emu.get("applications", "argocd", "bot")
    assert app["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "hard"
    assert done.outcome == "failed" and "timeout" in done.message


# -- workloads ----------------------------------------------------------------------------------


def test_rollout_restart_rolls_pods_and_reports_progress(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=5)  # 3 replicas, one step per 0.2 s
    ctx = context(emu, tmp_path)
    restart = WorkloadRestart("Deployment/donate/donate")
    plan = restart.plan(ctx)
    events = run_all(runner_for(ctx), restart, ctx, plan)
    assert events[-1].outcome == "succeeded", events[-1]
    assert "successfully rolled out" in events[-1].message
    bars = [e for e in events if isinstance(e, Progress)]
    assert any(e.text.startswith("progressing") and e.done < e.total for e in bars)
    assert bars[-1].done == bars[-1].total == 3
    dep = emu.get("deployments", "donate", "donate")
    stamp = dep["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    assert stamp.startswith("2026-11-26T")  # the injected clock, local offset like kubectl
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "6"


def test_undo_to_the_previous_revision_restores_its_template(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=40)
    ctx = context(emu, tmp_path)
    restart = WorkloadRestart("Deployment/website/website")
    assert run_all(runner_for(ctx), restart, ctx, restart.plan(ctx))[-1].outcome == "succeeded"
    ctx.store = store_from(emu)
    undo = WorkloadUndo("Deployment/website/website")
    revisions = undo.options(ctx.store, ctx)[0].options
    assert revisions[0] == "23"  # newest first, the current one (24) left out
    plan = undo.plan(ctx)
    done = run_all(runner_for(ctx), undo, ctx, plan)[-1]
    assert done.outcome == "succeeded", done
    dep = emu.get("deployments", "website", "website")
    annotations = dep["spec"]["template"]["metadata"].get("annotations") or {}
    assert "kubectl.kubernetes.io/restartedAt" not in annotations  # back to revision 23's template
    assert "pod-template-hash" not in dep["spec"]["template"]["metadata"]["labels"]


def test_restart_warns_when_argocd_self_heal_owns_the_workload(emulator_factory, demo, tmp_path):
    def tracked(obj):
        obj["metadata"].setdefault("labels", {})["argocd.argoproj.io/instance"] = "bot"
    emu = emulator_factory(patched(demo, "Deployment", "bot", tracked), controllers=False)
    ctx = context(emu, tmp_path)
    plan = WorkloadRestart("Deployment/bot/bot").plan(ctx)
    assert plan.warnings and "self-heal" in plan.warnings[0] and "Sync bot" in plan.warnings[0]
    assert plan.data["alternative"] == ("app.sync", "argocd/bot")
    donate = WorkloadRestart("Deployment/donate/donate").plan(ctx)  # donate has selfHeal off
    assert donate.warnings == ()


def test_concurrent_action_on_the_same_target_is_refused(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=0.05)
    ctx = context(emu, tmp_path)
    runner = runner_for(ctx)
    first = AppSync("argocd/api")
    stream = runner.run(first, ctx, first.plan(ctx), "")
    next(stream)  # started: holds argocd/api
    second = AppRefresh("argocd/api")
    assert "Sync is already running on argocd/api" in runner.refusal(second)
    events = list(runner.run(second, ctx, second.plan(ctx), ""))
    assert events[-1].outcome == "refused" and "already running" in events[-1].message
    other = AppRefresh("argocd/bot")
    assert runner.refusal(other) is None  # another target is free
    first.cancel()
    list(stream)
    assert runner.refusal(second) is None  # released when it ended


def test_read_only_refuses_every_change(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path, read_only=True)
    runner = runner_for(ctx, read_only=True)
    for action, choices in ((AppSync("argocd/donate"), {}), (AppRefresh("argocd/bot"), {}),
                            (WorkloadRestart("Deployment/api/api"), {}),
                            (VolumeMount(IMPORT_VOLUME), {"node": "hel-wk-02", "maintenance": True})):
        plan = action.plan(ctx, choices)
        events = list(runner.run(action, ctx, plan, ""))
        assert events[-1].outcome == "refused" and "read-only" in events[-1].message
    assert emu.get("applications", "argocd", "donate").get("operation") is None
    assert "restartedAt" not in str(emu.get("deployments", "api", "api")["spec"]["template"])
    assert runner.audit.records() == []  # nothing ran, nothing to audit


def test_unreachable_api_becomes_a_message(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path, timeout=0.2)
    restart = WorkloadRestart("Deployment/api/api")
    plan = restart.plan(ctx)
    emu.stop()
    done = run_all(runner_for(ctx), restart, ctx, plan)[-1]
    assert done.outcome == "failed" and "connection refused" in done.message


def _revisions_of(emu, namespace, name):
    """{revision name: revision number} of the ControllerRevisions the StatefulSet controls."""
    uid = emu.get("statefulsets", namespace, name)["metadata"]["uid"]
    return {r["metadata"]["name"]: r["revision"] for r in emu.list("controllerrevisions.apps")
            if r["metadata"]["namespace"] == namespace
            and any(o["uid"] == uid and o.get("controller") for o in r["metadata"]["ownerReferences"])}


def test_statefulset_restart_then_undo_restores_the_template_as_a_new_revision(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=40)
    seeded = emu.get("statefulsets", "bot", "bot-db")
    first = seeded["status"]["currentRevision"]
    assert _revisions_of(emu, "bot", "bot-db") == {first: 1}  # history from seed time
    ctx = context(emu, tmp_path)
    restart = WorkloadRestart("StatefulSet/bot/bot-db")
    assert run_all(runner_for(ctx), restart, ctx, restart.plan(ctx))[-1].outcome == "succeeded"
    restarted = emu.get("statefulsets", "bot", "bot-db")
    second = restarted["status"]["currentRevision"]
    assert second != first and restarted["status"]["updateRevision"] == second
    assert _revisions_of(emu, "bot", "bot-db") == {first: 1, second: 2}

    ctx.store = store_from(emu)
    undo = WorkloadUndo("StatefulSet/bot/bot-db")
    assert undo.options(ctx.store, ctx)[0].options == ("1",)
    plan = undo.plan(ctx, {"revision": "1"})
    assert plan.choices["revision"] == 1 and "now at 2" in plan.lines[0]
    done = run_all(runner_for(ctx), undo, ctx, plan)[-1]
    assert done.outcome == "succeeded", done
    after = emu.get("statefulsets", "bot", "bot-db")
    assert after["spec"]["template"] == seeded["spec"]["template"]  # restartedAt gone again
    # the old template's revision object is re-used and renumbered, as the real controller does
    assert _revisions_of(emu, "bot", "bot-db") == {first: 3, second: 2}
    assert after["status"]["currentRevision"] == after["status"]["updateRevision"] == first


def test_statefulset_undo_without_history_says_so(emulator_factory, demo, tmp_path):
    emu = emulator_factory(demo, time_scale=40)
    ctx = context(emu, tmp_path)
    with pytest.raises(ActionError, match="no previous revision"):
        WorkloadUndo("StatefulSet/wiki/wiki-db").plan(ctx)


def test_sync_preview_says_a_deny_window_will_refuse_it(emulator_factory, demo, tmp_path):
    project = next(o for o in demo if o["kind"] == "AppProject" and o["metadata"]["name"] == "emberforge")
    project["spec"]["syncWindows"] = [{"kind": "deny", "schedule": "0 14 * * *", "duration": "1h",
                                       "applications": ["donate"], "description": "charity stream"}]
    emu = emulator_factory(demo, controllers=False)
    ctx = context(emu, tmp_path)  # the frozen clock: 14:05 UTC, inside the window
    plan = AppSync("argocd/donate").plan(ctx)
    assert plan.warnings == ("Argo CD will refuse this sync: deny window '0 14 * * *' for 1h (charity stream) "
                             "is active (project emberforge)",)
    assert AppSync("argocd/wiki").plan(ctx).warnings == ()  # the window names donate only
