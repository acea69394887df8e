"""Config file + env overrides, the keymap check, the `:` command parser and the filter rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from screens.pane import filter_matches
from tui.config import Config, ConfigError, load_config
from tui.keymap import KEYS, check_keymap
from tui.widgets.command_line import Command, parse_command


def write(tmp_path: Path, text: str) -> dict[str, str]:
    folder = tmp_path / "cfg" / "clusterdeck"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    return {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "HOME": str(tmp_path)}


def test_defaults_without_a_file_use_xdg_state(tmp_path: Path) -> None:
    config = load_config({"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")})
    assert config.theme == "clusterdeck" and config.refresh_hz == 20.0
    assert config.state_dir == tmp_path / "state" / "clusterdeck"
    assert config.source_path is None


def test_file_settings_and_env_overrides(tmp_path: Path) -> None:
    env = write(tmp_path, """
production_contexts: ["emberforge-prod*", "*-live"]
theme: ansi-dark
keymap: {pane.filter: f, app.quit: "ctrl+q"}
refresh_hz: 100
""")
    config = load_config(env)
    assert config.production_contexts == ("emberforge-prod*", "*-live")
    assert config.is_production("emberforge-prod-hel") and config.is_production("shop-live")
    assert not config.is_production("emberforge-demo")
    assert config.keymap == {"pane.filter": "f", "app.quit": "ctrl+q"}
    assert config.refresh_hz == 30.0  # clamped: never redraw for changes more than 30 times a second
    env.update({"CLUSTERDECK_THEME": "textual-light", "CLUSTERDECK_PRODUCTION_CONTEXTS": "k3s-*",
                "CLUSTERDECK_KEYMAP": "pane.nodes=n;pane.volumes=v", "ARGOCD_SERVER": "argocd.lan",
                "ARGOCD_AUTH_TOKEN": "t0ken"})
    config = load_config(env)
    assert config.theme == "textual-light" and config.production_contexts == ("k3s-*",)
    assert config.keymap == {"pane.nodes": "n", "pane.volumes": "v"}
    assert config.argocd_server == "argocd.lan" and config.argocd_token == "t0ken"


@pytest.mark.parametrize("text,message", [
    ("theme: [unclosed\n", "line 2"),  # the parser reports where it gave up
    ("- just\n- a list\n", "expected a mapping"),
    ("theme: solarized\n", "theme must be one of"),
    ("refresh_hz: fast\n", "refresh_hz must be a number"),
    ("keymap: [a, b]\n", "keymap must map binding ids"),
    ("colour: red\n", "unknown setting 'colour'"),
])
def test_bad_files_become_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    env = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(env)
    assert message in str(err.value) and "config.yaml" in str(err.value)


def test_bad_env_keymap_and_cli_theme_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CLUSTERDECK_KEYMAP"):
        load_config({"HOME": str(tmp_path), "CLUSTERDECK_KEYMAP": "pane.nodes"})
    with pytest.raises(ConfigError, match="--theme"):
        Config().with_theme("neon")
    assert Config().with_theme("ansi-dark").theme == "ansi-dark"


def test_keymap_check_names_unknown_binding_ids() -> None:
    assert check_keymap({"pane.filter": "f"}) == []
    assert check_keymap({"pane.filtre": "f"}) == ["keymap: unknown binding id 'pane.filtre'"]
    assert len({d.id for d in KEYS.values()}) == len(KEYS)


@pytest.mark.parametrize("typed,expected", [
    (":nodes", Command("pane", "nodes")),
    ("volumes wiki", Command("pane", "volumes", "wiki")),
    ("lhv !healthy", Command("pane", "volumes", "!healthy")),
    ("argocd", Command("pane", "apps")),
    ("ctx emberforge-prod", Command("ctx", "emberforge-prod")),
    ("q", Command("quit")),
    ("runs", Command("runs")),
    ("", Command("none")),
])
def test_command_line_parses(typed: str, expected: Command) -> None:
    assert parse_command(typed) == expected


def test_command_line_explains_mistakes() -> None:
    assert parse_command("ctx").arg == "usage: :ctx NAME"
    bad = parse_command("nodez")
    assert bad.verb == "error" and "unknown command: nodez" in bad.arg


@pytest.mark.parametrize("query,text,shown", [
    ("wiki", "wiki/wiki-db-data degraded", True),
    ("WIKI", "wiki/wiki-db-data", True),
    ("!wiki", "wiki/wiki-db-data", False),
    ("!wiki", "api/api-uploads", True),
    ("!", "anything", True),
    ("", "anything", True),
])
def test_filter_substring_and_negation(query: str, text: str, shown: bool) -> None:
    assert filter_matches(query, text) is shown
