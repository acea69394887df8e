"""Benchmarks: speed and memory goals live here, never in the test suite.

    .venv/bin/python bench/run.py [--volumes 20000] [--repeat 3]

Measures, side by side in one run, against one emulator serving the same dump:
  - `clusterdeck snapshot --from DUMP` (load the YAML or JSON dump, serve it, list+parse+index,
    print JSON)
  - `clusterdeck snapshot --kubeconfig K` against a running `clusterdeck emulate --from DUMP`
  - `kubectl get volumes.longhorn.io -A -o json` against that same emulator (the peer)
and prints wall time (median), peak RSS, and the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent


def make_dump(path: Path, volumes: int, as_json: bool = False) -> None:
    """A `kind: List` like `kubectl get -o yaml` (or `-o json`) writes: 7 nodes and N volumes."""
    nodes = [f"hel-{'cp' if i < 3 else 'wk'}-{i % 3 + 1 if i < 3 else i - 2:02d}" for i in range(7)]
    items = [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": n, "labels": {}},
         "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
        for n in nodes
    ]
    for i in range(volumes):
        items.append({
            "apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
            "metadata": {"name": f"pvc-{i:08x}-bench", "namespace": "longhorn-system",
                         "labels": {"longhornvolume": f"pvc-{i:08x}-bench"}},
            "spec": {"size": str((i % 50 + 1) * 1073741824), "numberOfReplicas": 3,
                     "frontend": "blockdev", "accessMode": "rwo"},
            "status": {"state": "attached" if i % 3 else "detached",
                       "robustness": "healthy" if i % 97 else "degraded",
                       "currentNodeID": nodes[i % 7] if i % 3 else "",
                       "kubernetesStatus": {"namespace": "bench", "pvcName": f"data-{i}",
                                            "pvName": f"pvc-{i:08x}-bench", "workloadsStatus": []}},
        })
    dump = {"apiVersion": "v1", "kind": "List", "items": items}
    with path.open("w") as f:
        if as_json:
            json.dump(dump, f)
        else:
            yaml.safe_dump(dump, f, sort_keys=False)


def timed(cmd: list[str]) -> float:
    """Wall seconds of one child process."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or path.stat().st_size == 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"emulator did not write {path} within {seconds}s")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volumes", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clusterdeck-bench-"))
    dump, kubeconfig = work / "dump.yaml", work / "kubeconfig"
    make_dump(dump, args.volumes)
    json_dump = work / "dump.json"
    make_dump(json_dump, args.volumes, as_json=True)
    print(f"dump: {args.volumes} Longhorn volumes, {dump.stat().st_size / 1e6:.1f} MB of YAML")

    results: dict[str, list[float]] = {}
    rss: dict[str, int] = {}
    clusterdeck = str(BIN / "clusterdeck")
    kubectl = str(BIN / "kubectl")
    emulator = subprocess.Popen(
        [clusterdeck, "emulate", "--from", str(dump), "--kubeconfig-out", str(kubeconfig),
         "--no-controllers"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(kubeconfig, 300)
        cases = {
            "kubectl get volumes.longhorn.io -A -o json (peer)":
                [kubectl, "--kubeconfig", str(kubeconfig), "get", "volumes.longhorn.io", "-A", "-o", "json"],
            "clusterdeck snapshot --kubeconfig (same emulator)":
                [clusterdeck, "snapshot", "--kubeconfig", str(kubeconfig), "--format", "json"],
            "clusterdeck snapshot --from DUMP.yaml (load + serve + sync)":
                [clusterdeck, "snapshot", "--from", str(dump), "--format", "json"],
            "clusterdeck snapshot --from DUMP.json (kubectl get -o json)":
                [clusterdeck, "snapshot", "--from", str(json_dump), "--format", "json"],
        }
        for name, cmd in cases.items():
            results[name] = [timed(cmd) for _ in range(args.repeat)]
            # RUSAGE_CHILDREN's peak only grows across children: measure each command's peak
            # in a fresh helper process so the figure belongs to that command alone.
            rss[name] = peak_rss_of(cmd)
    finally:
        emulator.terminate()
        emulator.wait(10)

    peer = statistics.median(next(iter(results.values())))
    print(f"{'command':58} {'median s':>9} {'ratio':>7} {'peak RSS MB':>12}")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:58} {median:9.2f} {median / peer:7.2f} {rss[name] / 1024:12.0f}")


def peak_rss_of(cmd: list[str]) -> int:
    """Peak RSS (KiB) of one run of cmd, measured in a fresh child so peaks do not mix."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL, check=True);"
        " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         env=dict(os.environ), check=True)
    return int(out.stdout.strip())


if __name__ == "__main__":
    main()
