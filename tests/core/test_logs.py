"""Log streams (tui/core/logs.py) against the emulator's pods/{name}/log, over the real client."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.support.log_pods import INCIDENT_LINE, NOW, crashlooping_db, literal_pod, log_world
from tui.core.kube_http import client_for
from tui.core.logs import (
    LogBuffer,
    LogOptions,
    LogSession,
    LogTarget,
    parse_since,
    short_labels,
    stamp_key,
)


def live_clock():
    """The demo's now, running at wall speed (logs of a running container keep growing)."""
    t0 = time.monotonic()
    return lambda: NOW + timedelta(seconds=time.monotonic() - t0)


def wait_for(predicate, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def session_for(emulator_factory):
    sessions: list[LogSession] = []

    def make(objects, options: LogOptions | None = None, limit: int = 20_000):
        emu = emulator_factory(objects, controllers=False, now=live_clock())
        session = LogSession(client_for(emu.url), options or LogOptions(), limit)
        sessions.append(session)
        return emu, session

    yield make
    for s in sessions:
        s.stop()


def texts(session: LogSession) -> list[str]:
    return [line.text for line in session.buffer.lines()]


def test_previous_run_of_the_crashlooping_db_ends_with_the_unknown_variable(session_for):
    emu, session = session_for(log_world(), LogOptions(previous=True))
    session.set_targets([LogTarget("wiki", "wiki-db-0", ("mariadb",))])
    wait_for(lambda: session.states()[0].state == "ended", what="the previous log read to its end")
    lines = texts(session)
    assert lines[-2].endswith(INCIDENT_LINE)
    assert lines[-1].endswith("[ERROR] Aborting")
    assert all(line.stamp.startswith("2026-11-26T14:03:2") for line in session.buffer.lines())


def test_previous_of_a_container_that_never_restarted_says_so(session_for):
    emu, session = session_for(log_world(), LogOptions(previous=True))
    session.set_targets([LogTarget("api", "api-7c9d8f6b5-4kq2n", ("api",))])
    wait_for(lambda: session.states()[0].state == "ended", what="the 400 answer")
    assert session.states()[0].detail == 'previous terminated container "api" in pod "api-7c9d8f6b5-4kq2n" not found'
    assert len(session.buffer) == 0


def test_follow_tails_then_appends_live_lines(session_for):
    pod = literal_pod("chatty", [f"boot {i}" for i in range(30)], rate=50)
    emu, session = session_for([pod], LogOptions(tail_lines=5))
    session.set_targets([LogTarget("wiki", "chatty", ("app",))])
    wait_for(lambda: len(session.buffer) >= 40, what="live lines while following")
    lines = texts(session)
    # 50 lines/s for two hours already written: the tail is 5 steady lines, then new ones
    assert lines[0].startswith("line ") and not any(t.startswith("boot") for t in lines)
    numbers = [int(t.split()[1]) for t in lines]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert session.states()[0].state == "following"


def test_since_seconds_keeps_only_recent_lines(session_for):
    emu, session = session_for(log_world(), LogOptions(tail_lines=None, since_seconds=60))
    session.set_targets([LogTarget("api", "api-7c9d8f6b5-4kq2n", ("api",))])
    wait_for(lambda: len(session.buffer) > 3, what="a minute of api lines")
    first = stamp_key(session.buffer.lines()[0].stamp)
    assert first is not None and first[0] >= "2026-11-26T14:04:00"
    assert len(session.buffer) < 20  # one line every ~6 s


def test_reconnect_after_a_dropped_stream_duplicates_no_line(session_for):
    pod = literal_pod("chatty", ["boot"], rate=200)
    emu, session = session_for([pod], LogOptions(tail_lines=10))
    session.set_targets([LogTarget("wiki", "chatty", ("app",))])
    wait_for(lambda: len(session.buffer) > 50, what="lines before the drop")
    for _ in range(3):
        emu.drop_watches()  # also ends every log follow: the client must come back
        before = session.buffer.total
        wait_for(lambda: session.buffer.total > before + 100, what="lines after a reconnect")
    numbers = [int(t.split()[1]) for t in texts(session)]
    assert len(numbers) == len(set(numbers)), "a reconnect delivered a line twice"
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "a reconnect lost lines"
    assert session.states()[0].reconnects >= 3


def test_the_ring_keeps_the_newest_20000_and_counts_the_dropped(session_for):
    pod = literal_pod("flood", ["boot"], rate=4000)
    emu, session = session_for([pod], LogOptions(tail_lines=19_000), limit=20_000)
    session.set_targets([LogTarget("wiki", "flood", ("app",))])
    wait_for(lambda: session.buffer.total > 21_000, timeout=15, what="more lines than the ring holds")
    assert len(session.buffer) == 20_000
    assert session.buffer.dropped == session.buffer.total - 20_000 > 0
    kept = session.buffer.lines()
    assert kept[-1].seq == session.buffer.total and kept[0].seq == session.buffer.dropped + 1


def test_a_deleted_pod_says_so_and_its_stream_stops(session_for):
    pod = literal_pod("doomed", ["boot"], rate=20)
    emu, session = session_for([pod], LogOptions(tail_lines=1))
    session.set_targets([LogTarget("wiki", "doomed", ("app",))])
    wait_for(lambda: session.states()[0].state == "following", what="following")
    emu.delete("pods", "wiki", "doomed")
    wait_for(lambda: session.states()[0].state == "deleted", what="the deletion noticed")
    stream = next(iter(session.streams.values()))
    stream.join(3.0)
    assert not stream.alive
    assert session.states()[0].detail == "pod deleted; stream stopped"


def test_merged_pods_carry_a_short_prefix_and_new_pods_join(session_for):
    emu, session = session_for(log_world(), LogOptions(tail_lines=3))
    session.merged = True
    session.set_targets([LogTarget("api", "api-7c9d8f6b5-4kq2n", ("api",))])
    wait_for(lambda: len(session.buffer) >= 3, what="the first pod's lines")
    assert session.label(session.buffer.lines()[0].source) == "4kq2n"
    session.set_targets([LogTarget("api", "api-7c9d8f6b5-9wz7m", ("api",))])
    wait_for(lambda: {session.label(l.source) for l in session.buffer.lines()} == {"4kq2n", "9wz7m"},
             what="both pods")


def test_a_multi_container_pod_streams_each_container_labelled(session_for):
    emu, session = session_for(log_world(), LogOptions(tail_lines=2))
    session.set_targets([LogTarget("wiki", "wiki-web-5f6c7d9b4-x2k9p", ("nginx", "php"))])
    wait_for(lambda: {session.label(l.source) for l in session.buffer.lines()} == {"nginx", "php"},
             what="both containers")


def test_crashlooping_current_log_is_the_last_run():
    """kubelet's rule: a container waiting in CrashLoopBackOff logs its last terminated run."""
    from tui.emulator.pod_logs import run_for

    run = run_for(crashlooping_db(), "wiki-db-0", "mariadb", "mariadb:11.4", previous=False)
    lines, _ = run.lines(10**18)
    assert lines[-2][1].endswith(INCIDENT_LINE)


def test_helpers():
    assert parse_since("5m") == 300 and parse_since("1h30m") == 5400 and parse_since("90") == 90
    assert parse_since("soon") is None and parse_since("0") is None
    assert short_labels(["api-7c9d8f6b5-4kq2n", "api-7c9d8f6b5-9wz7m"]) == {
        "api-7c9d8f6b5-4kq2n": "4kq2n", "api-7c9d8f6b5-9wz7m": "9wz7m"}
    assert short_labels(["wiki-db-0"], merged=False) == {"wiki-db-0": ""}
    assert short_labels(["wiki-db-0", "wiki-web-5f6c7d9b4-x2k9p"]) == {"wiki-db-0": "db-0",
                                                                      "wiki-web-5f6c7d9b4-x2k9p": "web-x2k9p"}
    assert stamp_key("2026-11-26T14:04:55.21311Z") == ("2026-11-26T14:04:55", 213110000)
    buf = LogBuffer(3)
    buf.append_many("", [("", str(i)) for i in range(5)])
    assert [l.text for l in buf.lines()] == ["2", "3", "4"] and buf.dropped == 2
    assert [l.text for l in buf.since(4)] == ["4"]
