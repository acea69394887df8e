"""ClusterStore: the live model every pane, the snapshot command and the actions read.

Mutated only by ``handle`` on the event-loop thread. Raw objects are kept per KINDS key
(the kinds that grow with the cluster packed: tui/core/packed.py); each object is parsed
once per content (a relist keeps an unchanged object, so its parse);
layer rows (which join several kinds) are
rebuilt lazily when a layer is read after one of its input kinds changed, and even then
only the rows whose inputs changed are rebuilt.
"""
from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar, cast

from tui.core.bounded_events import EventsBound
from tui.core.change_log import HEALTH, ChangeLog
from tui.core.clock import Clock, SystemClock
from tui.core.events import (
    Changed,
    HealthChanged,
    ListPage,
    Relisted,
    SourceEvent,
    SourceHealth,
    SourceState,
)
from tui.core.index import ImpactIndex
from tui.core.kinds import KINDS
from tui.core.layers import LAYER, LAYER_IDS
from tui.core.layers import LAYERS as LAYER_TABLE
from tui.core.packed import NOT_PARSED, Held, Packed, held_form, unpack
from tui.core.parsers import longhorn, longhorn_backup, metallb, traefik, traefik_objects
from tui.core.parsers.access import evolve, name_of, namespace_of
from tui.core.parsers.argocd import parse_application
from tui.core.parsers.events import aggregate, events_by_object, parse_event
from tui.core.parsers.nodes import parse_node
from tui.core.parsers.pods import parse_pod
from tui.core.parsers.services import parse_endpoint_slice, parse_service
from tui.core.parsers.tls_secrets import TlsSecret, only_certificate, parse_tls_secret
from tui.core.parsers.workloads import parse_workload, replicaset_owner
from tui.core.rebuild_rate import RebuildRates
from tui.core.route_refs import Named, TraefikObjects, check_refs
from tui.core.route_tls import CERT_CLOCK, check_tls
from tui.core.rows import (
    EventRow,
    PodRow,
    ReplicaRow,
    RouteRow,
    Row,
    VolumeRow,
    WorkloadRow,
    object_key,
)
from tui.core.traefik_match import (
    TRAEFIK_API,
    TRAEFIK_ROUTERS,
    TraefikView,
    build_view,
    overlay,
    route_units,
)

# the row layers, the kinds each is built from and the pane whose source health it shows:
# one table for the whole app (tui/core/layers.py)
LAYERS = LAYER_IDS
LAYER_INPUTS: dict[str, tuple[str, ...]] = {layer.id: layer.inputs for layer in LAYER_TABLE}
LAYERS_OF_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(layer for layer, inputs in LAYER_INPUTS.items() if kind in inputs)
    for kind in {k for inputs in LAYER_INPUTS.values() for k in inputs}}
PANE_OF_LAYER = {layer.id: layer.pane for layer in LAYER_TABLE}

# sources that are not kube kinds (polled HTTP APIs): health key -> the pane whose health it is.
# They exist only once they reported (an unconfigured API has no health at all).
EXTRA_SOURCES = {TRAEFIK_API: "routes"}

def _object_key(obj: Any) -> str:
    return object_key(namespace_of(obj), name_of(obj))


# every kind whose objects are routes; Traefik's API is matched against the HTTP ones only
ROUTE_KINDS = ("ingressroutes", "ingressroutes_legacy", "ingresses", "ingressroutetcps",
               "ingressroutetcps_legacy", "ingressrouteudps", "ingressrouteudps_legacy")
HTTP_ROUTE_KINDS = ("ingressroutes", "ingressroutes_legacy", "ingresses")

