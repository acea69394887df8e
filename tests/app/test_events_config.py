"""`events_max` in the config file bounds the events the app's store keeps."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_app_config import write
from tui.config import ConfigError, load_config


def test_events_max_defaults_to_5000_and_is_read_from_the_file(tmp_path: Path) -> None:
    assert load_config({"HOME": str(tmp_path)}).events_max == 5000
    assert load_config(write(tmp_path, "events_max: 250\n")).events_max == 250


@pytest.mark.parametrize("value", ["10", "lots", "true"])
def test_a_useless_events_max_is_a_clear_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="events_max must be a whole number of at least 100"):
        load_config(write(tmp_path, f"events_max: {value}\n"))


async def test_the_app_keeps_only_the_configured_number_of_events(emulator_factory) -> None:
    from tests.core.test_parse_events import _numbered
    from tests.support.app_support import make_app, synced
    from tui.config import Config

    def as_events_v1(obj: dict) -> dict:  # the shape the app watches: events.k8s.io/v1
        return {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": obj["metadata"],
                "regarding": obj["involvedObject"], "reason": obj["reason"], "note": obj["message"],
                "type": obj["type"], "deprecatedLastTimestamp": obj["lastTimestamp"]}

    emu = emulator_factory([as_events_v1(_numbered(i)) for i in range(150)], controllers=False)
    app = make_app(emu, config=Config(events_max=100))
    async with app.run_test(size=(80, 24)) as pilot:
        await synced(pilot)
        assert len(app.store.rows("events")) == 100
        assert app.store.events_dropped == 50
