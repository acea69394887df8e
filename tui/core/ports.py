"""The seams between the rings, as Protocols: what actions, screens and the app glue may ask of
each other, so that `mypy` checks across them instead of seeing `Any`.

- StoreView: the cluster model read by actions (a FrozenView taken on the loop, see
  frozen_view.py) and, with health, by screens (LiveStoreView: the ClusterStore itself).
- Connection: which cluster, how to reach it, where its data comes from (Origin).
- Runner: what runs a confirmed plan and writes its audit record (core's ActionRunner).
- ActionKeys: what the panes' action keys reach (availability, request, the Runs screen).
- Deck: the narrow part of the App that screens use (they never import tui.app).

Types only: nothing here runs, and core never imports the modules that implement them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload

from tui.core.clock import Clock
from tui.core.events import SourceHealth
from tui.core.index import ImpactIndex
from tui.core.rows import (
    AppRow,
    EventRow,
    IpPoolRow,
    LoadBalancerRow,
    LonghornNodeRow,
    NodeRow,
    PodRow,
    ReplicaRow,
    RouteRow,
    Row,
    VolumeRow,
    WorkloadRow,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kubernetes.client import ApiClient

    from tui.core.actions.audit import Who
    from tui.core.actions.base import Action, ActionContext, Plan, ProgressEvent


class Origin(str, Enum):
    """Where a connection's data comes from. Only a live cluster has a Traefik of its own."""

    KUBECONFIG = "kubeconfig"
    DEMO = "demo"
    DUMP = "dump"

    @property
    def label(self) -> str:
        """What the header says about it ("" for a live cluster)."""
        return {"kubeconfig": "", "demo": "demo", "dump": "offline dump"}[self.value]


class StoreView(Protocol):
    """The rows, raw objects and impact links of one moment of the cluster. Each layer name
    gives its own row type, so that a reader's attribute use is checked."""

    @overload
    def rows(self, layer: Literal["nodes"]) -> Sequence[NodeRow]: ...
    @overload
    def rows(self, layer: Literal["volumes"]) -> Sequence[VolumeRow]: ...
    @overload
    def rows(self, layer: Literal["lh_nodes"]) -> Sequence[LonghornNodeRow]: ...
    @overload
    def rows(self, layer: Literal["replicas"]) -> Sequence[ReplicaRow]: ...
    @overload
    def rows(self, layer: Literal["ip_pools"]) -> Sequence[IpPoolRow]: ...
    @overload
    def rows(self, layer: Literal["load_balancers"]) -> Sequence[LoadBalancerRow]: ...
    @overload
    def rows(self, layer: Literal["routes"]) -> Sequence[RouteRow]: ...
    @overload
    def rows(self, layer: Literal["apps"]) -> Sequence[AppRow]: ...
    @overload
    def rows(self, layer: Literal["workloads"]) -> Sequence[WorkloadRow]: ...
    @overload
    def rows(self, layer: Literal["pods"]) -> Sequence[PodRow]: ...
    @overload
    def rows(self, layer: Literal["events"]) -> Sequence[EventRow]: ...
    @overload
    def rows(self, layer: str) -> Sequence[Row]: ...

    @overload
    def row(self, layer: Literal["nodes"], key: str) -> NodeRow | None: ...
    @overload
    def row(self, layer: Literal["volumes"], key: str) -> VolumeRow | None: ...
    @overload
    def row(self, layer: Literal["lh_nodes"], key: str) -> LonghornNodeRow | None: ...
    @overload
    def row(self, layer: Literal["replicas"], key: str) -> ReplicaRow | None: ...
    @overload
    def row(self, layer: Literal["ip_pools"], key: str) -> IpPoolRow | None: ...
    @overload
    def row(self, layer: Literal["load_balancers"], key: str) -> LoadBalancerRow | None: ...
    @overload
    def row(self, layer: Literal["routes"], key: str) -> RouteRow | None: ...
    @overload
    def row(self, layer: Literal["apps"], key: str) -> AppRow | None: ...
    @overload
    def row(self, layer: Literal["workloads"], key: str) -> WorkloadRow | None: ...
    @overload
    def row(self, layer: Literal["pods"], key: str) -> PodRow | None: ...
    @overload
    def row(self, layer: Literal["events"], key: str) -> EventRow | None: ...
    @overload
    def row(self, layer: str, key: str) -> Row | None: ...

    def objects(self, key: str) -> list[dict[str, Any]]:
        """The raw objects of one KINDS key."""
        ...

    def get(self, key: str, object_key: str) -> dict[str, Any] | None: ...

    def impact(self) -> ImpactIndex: ...


