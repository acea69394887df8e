"""What a route refers to by name besides its Services: Middlewares, a TLSOption,
ServersTransports (TraefikServices: traefik.check_backends). Traefik drops (or refuses) the router when one is missing,
so each missing one is a problem. A kind that was not listed (not installed, forbidden, not yet
answered) is not checked: unknown is not "missing".

References come as "ns/name" (a CRD reference, the route's namespace by default) or
"<ns>-<name>@kubernetescrd" (Traefik's own name, as Ingress annotations write them); a name of
another provider (@file, @docker) cannot be checked from the cluster and is skipped. Traefik v3
reads only traefik.io: a live route naming an object that exists only in the legacy group is
told so; a legacy route may use either group (Traefik v2 reads both).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tui.core.rows import LEGACY_TRAEFIK_GROUP, RouteRow
from tui.core.traefik_match import CRD_PROVIDER, normalize


@dataclass(frozen=True)
class Named:
    """The objects of one kind, by group: "ns/name" keys; None when that group was not listed."""

    live: frozenset[str] | None
    legacy: frozenset[str] | None

    def verdict(self, ref: str, route_is_legacy: bool) -> str | None:
        """None when found (or not checkable); else "missing" or "legacy only"."""
        key = _as_key(ref, self.live or frozenset(), self.legacy or frozenset())
        if key is None or self.live is None:
            return None
        if key in self.live:
            return None
        if self.legacy is not None and key in self.legacy:
            return None if route_is_legacy else "legacy only"
        return "missing"


@dataclass(frozen=True)
class TraefikObjects:
    middlewares: Named
    tls_options: Named
    transports: Named


def _as_key(ref: str, *known: frozenset[str]) -> str | None:
    """"ns/name" for a reference we can check, else None."""
    name, at, provider = ref.partition("@")
    if not at:
        return ref if "/" in ref else None  # a bare name of the Ingress provider: not checkable
    if provider != CRD_PROVIDER:
        return None
    for keys in known:  # "<ns>-<name>@kubernetescrd": which ns/name normalizes to it
        for key in keys:
            if normalize(key.replace("/", "-", 1)) == name:
                return key
    return f"?/{name}"  # a CRD name that matches nothing: missing


def check_refs(route: RouteRow, objects: TraefikObjects) -> RouteRow:
    problems: list[str] = []
    checks = [("middleware", ref, objects.middlewares) for ref in route.middlewares
              if route.source in ("IngressRoute", "Ingress")]  # TCP routes name MiddlewareTCPs
    if route.tls_options:
        checks.append(("TLS option", route.tls_options, objects.tls_options))
    checks += [("ServersTransport", ref, objects.transports) for ref in route.servers_transports]
    for what, ref, named in checks:
        verdict = named.verdict(ref, route.api_group == LEGACY_TRAEFIK_GROUP)
        if verdict == "missing":
            consequence = "refuses the router" if what == "TLS option" else "drops the router"
            problems.append(f"{what} {ref} not found (Traefik {consequence})")
        elif verdict == "legacy only":
            problems.append(f"{what} {ref} is only in the legacy group {LEGACY_TRAEFIK_GROUP} "
                            "(Traefik v3 does not read it)")
    return route if not problems else replace(route, problems=(*route.problems, *problems))
