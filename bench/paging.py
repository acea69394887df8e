"""Benchmark: `limit`/`continue` paging against the emulator at scale (issue 16).

    .venv/bin/python bench/paging.py [--objects 20000] [--limit 500] [--repeat 3]

One in-process emulator serving N Longhorn volumes; prints the median wall time of
  - one unpaged list (the peer), and a list in pages of --limit (every page over HTTP, parsed),
  - the same paged list while a write lands between every two pages (pages then read history),
  - `kubectl get volumes.longhorn.io -A --chunk-size=LIMIT -o name` against it,
and checks each paged list saw every object exactly once.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tui.emulator.kubeconfig import write_kubeconfig
from tui.emulator.server import Emulator

PATH = "/apis/longhorn.io/v1beta2/volumes"


def volume(i: int) -> dict[str, Any]:
    return {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume",
            "metadata": {"name": f"pvc-{i:08x}-bench", "namespace": "longhorn-system"},
            "spec": {"size": str((i % 50 + 1) * 1073741824), "numberOfReplicas": 3},
            "status": {"state": "attached" if i % 3 else "detached", "robustness": "healthy"}}


def paged(client: httpx.Client, url: str, limit: int, emu: Emulator | None = None) -> list[str]:
    names: list[str] = []
    token, n = None, 0
    while True:
        body = client.get(url + PATH, params={"limit": limit, **({"continue": token} if token else {})}).json()
        names += [i["metadata"]["name"] for i in body["items"]]
        token = body["metadata"].get("continue")
        if not token:
            return names
        if emu is not None:  # churn: a new volume ahead of the cursor
            emu.upsert(volume(10_000_000 + n))
            n += 1


def median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=20000)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with Emulator([volume(i) for i in range(args.objects)], controllers=False) as emu, httpx.Client() as client:
        url = emu.url
        full = median(lambda: client.get(url + PATH).json(), args.repeat)
        names = paged(client, url, args.limit)
        assert len(names) == len(set(names)) == args.objects, "a page lost or repeated objects"
        calm = median(lambda: paged(client, url, args.limit), args.repeat)
        before = {o["metadata"]["name"] for o in emu.list("lh_volumes")}
        churned = paged(client, url, args.limit, emu)
        assert sorted(churned) == sorted(before), "pages did not read the first page's snapshot"
        busy = median(lambda: paged(client, url, args.limit, emu), args.repeat)
        with tempfile.TemporaryDirectory() as tmp:
            kc = Path(tmp) / "kc"
            write_kubeconfig(kc, url)
            kubectl = [str(Path(sys.executable).parent / "kubectl"), "--kubeconfig", str(kc),
                       f"--cache-dir={tmp}/cache", "get", "volumes.longhorn.io", "-A", "-o", "name"]

            def run(*extra: str) -> None:
                subprocess.run([*kubectl, *extra], check=True, capture_output=True)

            k_full = median(run, args.repeat)
            k_paged = median(lambda: run(f"--chunk-size={args.limit}"), args.repeat)
    pages = -(-args.objects // args.limit)
    print(f"{args.objects} objects, pages of {args.limit} ({pages} pages), median of {args.repeat}:")
    print(f"  unpaged list             {full:7.3f} s")
    print(f"  paged list               {calm:7.3f} s  ({calm / full:.2f}x)")
    print(f"  paged, a write per page  {busy:7.3f} s  ({busy / full:.2f}x)")
    print(f"  kubectl unpaged          {k_full:7.3f} s")
    print(f"  kubectl --chunk-size     {k_paged:7.3f} s  ({k_paged / k_full:.2f}x)")


if __name__ == "__main__":
    main()
