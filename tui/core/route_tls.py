"""The certificates a route serves from its TLS Secrets: the Secret exists, its certificate
covers the route's hosts, and when it expires (a warning under 14 days, a problem once expired).

Traefik serves its self-signed default certificate when a named Secret is missing or holds no
readable certificate, so each of those is a problem. Nothing is said while the Secrets are not
listed (unknown is not "missing"): a note says the secret was not checked.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tui.core.parsers.tls_secrets import TlsSecret
from tui.core.rows import RouteRow

_STATE_ORDER = ("expired", "warning", "ok")
CERT_CLOCK = "cert_clock"  # the store's pseudo-kind that moves once an hour: certificates age


def check_tls(route: RouteRow, secrets: dict[str, TlsSecret] | None, now: datetime,
              unchecked_why: str = "Secrets not listed") -> RouteRow:
    """`secrets` ("ns/name" -> TlsSecret) is None when the TLS Secrets could not be listed."""
    if not route.tls_certs:
        return route
    if secrets is None:
        keys = ", ".join(key for key, _ in route.tls_certs)
        return replace(route, notes=(*route.notes, f"TLS secret {keys} not checked ({unchecked_why})"))
    problems: list[str] = []
    notes: list[str] = []
    names: list[str] = []
    states: list[str] = []
    expiries: list[datetime] = []
    for key, hosts in route.tls_certs:
        secret = secrets.get(key)
        if secret is None:
            problems.append(f"TLS secret {key} not found (Traefik serves its default certificate)")
            continue
        cert = secret.cert
        if cert is None:
            problems.append(f"TLS secret {key}: {secret.error} (Traefik serves its default certificate)")
            continue
        names.extend(cert.names())
        expiries.append(cert.not_after)
        uncovered = cert.uncovered([h for h in hosts if not h.startswith("~")])  # a regexp is no host
        if uncovered:
            problems.append(f"certificate in {key} does not cover {', '.join(uncovered)}")
        if cert.not_yet_valid(now):
            problems.append(f"certificate in {key} is not valid before {_day(cert.not_before)}")
        state = cert.expiry_state(now)
        states.append(state)
        if state == "expired":
            problems.append(f"certificate in {key} expired {_day(cert.not_after)}")
        elif state == "warning":
            days = max(0, (cert.not_after - now).days)
            notes.append(f"certificate in {key} expires in {days} days ({_day(cert.not_after)})")
    return replace(
        route,
        problems=(*route.problems, *problems),
        notes=(*route.notes, *notes),
        cert_state=min(states, key=_STATE_ORDER.index) if states else None,
        cert_expires=min(expiries).isoformat() if expiries else None,
        cert_names=tuple(dict.fromkeys(names)),
    )


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")

