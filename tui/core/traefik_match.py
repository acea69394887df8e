"""Traefik's own view of a route: which of its HTTP routers serve an IngressRoute or Ingress,
their status and errors, and the routes Traefik should serve but has no router for.

Router names, checked against Traefik 3.7's API (REFERENCE 3.4):
- IngressRoute, legacy naming: Normalize("<ns>-<name>-<first 10 bytes of sha256(match) in
  hex>")@kubernetescrd; with the provider's safeNaming on: "<ns>_<name>_<route index>".
- Ingress: Normalize("<ns>-<name>-<host><path>")@kubernetes, one router per path.
Normalize joins the runs of letters and digits with "-" (so "web.site" becomes "web-site").
When the exact name is not there, a CRD router still counts when it has the legacy shape
("<ns>-<name>-<20 hex>") and the route's rule (hashes from another Traefik version), or when
Traefik 3.7's `observability.metadata.ingress` names the object (a naming scheme we do not know).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tui.core.parsers.access import annotations_of, dig, dig_list, dig_str, name_of, namespace_of
from tui.core.rows import RouteRow

TRAEFIK_API = "traefik_api"  # health key of the Traefik API source
TRAEFIK_ROUTERS = "traefik_routers"  # the store's bucket of Traefik's routers (not a kube kind)
CRD_PROVIDER = "kubernetescrd"
INGRESS_PROVIDER = "kubernetes"
# /api/overview lists providers by their config name; routers carry the short suffix
PROVIDER_SUFFIX = {"KubernetesCRD": CRD_PROVIDER, "KubernetesIngress": INGRESS_PROVIDER}
# worst first: what one word says about a route served by several routers
STATUS_ORDER = ("absent", "disabled", "warning", "enabled")
_WORDS = re.compile(r"[^\W_]+")
_HASH = re.compile(r"[0-9a-f]{20}")


def normalize(name: str) -> str:
    """Traefik's provider.Normalize: runs of letters and digits joined by "-"."""
    return "-".join(_WORDS.findall(name))


def crd_router_names(namespace: str, name: str, index: int, match: str) -> tuple[str, str]:
    """(legacy name, safe name) of the router Traefik makes for route `index` of an IngressRoute."""
    digest = hashlib.sha256(match.encode()).hexdigest()[:20]
    legacy = normalize(f"{namespace}-{name}-{digest}")
    return f"{legacy}@{CRD_PROVIDER}", f"{namespace}_{name}_{index}@{CRD_PROVIDER}"


def ingress_router_name(namespace: str, name: str, host: str, path: str) -> str:
    return f"{normalize(f'{namespace}-{name}-{host}{path}')}@{INGRESS_PROVIDER}"


@dataclass(frozen=True)
class TraefikView:
    """One poll of Traefik's API, indexed for matching."""

    routers: Mapping[str, Mapping[str, Any]]  # "<name>@<provider>" -> router JSON
    providers: frozenset[str]  # provider suffixes Traefik runs: kubernetescrd, kubernetes
    by_object: Mapping[tuple[str, str, str], tuple[str, ...]]  # (kind, ns, name) -> router names
    by_rule: Mapping[tuple[str, str], str]  # (normalized "<ns>-<name>", rule) -> legacy-shaped CRD router


def build_view(routers: Iterable[Any], providers: Iterable[Any] | None) -> TraefikView:
    """Tolerant of junk: a router without a name is dropped. Without the overview's provider
    list, the providers that named at least one router count as running."""
    by_name: dict[str, Mapping[str, Any]] = {}
    by_object: dict[tuple[str, str, str], list[str]] = {}
    by_rule: dict[tuple[str, str], str] = {}
    for router in routers:
        name = dig_str(router, "name")
        if not name:
            continue
        by_name[name] = router
        meta = dig(router, "observability", "metadata", "ingress")
        kind, ns, obj = dig_str(meta, "kind"), dig_str(meta, "namespace"), dig_str(meta, "name")
        if kind and ns and obj:
            by_object.setdefault((kind, ns, obj), []).append(name)
        head, _, digest = name.removesuffix(f"@{CRD_PROVIDER}").rpartition("-")
        rule = dig_str(router, "rule")
        if name.endswith(f"@{CRD_PROVIDER}") and _HASH.fullmatch(digest) and rule:
            by_rule[(head, rule)] = name
    if providers is not None:
        running = {PROVIDER_SUFFIX.get(p, str(p).lower()) for p in providers if isinstance(p, str)}
    else:
        running = {name.rpartition("@")[2] for name in by_name}
    return TraefikView(by_name, frozenset(running), {k: tuple(v) for k, v in by_object.items()}, by_rule)


