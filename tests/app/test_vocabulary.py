"""One vocabulary table (tui/core/layers.py) behind the header, the keys and the `:` words: a
user's remapped pane key is what the header shows, and what works."""
from __future__ import annotations

from tests.support.app_support import make_app, press, screen_text, synced
from tui.config import Config
from tui.core.kinds import KINDS
from tui.core.layers import LAYERS, PANE, PANE_WORDS, TAB_PANES
from tui.core.route_tls import CERT_CLOCK
from tui.core.store import LAYER_INPUTS
from tui.core.traefik_match import TRAEFIK_ROUTERS
from tui.emulator.demo import demo_objects
from tui.widgets.command_line import parse_command


def test_every_kind_and_layer_names_a_pane_of_the_table():
    assert {kind.pane for kind in KINDS.values()} <= set(PANE)
    assert {layer.pane for layer in LAYERS} <= set(PANE)
    for layer in LAYERS:
        assert set(layer.inputs) <= set(KINDS) | {TRAEFIK_ROUTERS, CERT_CLOCK}, layer.id
    assert LAYER_INPUTS == {layer.id: layer.inputs for layer in LAYERS}  # the store reads the table
    assert [p.digit for p in TAB_PANES] == [str(n) for n in range(1, len(TAB_PANES) + 1)]


def test_the_command_line_takes_every_word_of_the_table():
    for word, pane in PANE_WORDS.items():
        assert parse_command(f":{word} wiki") == parse_command(f":{pane} wiki"), word
    assert parse_command(":longhorn").arg == "volumes"


async def test_a_remapped_pane_key_is_what_the_header_shows_and_what_works(emulator_factory):
    emu = emulator_factory(demo_objects(), controllers=False)
    app = make_app(emu, config=Config(keymap={"pane.nodes": "n", "pane.apps": "a,6"}))
    async with app.run_test(size=(120, 30)) as pilot:
        await synced(pilot)
        tabs = screen_text(app).splitlines()[1]
        assert "n Nodes" in tabs and "a Apps" in tabs and "2 Nodes" not in tabs, tabs
        assert "3 Volumes" in tabs  # the others keep their digits
        await press(pilot, "2")
        assert app.current_mode == "overview"  # 2 no longer opens Nodes
        await press(pilot, "n")
        assert app.current_mode == "nodes"
        await press(pilot, "a")
        assert app.current_mode == "apps"
