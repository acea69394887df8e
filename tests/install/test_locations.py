"""Issue 9, the fast half: where clusterdeck finds things (playbooks_dir, relative inventories,
the argocd CLI's own login, ansible.cfg and ANSIBLE_* of the operator, inventory directories),
and the `--version` / `paths` commands. The wheel itself is tests/install/test_wheel.py."""
from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from screens.catalog import CatalogScreen
from tests.support.app_support import make_app, press, synced
from tests.support.paths import PLAYBOOKS
from tui.cli import main
from tui.config import Config, load_config
from tui.core.actions import ActionContext, ActionRunner, Done, PlaybookAction, Who, load_catalog
from tui.core.bundle import manifests_dir, playbooks_dir
from tui.core.clock import FrozenClock
from tui.emulator.demo import demo_objects


def _own_playbooks(tmp_path: Path) -> Path:
    """An operator's checkout: the bundled playbooks plus one of their own in the catalog."""
    book = tmp_path / "ops-repo" / "playbooks"
    shutil.copytree(PLAYBOOKS, book)
    (book / "motd.yml").write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
    catalog = yaml.safe_load((book / "catalog.yaml").read_text())
    catalog["playbooks"].append({"id": "motd", "title": "Our own: message of the day", "playbook": "motd.yml",
                                 "danger": "safe", "limits": ["host"]})
    (book / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    return book


def test_bundled_folders_are_the_ones_the_demo_and_catalog_read():
    assert (playbooks_dir() / "catalog.yaml").is_file()
    assert (manifests_dir() / "apps" / "wiki").is_dir()
    assert Config().playbooks_path() == playbooks_dir()
    assert Config().inventory_path() == playbooks_dir() / "inventory" / "demo.yml"


def test_playbooks_dir_from_the_config_file_and_the_environment(tmp_path):
    book = _own_playbooks(tmp_path)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"playbooks_dir: {book}\ninventory: inventory/example.yml\n")
    config = load_config({"CLUSTERDECK_CONFIG": str(config_file), "HOME": str(tmp_path)})
    assert config.playbooks_path() == book
    assert config.inventory_path() == book / "inventory" / "example.yml"  # relative: inside playbooks_dir
    env_config = load_config({"HOME": str(tmp_path), "CLUSTERDECK_PLAYBOOKS_DIR": str(book)})
    assert env_config.playbooks_path() == book
    config_file.write_text("playbooks_dir: 3\n")
    with pytest.raises(Exception, match=r"config.yaml:1: playbooks_dir must be a path"):
        load_config({"CLUSTERDECK_CONFIG": str(config_file), "HOME": str(tmp_path)})


async def test_b_offers_the_operators_own_catalog(emulator_factory, tmp_path):
    book = _own_playbooks(tmp_path)
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=Config(playbooks_dir=book))
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        await press(pilot, "2", "b")
        assert isinstance(app.screen, CatalogScreen)
        offered = [e.id for e in app.screen.catalog.pickable()]
        assert offered[-1] == "motd" and offered[:-1] == [e.id for e in load_catalog(PLAYBOOKS / "catalog.yaml").pickable()]
        assert app.screen.catalog.path == book / "catalog.yaml"


def test_version_and_paths(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("clusterdeck ")
    env = {"HOME": str(tmp_path), "CLUSTERDECK_PLAYBOOKS_DIR": str(_own_playbooks(tmp_path)),
           "CLUSTERDECK_STATE_DIR": str(tmp_path / "state")}
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        assert main(["paths"]) == 0
    finally:
        os.environ.clear()
        os.environ.update(old)
    lines = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())
    assert lines["playbooks"].strip() == f"{tmp_path}/ops-repo/playbooks (playbooks_dir)"
    assert lines["inventory"].strip() == f"{tmp_path}/ops-repo/playbooks/inventory/demo.yml"
    assert lines["audit log"].strip() == f"{tmp_path}/state/audit.jsonl (missing)"
    assert lines["config"].strip() == f"{tmp_path}/.config/clusterdeck/config.yaml (missing)"


# -- the argocd CLI's own login -----------------------------------------------------------------

def _argocd_login(home: Path, server: dict[str, Any], token: str = "tok-from-cli") -> None:
    folder = home / ".config" / "argocd"
    folder.mkdir(parents=True)
    (folder / "config").write_text(yaml.safe_dump({
        "contexts": [{"name": "other", "server": "other:443", "user": "other"},
                     {"name": "emberforge", "server": server["server"], "user": "emberforge"}],
        "current-context": "emberforge",
        "servers": [{"server": "other:443"}, server],
        "users": [{"name": "other", "auth-token": "not-this-one"}, {"name": "emberforge", "auth-token": token}],
    }))