# one parser per kind; its result is cached per object and resourceVersion
PARSERS: dict[str, Callable[[Any], Any]] = {
    "nodes": parse_node,
    "services": parse_service,
    "endpointslices": parse_endpoint_slice,
    "deployments": partial(parse_workload, kind="Deployment"),
    "statefulsets": partial(parse_workload, kind="StatefulSet"),
    "replicasets": replicaset_owner,
    "ingresses": traefik.parse_ingress,
    "tls_secrets": parse_tls_secret,
    "lh_volumes": longhorn.parse_volume,
    "lh_nodes": longhorn.parse_longhorn_node,
    "lh_replicas": longhorn.parse_replica,
    "lh_engines": longhorn.parse_engine,
    "lh_attachments": longhorn.parse_volume_attachment,
    "lh_snapshots": longhorn_backup.parse_snapshot,
    "lh_backups": longhorn_backup.parse_backup,
    "lh_backup_volumes": longhorn_backup.parse_backup_volume,
    "lh_backup_targets": longhorn_backup.parse_backup_target,
    "lh_recurring_jobs": longhorn_backup.parse_recurring_job,
    "lh_settings": longhorn_backup.parse_setting,
    "ip_pools": lambda obj: (metallb.parse_ip_pool(obj), metallb.pool_spec(obj)),
    "l2_advertisements": lambda obj: obj,
    "l2_statuses": metallb.parse_l2_status,
    "bgp_advertisements": lambda obj: obj,
    "bgp_peers": lambda obj: obj,
    "bgp_statuses": metallb.parse_l2_status,  # ServiceBGPStatus: the same labels and status fields
    "ingressroutes": partial(traefik.parse_ingressroute, api_group="traefik.io"),
    "ingressroutes_legacy": partial(traefik.parse_ingressroute, api_group="traefik.containo.us"),
    **{f"{key}{suffix}": parser
       for suffix, group in (("", "traefik.io"), ("_legacy", "traefik.containo.us"))
       for key, parser in (
           ("ingressroutetcps", partial(traefik_objects.parse_ingressroute_tcp, api_group=group)),
           ("ingressrouteudps", partial(traefik_objects.parse_ingressroute_udp, api_group=group)),
           ("traefikservices", traefik_objects.parse_traefik_service),
           ("middlewares", _object_key), ("tlsoptions", _object_key), ("serverstransports", _object_key),
           ("tlsstores", traefik_objects.default_certificate))},
    "applications": parse_application,
    "pods": parse_pod,
    "events": parse_event,
}

# kinds cut down as they arrive, before anything else sees them: of a TLS Secret only its
# certificate is kept (never tls.key, never any other value)
REDUCERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"tls_secrets": only_certificate}

TRAEFIK_UNITS = ":traefik_units"  # suffix of the EXTRA_PARSERS key of a route kind's RouteUnits

# parser outputs cached like PARSERS but read from another kind's objects
EXTRA_PARSERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "lb_services": ("services", metallb.parse_service_lb),
    # the routers Traefik should make of each HTTP route, matched against its API's
    **{f"{kind}{TRAEFIK_UNITS}": (kind, partial(route_units, crd=kind != "ingresses")) for kind in HTTP_ROUTE_KINDS},
}

# why a route's TLS Secret was not checked, by the state of the Secrets source
_SECRETS_UNKNOWN = {
    SourceState.CONNECTING: "Secrets not listed yet",
    SourceState.FORBIDDEN: "not allowed to list Secrets",
    SourceState.NOT_IN_DUMP: "Secrets not in the dump",
}
# a source whose list answered: stale data is the last known, shown under the pane's banner
_LISTED = (SourceState.OK, SourceState.STALE)

T = TypeVar("T")


# layers with exactly one row per object of their kind (LayerDef.object_kind), keyed as the
# object: a change to a few objects rebuilds a few rows (ClusterStore._update_layer)
ONE_ROW_PER_OBJECT = frozenset({"nodes", "lh_nodes", "volumes", "apps", "pods"})
# of those, the ones whose kind feeds no other layer (so its objects' changes touch that layer only)
_LAYER_OF_OBJECTS = {LAYER[layer].object_kind: layer for layer in ONE_ROW_PER_OBJECT
                     if sum(LAYER[layer].object_kind in inputs for inputs in LAYER_INPUTS.values()) == 1}


@dataclass(frozen=True)
class _Rows:
    """A built layer: at `version`, its rows in key order, by key, and the sorted keys."""

    version: int
    ordered: list[Row]
    by_key: dict[str, Row]
    keys: list[str]


def _key_of(row: Row) -> str:
    return cast("str", cast("Any", row).key)  # every layer's row type has one (tui/core/rows.py)


def _parsed_is_row(key: str, value: Any) -> Row:
    return cast("Row", value)


def _with_data_safety(volume: VolumeRow, safety: tuple[Any, ...]) -> VolumeRow:
    snapshots, backups, backup_volume, jobs, target = safety
    return longhorn_backup.with_data_safety(
        volume, None if snapshots is None else list(snapshots), None if backups is None else list(backups),
        backup_volume, None if jobs is None else list(jobs), target)