@dataclass(frozen=True)
class _Unit:
    """One router Traefik should make for the object: a CRD route or an Ingress path."""

    label: str  # for the problem line: the match rule, or host+path
    names: tuple[str, ...]  # the router names it may have
    rule: str | None = None  # the rule a router for it carries (CRD routes)


def _crd_units(obj: Any, ns: str, name: str) -> list[_Unit]:
    units = []
    for index, route in enumerate(dig_list(obj, "spec", "routes")):
        match = dig_str(route, "match")
        if match:  # Traefik skips a route without a match
            units.append(_Unit(match, crd_router_names(ns, name, index, match), match))
    return units


def _ingress_units(obj: Any, ns: str, name: str) -> list[_Unit]:
    units = []
    if isinstance(dig(obj, "spec", "defaultBackend"), dict):
        units.append(_Unit("the default backend", (f"default-router@{INGRESS_PROVIDER}",)))
    for rule in dig_list(obj, "spec", "rules"):
        host = dig_str(rule, "host") or ""
        for path in dig_list(rule, "http", "paths"):
            where = dig_str(path, "path") or ""
            units.append(_Unit(f"{host}{where}" or "/", (ingress_router_name(ns, name, host, where),)))
    return units


def _for_traefik(obj: Any) -> bool:
    """An Ingress of Traefik's class (k3s: "traefik"), or of no class."""
    cls = dig_str(obj, "spec", "ingressClassName") or annotations_of(obj).get("kubernetes.io/ingress.class")
    return cls in (None, "", "traefik")


@dataclass(frozen=True, slots=True)
class RouteUnits:
    """What Traefik should make of one route object: its provider, the (kind, ns, name) its
    routers name as theirs, and a unit per router. A pure function of the object, so the store
    caches it per object (the object itself may be held packed)."""

    provider: str
    kind: str
    namespace: str
    name: str
    units: tuple[_Unit, ...]


def route_units(obj: Any, crd: bool) -> RouteUnits | None:
    """crd: an IngressRoute (either group); else an Ingress, None when of another controller."""
    ns, name = namespace_of(obj) or "", name_of(obj)
    if crd:
        return RouteUnits(CRD_PROVIDER, "IngressRoute", ns, name, tuple(_crd_units(obj, ns, name)))
    if _for_traefik(obj):
        return RouteUnits(INGRESS_PROVIDER, "Ingress", ns, name, tuple(_ingress_units(obj, ns, name)))
    return None


def overlay(route: RouteRow, expected: RouteUnits | None, view: TraefikView | None) -> RouteRow:
    """The route with Traefik's status, routers and errors; unchanged when Traefik is not asked
    (no API, or a provider Traefik does not run, or an Ingress of another controller)."""
    if view is None or expected is None or expected.provider not in view.providers:
        return route
    kind, ns, name, units = expected.kind, expected.namespace, expected.name, expected.units
    claimed = list(view.by_object.get((kind, ns, name), ()))
    found: list[str] = []
    missing: list[_Unit] = []
    for unit in units:
        hit = next((n for n in unit.names if n in view.routers), None)
        if hit is None and unit.rule is not None:  # another hash or naming scheme: match by rule
            hit = view.by_rule.get((normalize(f"{ns}-{name}"), unit.rule)) or next(
                (n for n in claimed if dig_str(view.routers[n], "rule") == unit.rule), None)
        if hit is None:
            missing.append(unit)
        elif hit not in found:
            found.append(hit)
    # routers Traefik says are this object's but named unlike any unit: an Ingress path each
    leftover = [n for n in claimed if n not in found]
    for unit in [u for u in missing if u.rule is None]:
        if leftover:
            found.append(leftover.pop(0))
            missing.remove(unit)
    found.extend(leftover)
    statuses = [_status(view.routers[n]) for n in found] + ["absent"] * len(missing)
    problems = list(route.problems)
    for router_name in found:
        for error in dig_list(view.routers[router_name], "error"):
            line = f"traefik: {error}"
            if isinstance(error, str) and line not in problems:
                problems.append(line)
    problems.extend(f"traefik: no router for {unit.label}" for unit in missing)
    if not units and not found:
        problems.append("traefik: has no router for it")
    return replace(route, traefik_status=min(statuses or ["absent"], key=STATUS_ORDER.index),
                   traefik_routers=tuple(found), problems=tuple(problems))


def _status(router: Mapping[str, Any]) -> str:
    status = str(router.get("status") or "").lower()
    return status if status in STATUS_ORDER else "warning"