def test_argocd_server_and_token_come_from_the_cli_login(tmp_path):
    _argocd_login(tmp_path, {"server": "argocd.emberforge.games", "insecure": True})
    config = load_config({"HOME": str(tmp_path)})
    assert (config.argocd_server, config.argocd_token) == ("https://argocd.emberforge.games", "tok-from-cli")
    assert config.argocd_insecure is True  # `argocd login --insecure` was the operator's choice
    assert "tok-from-cli" not in repr(config) or "argocd_token" in repr(config)  # (a dataclass repr)
    # the environment wins, and a token for another server is never paired with it
    config = load_config({"HOME": str(tmp_path), "ARGOCD_SERVER": "https://elsewhere", "ARGOCD_AUTH_TOKEN": "env"})
    assert (config.argocd_server, config.argocd_token) == ("https://elsewhere", "env")
    config = load_config({"HOME": str(tmp_path), "ARGOCD_SERVER": "https://elsewhere"})
    assert (config.argocd_server, config.argocd_token) == ("https://elsewhere", None)


def test_plain_text_and_core_logins(tmp_path):
    _argocd_login(tmp_path / "a", {"server": "127.0.0.1:8080", "plain-text": True, "grpc-web-root-path": "/argo"})
    config = load_config({"HOME": str(tmp_path / "a")})
    assert config.argocd_server == "http://127.0.0.1:8080/argo" and config.argocd_insecure is False
    _argocd_login(tmp_path / "b", {"server": "kubernetes", "core": True})
    config = load_config({"HOME": str(tmp_path / "b")})
    assert config.argocd_server is None and config.argocd_token is None  # --core: the kube API way
    (tmp_path / "c" / ".config" / "argocd").mkdir(parents=True)
    (tmp_path / "c" / ".config" / "argocd" / "config").write_text("{{{ not yaml")
    assert load_config({"HOME": str(tmp_path / "c")}).argocd_server is None


def test_argocd_tls_settings(tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text("argocd_ca_file: /etc/ssl/emberforge-ca.pem\nargocd_insecure: false\n")
    config = load_config({"CLUSTERDECK_CONFIG": str(config_file), "HOME": str(tmp_path)})
    assert (config.argocd_ca_file, config.argocd_insecure) == ("/etc/ssl/emberforge-ca.pem", False)
    assert load_config({"HOME": str(tmp_path), "CLUSTERDECK_ARGOCD_INSECURE": "yes"}).argocd_insecure is True
    config_file.write_text("argocd_insecure: maybe\n")
    with pytest.raises(Exception, match="argocd_insecure must be true or false"):
        load_config({"CLUSTERDECK_CONFIG": str(config_file), "HOME": str(tmp_path)})


# -- Ansible as the operator set it up -----------------------------------------------------------

CONFIG_PROBE = textwrap.dedent("""\
    - hosts: all
      gather_facts: false
      tasks:
        - name: Report
          ansible.builtin.debug:
            msg: "timeout={{ lookup('ansible.builtin.config', 'DEFAULT_TIMEOUT') }} role={{ site_role }}"
    """)


def _run_probe(tmp_path: Path, book: Path, inventory: Path) -> str:
    (book / "catalog.yaml").write_text(yaml.safe_dump({"playbooks": [
        {"id": "probe", "playbook": "probe.yml", "danger": "safe", "limits": ["host"]}]}))
    (book / "probe.yml").write_text(CONFIG_PROBE)
    ctx = ActionContext(api_client=None, store=None, clock=FrozenClock(), state_dir=tmp_path / "state",
                        inventory=inventory, playbook_dir=book)
    action = PlaybookAction("probe", ["probe-host"], check=True, catalog=load_catalog(book / "catalog.yaml"))
    events = list(ActionRunner(ctx.state_dir, who=Who("tester", None)).run(action, ctx, action.plan(ctx)))
    assert isinstance(events[-1], Done) and events[-1].outcome == "succeeded", events[-1]
    tree = action._run.tree()
    return str(next(t for t in tree.tasks() if t.name == "Report").hosts[0].result["msg"])


def _inventory_dir(tmp_path: Path) -> Path:
    """An inventory as a directory: hosts in one file, group variables beside them."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True, exist_ok=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"probes": {"hosts": {
        "probe-host": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}}}))
    (inventory / "group_vars" / "probes.yml").write_text("site_role: from-group-vars\n")
    return inventory


def test_runs_honour_ansible_cfg_and_take_an_inventory_directory(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "ansible.cfg").write_text("[defaults]\ntimeout = 17\n")
    assert _run_probe(tmp_path, book, _inventory_dir(tmp_path)) == "timeout=17 role=from-group-vars"


def test_runs_honour_the_operators_ansible_environment(tmp_path, monkeypatch):
    book = tmp_path / "book"
    book.mkdir()
    assert _run_probe(tmp_path, book, _inventory_dir(tmp_path)) == "timeout=5 role=from-group-vars"  # our default
    monkeypatch.setenv("ANSIBLE_TIMEOUT", "23")
    assert _run_probe(tmp_path, book, _inventory_dir(tmp_path)) == "timeout=23 role=from-group-vars"
