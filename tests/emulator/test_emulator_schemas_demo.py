"""Issue 16's schema bullets against `clusterdeck emulate --demo`, with real kubectl as a user
runs it: validating apply of the repository's manifests, explain, set image, a 422 for a
wrong-typed field, and server-side apply conflicts between two field managers."""
from __future__ import annotations

import json

from tests.emulator.test_emulator_kubectl import kubectl
from tests.support.emulate_process import emulate_demo
from tests.support.paths import MANIFESTS


def test_schema_bullets_against_clusterdeck_emulate_demo(tmp_path):
    with emulate_demo(tmp_path) as kc:
        done = kubectl(kc, "apply", "-k", str(MANIFESTS / "apps"), "--dry-run=server")
        assert "deployment.apps/api configured (server dry run)" in done.stdout
        assert "FIELD: replicas <integer>" in kubectl(kc, "explain", "deployment.spec.replicas").stdout

        def api() -> dict:
            return json.loads(kubectl(kc, "get", "deploy", "api", "-n", "api", "-o", "json").stdout)

        container = api()["spec"]["template"]["spec"]["containers"][0]
        kubectl(kc, "set", "image", "deployment/api", "-n", "api", "api=registry.emberforge.games/api:3.9.0")
        after = api()
        bumped = after["spec"]["template"]["spec"]["containers"][0]
        assert bumped["image"] == "registry.emberforge.games/api:3.9.0"
        for kept in ("ports", "env", "readinessProbe", "resources"):
            assert bumped[kept] == container[kept], kept

        refused = kubectl(kc, "patch", "deploy", "api", "-n", "api", "--type", "merge",
                          "-p", '{"spec":{"replicas":"three"}}', check=False)
        assert refused.returncode != 0 and "spec.replicas" in refused.stderr
        assert "is invalid" in refused.stderr
        assert api()["spec"]["replicas"] == after["spec"]["replicas"]

        def flag(value: str) -> str:
            return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "flags", "namespace": "api"}, "data": {"mode": value}})

        kubectl(kc, "apply", "--server-side", "--field-manager=ops", "-f", "-", stdin=flag("calm"))
        conflict = kubectl(kc, "apply", "--server-side", "--field-manager=release", "-f", "-",
                           stdin=flag("busy"), check=False)
        assert conflict.returncode != 0
        assert 'conflict with "ops"' in conflict.stderr and ".data.mode" in conflict.stderr
        kubectl(kc, "apply", "--server-side", "--field-manager=release", "--force-conflicts", "-f", "-",
                stdin=flag("busy"))
        cm = json.loads(kubectl(kc, "get", "cm", "flags", "-n", "api", "-o", "json").stdout)
        assert cm["data"] == {"mode": "busy"}