class LiveStoreView(StoreView, Protocol):
    """The live store as screens read it: a StoreView plus source health and versions."""

    version: int

    def health(self) -> dict[str, SourceHealth]: ...

    def layer_health(self, layer: str) -> list[SourceHealth]: ...

    def synced(self) -> bool: ...

    def loading(self) -> dict[str, tuple[int, int | None]]: ...

    def parsed(self, key: str) -> dict[str, Any]: ...

    def changed_layers(self, since_version: int) -> set[str]: ...

    def changed_rows(self, layer: str, since_version: int) -> set[str] | None: ...

    def events_for(self, ref: str) -> list[EventRow]: ...

    @property
    def events_dropped(self) -> int: ...

    def pods_of(self, layer: str, key: str) -> list[PodRow]: ...


class Connection(Protocol):
    """Which cluster: its API client, context, origin and the APIs next to it."""

    @property
    def api_client(self) -> ApiClient: ...
    @property
    def context(self) -> str: ...
    @property
    def origin(self) -> Origin: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def host(self) -> str: ...
    @property
    def contexts(self) -> tuple[str, ...]: ...
    @property
    def argocd_url(self) -> str | None: ...
    @property
    def argocd_token(self) -> str | None: ...
    @property
    def longhorn_url(self) -> str | None: ...
    @property
    def dump_kinds(self) -> frozenset[str] | None: ...
    @property
    def origin_label(self) -> str: ...

    def close(self) -> None: ...


class Runner(Protocol):
    """Runs a confirmed plan (one at a time per target), writes the audit record around it, and
    says why it would refuse (read-only, a target already busy)."""

    @property
    def read_only(self) -> bool: ...
    @property
    def who(self) -> Who: ...

    def refusal(self, action: Action, plan: Plan | None = None) -> str | None: ...

    def run(self, action: Action, ctx: ActionContext, plan: Plan, typed: str = "") -> Iterator[ProgressEvent]: ...

    def interrupt(self, reason: str) -> None:
        """End every running action now (SIGHUP, SIGTERM): their end records say why."""
        ...

    def wait_idle(self, timeout: float) -> bool: ...


class ActionKeys(Protocol):
    """What the panes' action keys reach: True shown / None dimmed / False hidden."""

    def availability(self, action_id: str, rows: Sequence[Any]) -> bool | None: ...

    def request(self, action_id: str, rows: Sequence[Any]) -> None: ...

    def open_runs(self) -> None: ...


class Deck(Protocol):
    """The part of the App that screens use. The App implements it; screens reach it as
    `self.deck` and never import tui.app."""

    @property
    def store(self) -> LiveStoreView: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def connection(self) -> Connection: ...
    @property
    def actions(self) -> ActionKeys: ...

    def header_facts(self, active: str) -> Mapping[str, Any]: ...

    def has_impact(self, layer: str) -> bool: ...

    def open_detail(self, layer: str, row: Any) -> None: ...

    def open_impact(self, layer: str, row: Any) -> None: ...

    def open_events(self, layer: str | None = None, row: Any = None, filter_text: str = "") -> None: ...

    def open_logs(self, layer: str, row: Any) -> None: ...

    def traefik_api_url(self) -> str | None: ...

    async def jump_to(self, pane: str, key: str, filter_text: str | None = None) -> bool:
        """Show `pane` with the cursor on `key` (the palette, the command line)."""
        ...
