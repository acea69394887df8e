"""The one place that decides which sources feed a store: every kube kind's list+watch, and
Traefik's own API when the cluster is a live one. The App and the `snapshot` command both
build their sources here, so the two never disagree.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from tui.core.bounded_events import keep_newest
from tui.core.clock import Clock
from tui.core.events import HealthChanged, SourceHealth, SourceState
from tui.core.kinds import KINDS
from tui.core.ports import Origin
from tui.core.sources import Backoff, Deliver, SourceSet
from tui.core.traefik_api import DEFAULT_INTERVAL, TraefikPoller

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


class Source(Protocol):
    """A thread that feeds the store: a kind's watch or a polled HTTP API."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


class AbsentKind:
    """A kind that an offline dump does not hold. Its collection would list empty, which reads
    as "there are none"; the truth is "not in the dump", said once."""

    def __init__(self, key: str, deliver: Deliver, clock: Clock) -> None:
        self.key, self._deliver, self._clock = key, deliver, clock

    def start(self) -> None:
        self._deliver(HealthChanged(SourceHealth(self.key, SourceState.NOT_IN_DUMP, self._clock.now(),
                                                 "not in the dump")))

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


class Sources:
    """Every source of one connection, started and stopped together."""

    def __init__(self, members: list[Source]) -> None:
        self.members = members

    def start(self) -> None:
        for source in self.members:
            source.start()

    def stop(self, timeout: float = 2.0) -> None:
        for source in self.members:
            source.stop()
        for source in self.members:
            source.join(timeout / max(1, len(self.members)))


def traefik_api_for(origin: Origin, configured: str | None) -> str | None:
    """The Traefik API to poll: the configured one, and only for a live cluster (the demo and
    a dump are not the cluster that Traefik serves)."""
    return configured if origin is Origin.KUBECONFIG else None


def build_sources(api_client: ApiClient, deliver: Deliver, clock: Clock, *, origin: Origin,
                  traefik_api_url: str | None = None, traefik_poll_seconds: float = DEFAULT_INTERVAL,
                  backoff: Backoff | None = None, force_traefik_api: bool = False,
                  present: frozenset[str] | None = None, events_max: int | None = None) -> Sources:
    """Not started yet. `force_traefik_api` polls `traefik_api_url` whatever the origin (the
    snapshot command's explicit `traefik_api_url` argument). `present`: the KINDS keys a dump
    holds (None for a live cluster); every other kind says "not in the dump". `events_max`: the
    store keeps that many events; the events source holds no more than twice that while listing."""
    watched = [k for k in KINDS.values() if present is None or k.key in present]
    keep = {"events": keep_newest(events_max)} if events_max else None
    kube = SourceSet(api_client, deliver, clock, kinds=watched, backoff=backoff or Backoff(), keep=keep)
    members: list[Source] = list(kube.sources)
    if present is not None:
        members += [AbsentKind(key, deliver, clock) for key in KINDS if key not in present]
    url = traefik_api_url if force_traefik_api else traefik_api_for(origin, traefik_api_url)
    if url:
        members.append(TraefikPoller(url, deliver, clock, traefik_poll_seconds, backoff=backoff))
    return Sources(members)
