"""Scale bench (issue 17): the console against one emulator serving scale S (or S/10).

    .venv/bin/python bench/scale.py [--scale 1.0] [--repeat 3]

Scale S: 2,000 nodes, 20,000 Longhorn volumes, 5,000 LoadBalancer Services, 5,000
IngressRoutes, 2,000 Argo CD Applications. One `clusterdeck emulate --from DUMP` serves them; in
the same run it times, side by side:
  - kubectl get nodes,volumes.longhorn.io,services,ingressroutes.traefik.io,applications.argoproj.io
    -A -o json (the peer)
  - clusterdeck snapshot --format json (ratio to the peer)
  - the console, in this process through Textual's Pilot (headless, 120x40): start -> every
    source listed and Overview drawn; `3` -> the Volumes pane drawn with every row; `G`, `j`,
    PageDown -> repaint; peak RSS of this process (the emulator runs apart); idle CPU over 5 s.
Prints one JSON line and a short table. Nothing here is part of the test suite.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
KUBECTL_KINDS = "nodes,volumes.longhorn.io,services,ingressroutes.traefik.io,applications.argoproj.io"


# issue 17's targets, printed beside the figures
TARGETS = {"overview_vs_kubectl": "<= 0.5", "open_volumes_s": "<= 0.3", "G_s": "<= 0.05",
           "j_p95_s": "<= 0.03", "pagedown_p95_s": "<= 0.03", "tmux_j_p95_s": "<= 0.03",
           "tmux_pagedown_p95_s": "<= 0.03", "peak_rss_mb": "<= 250", "snapshot_vs_kubectl": "<= 0.8",
           "idle_cpu_pct": "<= 0.5", "event_to_row_p95_s": "<= 0.1"}


def scale_objects(factor: float) -> list[dict[str, Any]]:
    """Objects of scale S x factor, shaped like their upstream types (only the fields we read)."""
    def n(count: int) -> int:
        return max(1, int(count * factor))

    nodes = [f"node-{i:05d}" for i in range(n(2000))]
    items: list[dict[str, Any]] = []
    for name in nodes:
        items.append({"apiVersion": "v1", "kind": "Node",
                      "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
                      "status": {"conditions": [{"type": "Ready", "status": "True"}],
                                 "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}})
    for i in range(n(20000)):
        items.append({
            "apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
            "metadata": {"name": f"pvc-{i:08x}-bench", "namespace": "longhorn-system"},
            "spec": {"size": str((i % 50 + 1) * 1073741824), "numberOfReplicas": 3,
                     "frontend": "blockdev", "accessMode": "rwo"},
            "status": {"state": "attached" if i % 3 else "detached",
                       "robustness": "healthy" if i % 97 else "degraded",
                       "currentNodeID": nodes[i % len(nodes)] if i % 3 else "",
                       "kubernetesStatus": {"namespace": "bench", "pvcName": f"data-{i}",
                                            "pvName": f"pvc-{i:08x}-bench", "workloadsStatus": []}},
        })
    for i in range(n(5000)):
        items.append({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": f"lb-{i:05d}", "namespace": f"ns-{i % 50}"},
            "spec": {"type": "LoadBalancer", "selector": {"app": f"lb-{i:05d}"},
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]},
            "status": {"loadBalancer": {"ingress": [{"ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}]}},
        })
    for i in range(n(5000)):
        items.append({
            "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
            "metadata": {"name": f"route-{i:05d}", "namespace": f"ns-{i % 50}"},
            "spec": {"entryPoints": ["websecure"],
                     "routes": [{"kind": "Rule", "match": f"Host(`r{i}.example.org`)",
                                 "services": [{"name": f"lb-{i:05d}", "port": 80}]}]},
        })
    for i in range(n(2000)):
        items.append({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": f"app-{i:05d}", "namespace": "argocd"},
            "spec": {"project": "default",
                     "source": {"repoURL": "https://git.example.org/apps.git", "path": f"apps/{i}",
                                "targetRevision": "main"},
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": f"ns-{i % 50}"}},
            "status": {"sync": {"status": "Synced", "revision": "0" * 40},
                       "health": {"status": "Healthy"}},
        })
    return items


def write_dump(path: Path, factor: float) -> int:
    items = scale_objects(factor)
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    return len(items)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - start


def wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or path.stat().st_size == 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"emulator did not write {path} within {seconds}s")
        time.sleep(0.1)


async def console_figures(kubeconfig: Path, volumes: int) -> dict[str, float]:
    """Start the console headless against the emulator and time what a user waits for."""
    from dataclasses import replace

    from tui.app import ClusterDeckApp
    from tui.config import Config
    from tui.connection import connect_kubeconfig

    conn = connect_kubeconfig(str(kubeconfig), None)
    config = replace(Config(), state_dir=Path(tempfile.mkdtemp(prefix="clusterdeck-bench-state-")))
    out: dict[str, float] = {}
    start = time.perf_counter()
    app = ClusterDeckApp(conn, config)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.store.synced():
            await asyncio.sleep(0.01)
        app.bridge.tick()
        await pilot.pause()
        out["overview_s"] = time.perf_counter() - start

        async def timed_key(key: str, done: Any) -> float:
            t0 = time.perf_counter()
            await pilot.press(key)
            while not done():
                await asyncio.sleep(0.001)
            await pilot.pause()  # the repaint that follows the key
            return time.perf_counter() - t0

        def table() -> Any:
            return app.screen.query_one("#table")

        def volumes_shown() -> bool:
            return getattr(app.screen, "PANE", "") == "volumes" and len(table().keys) == volumes

        out["open_volumes_s"] = await timed_key("3", volumes_shown)
        out["G_s"] = await timed_key("G", lambda: table().cursor_row == volumes - 1)
        await pilot.press("g")
        await pilot.pause()
        j = [await timed_key("j", lambda i=i: table().cursor_row == i + 1) for i in range(20)]
        out["j_p95_s"] = sorted(j)[int(len(j) * 0.95) - 1]
        pd = []
        for _ in range(10):
            row = table().cursor_row
            pd.append(await timed_key("pagedown", lambda row=row: table().cursor_row > row))
        out["pagedown_p95_s"] = sorted(pd)[int(len(pd) * 0.95) - 1]
        out["event_to_row_p95_s"] = await event_to_row(app, conn.api_client)
        await asyncio.sleep(3)  # the last changes settle: idle means nothing is arriving
        cpu0, t0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(5)
        out["idle_cpu_pct"] = 100 * (time.process_time() - cpu0) / (time.perf_counter() - t0)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.close()
    return out


async def event_to_row(app: Any, api_client: Any, rate: int = 200, seconds: float = 5.0) -> float:
    """p95 seconds from a volume change answered by the API server to its row showing the new
    size on screen, with `rate` changes a second spread over the rows in view."""
    import threading

    from kubernetes.client.exceptions import ApiException

    from tui.core import kube_http

    table = app.screen.query_one("#table")
    first = int(table.scroll_y)
    shown = [app.store.row("volumes", k) for k in table.keys[first:first + 30]]
    sent: dict[tuple[str, str], float] = {}
    lock = threading.Lock()

    def writer(part: int, parts: int) -> None:
        start = time.perf_counter()
        mine = shown[part::parts]  # each writer its own rows: no two PATCH one object at once
        for i in range(int(rate * seconds / parts)):
            row = mine[i % len(mine)]
            size = str((i * parts + part) % 900 + 101) + "Mi"
            path = f"/apis/longhorn.io/v1beta2/namespaces/{row.namespace}/volumes/{row.name}"
            try:
                kube_http.request_json(api_client, "PATCH", path, body={"spec": {"size": str(_bytes(size))}},
                                       content_type="application/merge-patch+json")
            except ApiException as exc:  # a conflict with the emulator's own write: skip this one
                print(f"PATCH {row.name}: {exc.status}", file=sys.stderr)
                continue
            with lock:
                sent[(row.key, size)] = time.perf_counter()
            delay = start + (i + 1) * parts / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    threads = [threading.Thread(target=writer, args=(p, 4), daemon=True) for p in range(4)]
    for t in threads:
        t.start()
    latencies: list[float] = []
    seen: dict[str, str] = {}
    while any(t.is_alive() for t in threads) or len(latencies) < len(sent) * 0.5:
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        screen = [strip.text for strip in app.screen._compositor.render_strips()]
        for row in shown:
            label = row.pvc or row.name
            line = next((text for text in screen if label in text), "")
            size = next((w for w in line.split() if w.endswith("Mi")), None)
            if size and seen.get(row.key) != size:
                seen[row.key] = size
                with lock:
                    at = sent.pop((row.key, size), None)
                if at is not None:
                    latencies.append(now - at)
        if now - max(sent.values(), default=now) > 3:
            break  # values overwritten before they showed (a later change landed first) never show
    latencies.sort()
    return latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")


def _bytes(size: str) -> int:
    return int(size[:-2]) * 1024 * 1024


def tmux_keys(kubeconfig: Path, volumes: int) -> dict[str, float]:
    """The console in a real pty (tmux, 120x40): p95 seconds from `j` / PageDown sent to the
    screen changing."""
    import shutil

    if shutil.which("tmux") is None:
        print("tmux not installed: keypress through a pty not measured", file=sys.stderr)
        return {}
    sock = f"clusterdeck-bench-{os.getpid()}"
    tmux = ["tmux", "-L", sock]
    subprocess.run([*tmux, "new-session", "-d", "-x", "120", "-y", "40", "-s", "bench",
                    f"{BIN / 'clusterdeck'} --kubeconfig {kubeconfig}"], check=True)

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-e", "-p", "-t", "bench"],
                              capture_output=True, text=True, check=False).stdout

    def wait(predicate: Any, seconds: float) -> bool:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if predicate(screen()):
                return True
            time.sleep(0.01)
        return False

    out: dict[str, float] = {}
    try:
        if not wait(lambda s: "Needs attention" in s or "All clear" in s, 120):
            return {}
        time.sleep(3)
        subprocess.run([*tmux, "send-keys", "-t", "bench", "3"], check=True)
        if not wait(lambda s: f"Volumes ({volumes})" in s, 120):
            return {}
        time.sleep(1)
        for key in ("j", "PageDown"):
            times = []
            for _ in range(20):
                before = screen()
                t0 = time.perf_counter()
                subprocess.run([*tmux, "send-keys", "-t", "bench", key], check=True)
                wait(lambda s, before=before: s != before, 5)
                times.append(time.perf_counter() - t0)
                time.sleep(0.05)
            times.sort()
            out[f"tmux_{key.lower()}_p95_s"] = times[int(len(times) * 0.95) - 1]
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is scale S; 0.1 is S/10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clusterdeck-scale-"))
    dump, kubeconfig = work / "dump.json", work / "kubeconfig"
    total = write_dump(dump, args.scale)
    volumes = max(1, int(20000 * args.scale))
    emulator = subprocess.Popen(
        [str(BIN / "clusterdeck"), "emulate", "--from", str(dump), "--kubeconfig-out", str(kubeconfig),
         "--no-controllers"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(kubeconfig, 600)
        kubectl = [str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), "get", KUBECTL_KINDS, "-A", "-o", "json"]
        snapshot = [str(BIN / "clusterdeck"), "snapshot", "--kubeconfig", str(kubeconfig), "--format", "json"]
        peer = statistics.median(timed(kubectl) for _ in range(args.repeat))
        snap = statistics.median(timed(snapshot) for _ in range(args.repeat))
        figures = asyncio.run(console_figures(kubeconfig, volumes))
        figures.update(tmux_keys(kubeconfig, volumes))
    finally:
        emulator.terminate()
        emulator.wait(10)
    result = {"scale": args.scale, "objects": total, "volumes": volumes, "kubectl_s": round(peer, 3),
              "snapshot_s": round(snap, 3), "snapshot_vs_kubectl": round(snap / peer, 2),
              "overview_vs_kubectl": round(figures["overview_s"] / peer, 2),
              **{k: round(v, 3) for k, v in figures.items()}}
    print(json.dumps(result))
    for key, value in result.items():
        target = TARGETS.get(key)
        print(f"  {key:22} {value!s:>10}" + (f"   target {target}" if target else ""))


if __name__ == "__main__":
    main()