class _Memo:
    """Derived rows keyed by identity, rebuilt only when their inputs (signature) change."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Hashable, Any]] = {}

    def get(self, key: str, signature: Hashable, build: Callable[[], T]) -> T:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == signature:
            return entry[1]  # type: ignore[no-any-return]
        value = build()
        self._entries[key] = (signature, value)
        return value

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def retain(self, keys: Iterable[str]) -> None:
        keep = set(keys)
        for key in [k for k in self._entries if k not in keep]:
            del self._entries[key]


class ClusterStore:
    def __init__(self, clock: Clock | None = None, events_max: int = 5000) -> None:
        self.clock: Clock = clock or SystemClock()
        self._events_bound = EventsBound(events_max)
        self.version = 0
        self._objects: dict[str, dict[str, Held]] = {key: {} for key in KINDS}
        self._health: dict[str, SourceHealth] = {}
        self._loading: dict[str, tuple[int, int | None]] = {}  # kinds whose list is still paging
        self._kind_version: dict[str, int] = dict.fromkeys([*KINDS, TRAEFIK_ROUTERS, CERT_CLOCK], 0)
        self._cert_hour = self._hour()
        self._traefik: TraefikView | None = None  # the last poll of Traefik's API, if any
        self._layer_changed: dict[str, int] = {}
        self._log = ChangeLog()
        self._layer_version: dict[str, int] = {}  # per layer: the newest version of its inputs
        self._parse_cache: dict[str, dict[str, tuple[Held, Any]]] = {
            key: {} for key in KINDS
        }
        self._parsed: dict[str, tuple[int, dict[str, Any]]] = {}
        self._rows: dict[str, _Rows] = {}
        self._builders: dict[str, tuple[tuple[int, ...], Callable[[str, Any], Row]]] = {}
        self._memos: dict[str, _Memo] = {layer: _Memo() for layer in LAYERS}
        self._impact: tuple[int, ImpactIndex] | None = None
        self._events_index: tuple[int, dict[str, list[EventRow]]] | None = None
        self._rebuild_rates = RebuildRates()

    # -- events -----------------------------------------------------------------------------

    def handle(self, event: SourceEvent) -> None:
        if isinstance(event, HealthChanged):
            self._set_health(event.health)
        elif isinstance(event, Relisted):
            self._relist(event)
        elif isinstance(event, Changed):
            self._change(event)
        elif isinstance(event, ListPage):
            self._list_page(event)

    def _relist(self, event: Relisted) -> None:
        if event.key == TRAEFIK_ROUTERS:
            self._traefik_relist(event)
            return
        if event.key not in KINDS:
            return
        fresh: dict[str, Held] = {}
        for obj in event.objects if isinstance(event.objects, list) else []:
            keyed = self._keyed(event.key, obj)
            if keyed:
                fresh[keyed[0]] = keyed[1]
        if event.key == "events":
            fresh = self._events_bound.relisted(fresh, event.listed)
        if self._loading.pop(event.key, None) is not None:
            self._bump(HEALTH, None)
            self._layer_changed["health"] = self.version  # the "loading" line goes
        old = self._objects[event.key]
        # Content, not resourceVersion, says what changed: a restored or rebuilt API server
        # reuses versions. An unchanged object keeps its identity (and so its parse).
        changed = len(old) != len(fresh)
        for obj_key, obj in fresh.items():
            before = old.get(obj_key)
            if before is not None and before == obj:
                fresh[obj_key] = before
            else:
                changed = True
        self._objects[event.key] = fresh
        current = self._health.get(event.key)
        # the first list that answers also tells "none" from "not served" (an empty Snapshots list)
        if changed or current is None or current.state is not SourceState.OK:
            self._touch_kind(event.key)
        if current is None or current.state is not SourceState.OK:
            # a list that answered is proof the source works
            self._set_health(SourceHealth(event.key, SourceState.OK, since=self.clock.now()))

    def _list_page(self, event: ListPage) -> None:
        """A page of a list still under way: its objects show now; the Relisted that ends the
        list settles the kind (objects a previous list had and this one lacks go then)."""
        if event.key not in KINDS:
            return
        bucket = self._objects[event.key]
        for obj in event.objects:
            keyed = self._keyed(event.key, obj)
            if keyed and bucket.get(keyed[0]) != keyed[1]:
                bucket[keyed[0]] = keyed[1]
        if event.key == "events":
            self._objects["events"] = bucket = self._events_bound.paged(bucket)
        self._loading[event.key] = (event.loaded, event.total)
        self._touch_kind(event.key)
        self._layer_changed["health"] = self.version  # the Overview's "loading" line moved

    def loading(self) -> dict[str, tuple[int, int | None]]:
        """Kinds whose list is still paging: (objects listed so far, the list's total if known)."""
        return dict(self._loading)

    def _traefik_relist(self, event: Relisted) -> None:
        routers = event.objects if isinstance(event.objects, list) else []
        facts = event.facts if isinstance(event.facts, dict) else {}
        providers = facts.get("providers")
        view = build_view(routers, providers if isinstance(providers, list) else None)
        if view != self._traefik:
            self._traefik = view
            self._touch_kind(TRAEFIK_ROUTERS)

    def _change(self, event: Changed) -> None:
        if event.key not in KINDS:
            return
        keyed = self._keyed(event.key, event.obj)
        if keyed is None:
            return
        key, obj = keyed
        bucket = self._objects[event.key]
        if event.type == "DELETED":
            if bucket.pop(key, None) is None:
                return
        else:
            bucket[key] = obj
            if event.key == "events":
                self._events_bound.added(bucket, key)
                # it moved to the newest end and older ones may have gone: the whole kind moved
                self._touch_kind(event.key)
                return
        self._touch_kind(event.key, key)

    def _keyed(self, kind_key: str, obj: Any) -> tuple[str, Held] | None:
        """("ns/name", the object as held: apiVersion/kind filled in, packed when its kind is),
        or None for a nameless object. Sources hand most objects over already held so."""
        if isinstance(obj, Packed):
            return obj.key, obj
        if not isinstance(obj, dict) or not name_of(obj):
            return None
        if kind_key in REDUCERS:
            obj = REDUCERS[kind_key](obj)
        return object_key(namespace_of(obj), name_of(obj)), held_form(KINDS[kind_key], obj)

    def _bump(self, source: str, key: str | None) -> None:
        """Every version step goes through here, so the change log knows what each one was."""
        self.version += 1
        self._log.record(self.version, source, key)

    def _touch_kind(self, kind_key: str, obj_key: str | None = None) -> None:
        """Objects of a kind changed: one (obj_key) or any of them (None)."""
        self._bump(kind_key, obj_key)
        self._kind_moved(kind_key)
        for layer in LAYERS_OF_KIND.get(kind_key, ()):
            self._layer_changed[layer] = self.version
        self._layer_changed["impact"] = self.version

    def _kind_moved(self, kind_key: str) -> None:
        """A kind's objects (or its source's health) moved at this version, and so its layers."""
        self._kind_version[kind_key] = self.version
        for layer in LAYERS_OF_KIND.get(kind_key, ()):
            self._layer_version[layer] = self.version

    def _hour(self) -> datetime:
        return self.clock.now().replace(minute=0, second=0, microsecond=0)

    def advance_clock(self) -> None:
        """Called by the app's ticker. Certificates age with time, not with events: once an hour
        the routes are rebuilt when any TLS Secret is held (expiry states, days left)."""
        hour = self._hour()
        if hour != self._cert_hour:
            self._cert_hour = hour
            if self._objects["tls_secrets"]:
                self._touch_kind(CERT_CLOCK)

    def _set_health(self, health: SourceHealth) -> None:
        if self._health.get(health.key) == health:
            return
        self._health[health.key] = health
        if health.state is SourceState.NOT_INSTALLED and self._objects.get(health.key):
            # the CRD is gone and its objects with it; a forbidden or stale source keeps its
            # last-known objects under the banner instead
            self._objects[health.key] = {}
            self._touch_kind(health.key)
        if health.key == TRAEFIK_API and health.state is SourceState.NOT_INSTALLED and self._traefik:
            self._traefik = None  # no API there: Traefik's view is unknown, not "all absent"
            self._touch_kind(TRAEFIK_ROUTERS)
        self._bump(health.key if health.key in KINDS else HEALTH, None)
        if health.key in KINDS:
            # rows that read a source's health (endpoints, TLS Secrets listed or not) are rebuilt
            self._kind_moved(health.key)
        pane = KINDS[health.key].pane if health.key in KINDS else EXTRA_SOURCES.get(health.key)
        for layer, layer_pane in PANE_OF_LAYER.items():
            if layer_pane == pane:
                self._layer_changed[layer] = self.version
        self._layer_changed["health"] = self.version

    # -- raw objects --------------------------------------------------------------------------

    def changed_layers(self, since_version: int) -> set[str]:
        """Layers whose rows or source health changed after since_version (plus "impact" when
        any object changed and "health" when any source health changed)."""
        return {layer for layer, version in self._layer_changed.items() if version > since_version}

    def changed_rows(self, layer: str, since_version: int) -> set[str] | None:
        """Keys of the layer's rows that changed after since_version (added, changed or gone),
        when only its own objects moved; None when it cannot say (other inputs moved, the
        layer is not one row per object, or the change log no longer reaches back)."""
        if layer not in ONE_ROW_PER_OBJECT:
            return None
        changes = self._log.since(since_version, LAYER_INPUTS[layer])
        if changes is None or set(changes) - {LAYER[layer].object_kind}:
            return None
        keys = changes.get(LAYER[layer].object_kind, set())
        return None if keys is None else set(keys)

    def objects(self, key: str) -> list[dict[str, Any]]:
        """One kind's objects, whole (a packed kind's decoded: costly for the big ones)."""
        return [unpack(held) for held in self._objects.get(key, {}).values()]

    def get(self, key: str, object_key: str) -> dict[str, Any] | None:
        held = self._objects.get(key, {}).get(object_key)
        return None if held is None else unpack(held)

    def held(self, key: str) -> dict[str, Held]:
        """A copy of one kind's bucket as held (objects are replaced on change, never mutated):
        what a frozen view keeps, decoding an object only when it is read."""
        return dict(self._objects.get(key, {}))

    def parsed(self, key: str) -> dict[str, Any]:
        """The kind's parser output per object key, parsing only objects that changed."""
        source, parser = EXTRA_PARSERS.get(key, (key, PARSERS.get(key)))
        own = source == key
        version = self._kind_version.get(source, 0)
        cached = self._parsed.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        cache = self._parse_cache.setdefault(key, {})
        bucket = self._objects.get(source, {})
        dirty = self._log.keys_since(cached[0], source) if cached is not None else None
        if cached is not None and dirty is not None:
            # a few objects changed: a copy (callers keep the old dict) with those re-parsed
            out = dict(cached[1])
            for obj_key in dirty:
                obj = bucket.get(obj_key)
                if obj is None:
                    out.pop(obj_key, None)
                    cache.pop(obj_key, None)
                else:
                    out[obj_key] = self._parse_one(cache, obj_key, obj, parser, own)
        else:
            out = {obj_key: self._parse_one(cache, obj_key, obj, parser, own) for obj_key, obj in bucket.items()}
            for gone in [k for k in cache if k not in out]:
                del cache[gone]
        self._parsed[key] = (version, out)
        return out

    @staticmethod
    def _parse_one(cache: dict[str, tuple[Held, Any]], obj_key: str, obj: Held,
                   parser: Callable[[Any], Any] | None, own: bool) -> Any:
        """The parser's output for one object: `own` when it is the kind's own parser (not an
        EXTRA_PARSERS one over the same objects), whose output a Packed object keeps itself."""
        if own and isinstance(obj, Packed):  # its kind's own parse, kept on the object
            if obj.parsed is NOT_PARSED:
                obj.parsed = parser(unpack(obj)) if parser else unpack(obj)
            return obj.parsed
        hit = cache.get(obj_key)
        if hit is not None and hit[0] is obj:  # same object, not merely the same version
            return hit[1]
        value = parser(unpack(obj)) if parser else unpack(obj)
        cache[obj_key] = (obj, value)
        return value

    # -- rows ---------------------------------------------------------------------------------

    # typed per layer through tui.core.ports.StoreView (its overloads name each layer's row type)
    def rows(self, layer: str) -> list[Any]:
        return self._layer(layer)[0]

    def row(self, layer: str, key: str) -> Any:
        return self._layer(layer)[1].get(key)

    def _layer(self, layer: str) -> tuple[list[Row], dict[str, Row]]:
        if layer not in LAYER_INPUTS:
            raise KeyError(f"unknown layer {layer!r}; layers are {', '.join(LAYERS)}")
        version = self._layer_version.get(layer, 0)  # the newest of its inputs' versions
        cached = self._rows.get(layer)
        if cached is not None and cached.version == version:
            return cached.ordered, cached.by_key
        built = (self._update_layer(layer, cached) if cached is not None else None) or self._build_layer(layer)
        self._rows[layer] = replace(built, version=version)
        return built.ordered, built.by_key

    def _build_layer(self, layer: str) -> _Rows:
        if layer in ONE_ROW_PER_OBJECT:
            row_of = self._row_builder(layer)
            rows: Iterable[Row] = [row_of(k, v) for k, v in self.parsed(LAYER[layer].object_kind).items()]
        else:
            rows = getattr(self, f"_build_{layer}")()
        by_key = {_key_of(row): row for row in rows}
        keys = sorted(by_key)
        self._memos[layer].retain(by_key)
        return _Rows(0, [by_key[k] for k in keys], by_key, keys)

    def _update_layer(self, layer: str, cached: _Rows) -> _Rows | None:
        """The layer with only the rows of changed objects rebuilt, when its other inputs did not
        move (None: build it afresh). A watch event at 20,000 volumes costs one row, not 20,000."""
        kind = LAYER[layer].object_kind
        if layer not in ONE_ROW_PER_OBJECT:
            return None
        changes = self._log.since(cached.version, LAYER_INPUTS[layer])
        if changes is None or set(changes) != {kind}:
            return None
        dirty = changes[kind]
        if dirty is None or len(dirty) > 64 + len(cached.keys) // 8:  # a big batch: one full build is as quick
            return None
        row_of = self._row_builder(layer)
        parsed = self.parsed(kind)
        by_key, keys = dict(cached.by_key), list(cached.keys)
        for key in dirty:
            value = parsed.get(key)
            row = row_of(key, value) if value is not None else None
            if row is not None and _key_of(row) != key:
                return None  # rows keyed apart from their objects: only a full build knows
            if row is None:
                if by_key.pop(key, None) is not None:
                    del keys[bisect_left(keys, key)]
                    self._memos[layer].forget(key)
            else:
                if key not in by_key:
                    insort(keys, key)
                by_key[key] = row
        return _Rows(0, [by_key[k] for k in keys], by_key, keys)

    def _row_builder(self, layer: str) -> Callable[[str, Any], Row]:
        """(object key, parsed object) -> the layer's row, for layers with a row per object. The
        context (other kinds' objects) is made once per version of those kinds."""
        others = tuple(self._kind_version[k] for k in LAYER_INPUTS[layer] if k != LAYER[layer].object_kind)
        cached = self._builders.get(layer)
        if cached is not None and cached[0] == others:
            return cached[1]
        made = getattr(self, f"_{layer}_row_builder", None)
        builder: Callable[[str, Any], Row] = made() if made is not None else _parsed_is_row
        self._builders[layer] = (others, builder)
        return builder

    def _engine_modes(self) -> dict[str, dict[str, str]]:
        return longhorn.engine_modes_by_volume(list(self.parsed("lh_engines").values()))

    def _build_replicas(self) -> list[Row]:
        modes = self._engine_modes()
        rebuilds = longhorn.rebuilds_by_replica(list(self.parsed("lh_engines").values()))
        now = self.clock.now()
        self._rebuild_rates.forget_except({r.address for r in rebuilds.values()})
        memo = self._memos["replicas"]
        out: list[Row] = []
        for key, replica in self.parsed("lh_replicas").items():
            mode = modes.get(replica.volume or "", {}).get(replica.name)
            modes_of_replica = {replica.name: mode} if mode else {}
            rebuild = rebuilds.get(replica.name)
            eta = self._rebuild_rates.eta(rebuild.address, rebuild.progress, now) if rebuild else None
            out.append(memo.get(key, (replica, mode, rebuild, eta),
                                partial(longhorn.with_engine_modes, replica, modes_of_replica, rebuild, eta)))
        return out

    def _served(self, kind_key: str) -> bool:
        health = self._health.get(kind_key)
        return health is not None and health.state is SourceState.OK

    def _data_safety(self) -> Callable[[VolumeRow], tuple[Any, ...]]:
        """Per volume: its snapshots, backups, backup volume, recurring jobs and backup target
        (issue 15), as _with_data_safety takes them (None: that kind is not known)."""
        def grouped(kind_key: str) -> dict[str, list[Any]] | None:
            if not self._served(kind_key) and not self._objects[kind_key]:
                return None  # not served (older Longhorn, forbidden): unknown, not none
            out: dict[str, list[Any]] = {}
            for info in self.parsed(kind_key).values():
                out.setdefault(info.volume or "", []).append(info)
            return out

        snapshots, backups = grouped("lh_snapshots"), grouped("lh_backups")
        backup_volumes = {b.volume: b for b in self.parsed("lh_backup_volumes").values()}
        jobs_known = self._served("lh_recurring_jobs") or bool(self._objects["lh_recurring_jobs"])
        jobs = list(self.parsed("lh_recurring_jobs").values())
        targets = {t.name: t for t in self.parsed("lh_backup_targets").values()}
        settings = dict(self.parsed("lh_settings").values())

        def of(volume: VolumeRow) -> tuple[Any, ...]:
            return (None if snapshots is None else tuple(snapshots.get(volume.name, [])),
                    None if backups is None else tuple(backups.get(volume.name, [])),
                    backup_volumes.get(volume.name),
                    tuple(longhorn_backup.jobs_for(volume.recurring_selection, jobs)) if jobs_known else None,
                    longhorn_backup.target_for(volume.backup_target_name, targets, settings.get("backup-target")))
        return of

    def _volumes_row_builder(self) -> Callable[[str, Any], Row]:
        modes = self._engine_modes()
        replicas: dict[tuple[str | None, str], list[Any]] = {}
        for replica in cast("list[ReplicaRow]", self.rows("replicas")):  # memoized, modes applied
            if replica.volume:
                replicas.setdefault((replica.namespace, replica.volume), []).append(replica)
        attachments = {(a.namespace, a.volume): a for a in self.parsed("lh_attachments").values()}
        memo = self._memos["volumes"]
        safety_of = self._data_safety()

        def row_of(key: str, volume: VolumeRow) -> Row:
            ident = (volume.namespace, volume.name)
            mine = replicas.get(ident, [])
            volume_modes = modes.get(volume.name)
            attachment = attachments.get(ident)
            safety = safety_of(volume)
            signature = (volume, tuple(mine), tuple(sorted((volume_modes or {}).items())), attachment, safety)
            # one memo for both steps: only the finished row is kept, not the row between them
            return memo.get(key, signature, lambda: _with_data_safety(
                longhorn.enrich_volume(volume, mine, volume_modes, attachment), safety))
        return row_of

    def _link_network(self) -> tuple[list[Row], list[Row]]:
        pools = list(self.parsed("ip_pools").values())
        lbs = [lb for lb in self.parsed("lb_services").values() if lb is not None]
        # BGP first, so L2's single announcer wins when a Service has both
        announcers = {svc: node for kind in ("bgp_statuses", "l2_statuses")
                      for svc, node in sorted(s for s in self.parsed(kind).values() if s is not None)}
        linked_pools, linked_lbs = metallb.link_pools(
            pools, lbs, self.objects("l2_advertisements"), announcers, self.objects("bgp_advertisements")
        )
        return list(linked_pools), list(linked_lbs)

    def _build_ip_pools(self) -> list[Row]:
        return self._link_network()[0]

    def _build_load_balancers(self) -> list[Row]:
        return self._link_network()[1]

    def _build_routes(self) -> list[Row]:
        services = self.parsed("services")
        ready = self._ready_endpoints()
        secrets, unchecked_why = self._tls_secrets()
        referred = TraefikObjects(self._named("middlewares"), self._named("tlsoptions"),
                                  self._named("serverstransports"))
        traefik_services = self._traefik_services()
        default_cert = self._default_certificate()
        now = self.clock.now()
        out: list[Row] = []
        live = self.parsed("ingressroutes")
        for kind in ROUTE_KINDS:
            expected = self.parsed(f"{kind}{TRAEFIK_UNITS}") if self._traefik is not None and kind in HTTP_ROUTE_KINDS else {}
            for key, route in cast("dict[str, RouteRow]", self.parsed(kind)).items():
                route = traefik.check_backends(route, services, ready, traefik_services)
                route = check_refs(route, referred)
                if default_cert and route.tls and not (route.tls_certs or route.cert_resolver or route.tls_passthrough):
                    # no certificate of its own: Traefik serves the default TLSStore's
                    route = replace(route, tls_certs=((default_cert, route.hosts),))
                route = check_tls(route, secrets, now, unchecked_why)
                # Traefik names a legacy route's routers as the live one's: never credit it with them
                shadowed = kind == "ingressroutes_legacy" and key in live
                # overlay leaves a route as it is without Traefik's view or expected routers
                out.append(route if shadowed else overlay(route, expected.get(key), self._traefik))
        return out

    def _listed(self, kind: str) -> bool:
        health = self._health.get(kind)
        return health is not None and health.state in _LISTED

    def _named(self, kind: str) -> Named:
        """A referable kind's "ns/name"s in each group (None: that group not listed)."""
        def keys(k: str) -> frozenset[str] | None:
            return frozenset(self._objects[k]) if self._listed(k) else None
        return Named(keys(kind), keys(f"{kind}_legacy"))

    def _traefik_services(self) -> dict[str, tuple[str, ...]] | None:
        """TraefikService key -> its backends, both groups (None until traefik.io's answered)."""
        if not self._listed("traefikservices"):
            return None
        out: dict[str, tuple[str, ...]] = {}
        for kind in ("traefikservices_legacy", "traefikservices"):  # the live one wins a tie
            if self._listed(kind):
                out.update((k, info.backends) for k, info in self.parsed(kind).items())
        return out

    def _default_certificate(self) -> str | None:
        """The default TLSStore's certificate Secret ("ns/name"): live group first (Traefik v3),
        else the legacy one; none when "default" stores in several namespaces cancel out."""
        for kind in ("tlsstores", "tlsstores_legacy"):
            found = [s for s in self.parsed(kind).values() if s is not None] if self._listed(kind) else []
            if found:  # Traefik drops "default" stores defined in several namespaces
                return (found[0] or None) if len(found) == 1 else None
        return None

    def _tls_secrets(self) -> tuple[dict[str, TlsSecret] | None, str]:
        """The TLS Secrets by "ns/name", or None (and why) until they were listed."""
        health = self._health.get("tls_secrets")
        if health is None or health.state not in _LISTED:
            state = health.state if health is not None else SourceState.CONNECTING
            return None, _SECRETS_UNKNOWN.get(state, f"Secrets {state.value}")
        return cast("dict[str, TlsSecret]", self.parsed("tls_secrets")), ""

    def _ready_endpoints(self) -> dict[str, int] | None:
        """Ready endpoints per Service, or None until the EndpointSlices were listed (unknown is
        not "none")."""
        health = self._health.get("endpointslices")
        if health is None or health.state not in _LISTED:
            return None
        out: dict[str, int] = {}
        for info in self.parsed("endpointslices").values():
            if info.service:
                out[info.service] = out.get(info.service, 0) + info.ready
        return out

    def _build_workloads(self) -> list[Row]:
        apps = self.parsed("applications")
        owner: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for app in apps.values():
            by_name.setdefault(app.name, app.key)
            for ref in app.resources:
                owner.setdefault(ref, app.key)
        out: list[Row] = []
        for kind in ("deployments", "statefulsets"):
            for workload in self.parsed(kind).values():
                app = owner.get(workload.key) or by_name.get(workload.owner_app or "", workload.owner_app)
                out.append(workload if app == workload.owner_app else replace(workload, owner_app=app))
        return out

    def _pods_row_builder(self) -> Callable[[str, Any], Row]:
        deployment_of = dict(v for v in self.parsed("replicasets").values() if v)
        apps = self.parsed("applications")
        app_by_name = {app.name: key for key, app in apps.items()}
        workload_app = {w.key: w.owner_app for w in cast("list[WorkloadRow]", self.rows("workloads"))}
        memo = self._memos["pods"]

        def row_of(key: str, pod: PodRow) -> Row:
            owner = pod.owner
            if pod.owner_kind == "ReplicaSet" and pod.controller_ref:
                owner = deployment_of.get(pod.controller_ref.split("/", 1)[1], owner)
            app = workload_app.get(owner or "")
            if app not in apps:
                app = app_by_name.get(app or pod.app or "")
            return pod if (owner, app) == (pod.owner, pod.app) \
                else memo.get(key, (pod, owner, app), partial(evolve, pod, owner=owner, app=app))
        return row_of

    def _build_events(self) -> list[Row]:
        return list(aggregate(self.parsed("events").values()))

    @property
    def events_max(self) -> int:
        """The most events the store keeps (the newest)."""
        return self._events_bound.limit

    @property
    def events_dropped(self) -> int:
        """Events the cluster holds that the store let go (it keeps the newest `events_max`)."""
        return self._events_bound.dropped

    def events_for(self, ref: str) -> list[EventRow]:
        """An object's aggregated events, newest first. ref is a row key: "ns/name" (any kind
        of that name), "name" (cluster-scoped), or kind-qualified "Kind/ns/name"."""
        version = self._kind_version["events"]
        if self._events_index is None or self._events_index[0] != version:
            self._events_index = (version, events_by_object(cast("list[EventRow]", self.rows("events"))))
        return list(self._events_index[1].get(ref, ()))

    def pods_of(self, layer: str, key: str) -> list[PodRow]:
        """The pods of a row: on a node, of a workload or an app, mounting a volume, behind a
        load balancer or a route. Unknown layers and keys have none."""
        keys = self.impact().pods_of(layer, key)
        return [pod for k in keys if isinstance(pod := self.row("pods", k), PodRow)]

    # -- health -------------------------------------------------------------------------------

    def health(self) -> dict[str, SourceHealth]:
        """Per KINDS key; a source not heard from yet is CONNECTING. Then the polled sources
        (EXTRA_SOURCES) that exist: they announce themselves when they start."""
        out = {key: self._health.get(key) or SourceHealth(key, SourceState.CONNECTING) for key in KINDS}
        out.update((key, self._health[key]) for key in EXTRA_SOURCES if key in self._health)
        return out

    def layer_health(self, layer: str) -> list[SourceHealth]:
        """Health of the sources feeding a pane; takes a row layer or a pane name ("network")."""
        pane = PANE_OF_LAYER.get(layer, layer)
        health = self.health()
        return [health[key] for key, kind in KINDS.items() if kind.pane == pane] + [
            health[key] for key, extra_pane in EXTRA_SOURCES.items() if extra_pane == pane and key in health]

    def synced(self) -> bool:
        """Every source past CONNECTING (ok, or a final error state)."""
        return all(h.state is not SourceState.CONNECTING for h in self.health().values())

    # -- cross-layer index ----------------------------------------------------------------------

    def impact(self) -> ImpactIndex:
        # keyed on the whole version: source health (endpoints listed or not) shapes findings
        if self._impact is None or self._impact[0] != self.version:
            index = self._impact[1] if self._impact is not None and self._patch_impact() else ImpactIndex.build(self)
            self._impact = (self.version, index)
        return self._impact[1]

    def _patch_impact(self) -> bool:
        """Since the index was built only objects of one-row-per-object layers changed, and no
        link with them: the index takes their new rows instead of being rebuilt."""
        assert self._impact is not None
        changes = self._log.since(self._impact[0])
        if not changes or len(changes) > 2:
            return False
        changed: dict[str, dict[str, Row | None]] = {}
        for kind, keys in changes.items():
            layer = _LAYER_OF_OBJECTS.get(kind)
            if layer is None or keys is None or len(keys) > 256:
                return False
            changed[layer] = {key: self.row(layer, key) for key in keys}
        return self._impact[1].patched(changed)

