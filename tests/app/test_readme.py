"""The README is the newcomer's door: what it tells them must work."""
from __future__ import annotations

import re

from tests.support.paths import README as README_PATH
from tui.config import load_config
from tui.keymap import KEYS, check_keymap

README = README_PATH.read_text()


def test_quick_start_is_the_two_make_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^ {4}(\S.*?)\s*(?:#.*)?$", quick, re.MULTILINE)
    assert commands == ["make demo", "make test"]


def test_example_config_loads_as_written(tmp_path):
    block = re.search(r"```yaml\n(.*?)```", README, re.DOTALL)
    assert block, "the README shows an example config.yaml"
    path = tmp_path / "config.yaml"
    path.write_text(block.group(1))
    config = load_config({"CLUSTERDECK_CONFIG": str(path), "HOME": str(tmp_path)})
    assert config.source_path == path
    assert check_keymap(config.keymap) == []
    assert config.is_production("hel-main")


def test_every_action_key_is_in_the_keys_table():
    table = README.split("## Keys", 1)[1].split("\n## ", 1)[0]
    for binding_id, key in KEYS.items():
        if binding_id.startswith("action."):
            assert f"`{key.key}`" in table, f"{binding_id} ({key.key}) missing from the README"
