"""Real kubectl logs against the emulator's pods/{name}/log (and raw HTTP for the API's errors)."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.emulate_process import emulate_demo
from tests.support.log_pods import INCIDENT_LINE, NOW, literal_pod, log_world

KUBECTL = str(Path(sys.executable).parent / "kubectl")


@pytest.fixture
def cluster(emulator_factory, kubeconfig):
    t0 = time.monotonic()
    world = [*log_world(), literal_pod("chatty", ["boot"], rate=20),
             literal_pod("quiet", ["[red]boot[/red]", "\x1b[31mred\x1b[0m"])]
    emu = emulator_factory(world, controllers=False, now=lambda: NOW + timedelta(seconds=time.monotonic() - t0))
    return emu, kubeconfig(emu)


def kubectl(kc: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_logs_previous_prints_the_incident_line(cluster):
    _, kc = cluster
    done = kubectl(kc, "logs", "-n", "wiki", "wiki-db-0", "--previous")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2].endswith(INCIDENT_LINE) and lines[-1].endswith("0 [ERROR] Aborting")
    assert "Starting MariaDB" in done.stdout


def test_logs_of_a_crashlooping_container_is_its_last_run(cluster):
    _, kc = cluster
    done = kubectl(kc, "logs", "-n", "wiki", "wiki-db-0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2].endswith(INCIDENT_LINE)


def test_previous_on_a_container_that_never_restarted_is_refused(cluster):
    _, kc = cluster
    done = kubectl(kc, "logs", "-n", "api", "api-7c9d8f6b5-4kq2n", "--previous")
    assert done.returncode == 1
    assert 'previous terminated container "api" in pod "api-7c9d8f6b5-4kq2n" not found' in done.stderr


def test_tail_and_timestamps(cluster):
    _, kc = cluster
    done = kubectl(kc, "logs", "-n", "api", "api-7c9d8f6b5-4kq2n", "--tail=3", "--timestamps")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    stamps = [line.split(" ", 1)[0] for line in lines]
    assert all(s.startswith("2026-11-26T14:0") and s.endswith("Z") for s in stamps)
    assert stamps == sorted(stamps)
    assert all('msg="request"' in line or 'msg="slow request"' in line for line in lines)


def test_since_keeps_only_the_window(cluster):
    _, kc = cluster
    recent = kubectl(kc, "logs", "-n", "api", "api-7c9d8f6b5-4kq2n", "--since=1m", "--timestamps")
    longer = kubectl(kc, "logs", "-n", "api", "api-7c9d8f6b5-4kq2n", "--since=10m", "--timestamps")
    assert recent.returncode == 0 and longer.returncode == 0, recent.stderr + longer.stderr
    assert 3 < len(recent.stdout.splitlines()) < len(longer.stdout.splitlines())
    assert min(line[:19] for line in recent.stdout.splitlines()) >= "2026-11-26T14:04:00"


def test_multi_container_pod_needs_c(cluster):
    emu, kc = cluster
    done = kubectl(kc, "logs", "-n", "wiki", "wiki-web-5f6c7d9b4-x2k9p", "-c", "php", "--tail=2")
    assert done.returncode == 0, done.stderr
    assert "Cannot access the database" in done.stdout or "real_connect" in done.stdout
    bad = kubectl(kc, "logs", "-n", "wiki", "wiki-web-5f6c7d9b4-x2k9p", "-c", "nope")
    assert bad.returncode == 1 and "nope" in bad.stderr
    # the API itself (kubectl picks a default container first): 400 with a Status naming them
    answer = httpx.get(f"{emu.url}/api/v1/namespaces/wiki/pods/wiki-web-5f6c7d9b4-x2k9p/log")
    assert answer.status_code == 400
    assert answer.json()["message"] == ("a container name must be specified for pod wiki-web-5f6c7d9b4-x2k9p, "
                                        "choose one of: [nginx php]")
    missing = httpx.get(f"{emu.url}/api/v1/namespaces/wiki/pods/nope/log")
    assert missing.status_code == 404 and missing.json()["reason"] == "NotFound"


def test_logs_deploy_name_picks_one_of_its_pods(cluster):
    _, kc = cluster
    done = kubectl(kc, "logs", "-n", "api", "deploy/api", "--tail=2")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2
    assert "api-7c9d8f6b5-" in done.stderr  # "Found 2 pods, using pod/..."


def test_follow_streams_new_lines_until_stopped(cluster):
    _, kc = cluster
    proc = subprocess.Popen([KUBECTL, "--kubeconfig", str(kc), f"--cache-dir={kc.parent / 'kube-cache'}",
                             "logs", "-n", "wiki", "chatty", "-f", "--tail=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        seen = [proc.stdout.readline() for _ in range(5)]  # 20 lines/s: well within the timeout
    finally:
        proc.terminate()
        proc.wait(10)
    numbers = [int(line.split()[1]) for line in [first, *seen]]
    assert numbers == list(range(numbers[0], numbers[0] + 6))


def test_limit_bytes_and_bad_parameters(cluster):
    emu, _ = cluster
    base = f"{emu.url}/api/v1/namespaces/api/pods/api-7c9d8f6b5-4kq2n/log"
    assert len(httpx.get(base, params={"limitBytes": "10"}).content) == 10
    both = httpx.get(base, params={"sinceSeconds": "5", "sinceTime": "2026-11-26T14:00:00Z"})
    assert both.status_code == 422 and "at most one of" in both.json()["message"]
    assert httpx.get(base, params={"tailLines": "-1"}).status_code == 422
    literal = httpx.get(f"{emu.url}/api/v1/namespaces/wiki/pods/quiet/log")
    assert literal.text == "[red]boot[/red]\n\x1b[31mred\x1b[0m\n"  # bytes as written, never interpreted


def test_kubectl_logs_previous_against_clusterdeck_emulate_demo(tmp_path):
    """Issue 10's done-when, as a user runs it: the demo's crash-looping database, its previous
    run, the same line the console shows."""
    with emulate_demo(tmp_path) as kc:
        done = kubectl(kc, "logs", "-n", "wiki", "wiki-db-0", "--previous")
    assert done.returncode == 0, done.stderr
    assert INCIDENT_LINE in done.stdout
