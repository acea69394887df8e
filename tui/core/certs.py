"""Facts about one X.509 certificate: names it covers and when it expires.

Only the certificate is ever parsed. A TLS Secret's `tls.key` is never decoded, kept or logged:
callers hand this module the `tls.crt` bytes only.

`covers(host)` follows what TLS clients (Go's crypto/tls, which Traefik uses, and browsers) do:
only the subjectAltName counts (the subject CN is ignored once any SAN exists and, since Go 1.15,
always); a wildcard is a whole leftmost label and matches exactly one label.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

ExpiryState = Literal["ok", "warning", "expired"]
WARN_BEFORE = timedelta(days=14)


class CertError(ValueError):
    """The bytes are not a certificate we can read (the message says why)."""


@dataclass(frozen=True)
class CertFacts:
    subject_cn: str | None
    issuer_cn: str | None
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: datetime  # timezone-aware, UTC
    not_after: datetime

    def covers(self, host: str) -> bool:
        """True when a TLS client would accept this certificate for `host`."""
        name = host.strip().rstrip(".").lower()
        if not name:
            return False
        try:
            ip = ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return any(_dns_match(pattern, name) for pattern in self.dns_names)
        return any(ipaddress.ip_address(a) == ip for a in self.ip_addresses)

    def uncovered(self, hosts: list[str] | tuple[str, ...]) -> list[str]:
        """The hosts this certificate does not cover, in the order given."""
        return [h for h in hosts if not self.covers(h)]

    def expiry_state(self, now: datetime, warn_before: timedelta = WARN_BEFORE) -> ExpiryState:
        if now >= self.not_after:
            return "expired"
        if self.not_after - now < warn_before:
            return "warning"
        return "ok"

    def not_yet_valid(self, now: datetime) -> bool:
        return now < self.not_before

    def names(self) -> tuple[str, ...]:
        """Every name the certificate carries in its SANs (DNS first, then IPs)."""
        return self.dns_names + self.ip_addresses


def _dns_match(pattern: str, host: str) -> bool:
    pattern = pattern.rstrip(".").lower()
    if pattern == host:
        return True
    if not pattern.startswith("*."):
        return False  # partial wildcards (w*.example.com) are refused by Go and browsers
    suffix = pattern[1:]  # ".example.com"
    head, dot, rest = host.partition(".")
    return bool(head) and bool(dot) and "." + rest == suffix and "*" not in suffix


def parse_certificate(data: bytes | str) -> CertFacts:
    """The first certificate in PEM `data` (a chain's leaf comes first), or DER bytes."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    try:
        if b"-----BEGIN" in raw:
            cert = x509.load_pem_x509_certificate(_first_pem_certificate(raw))
        else:
            cert = x509.load_der_x509_certificate(raw)
    except (ValueError, TypeError) as exc:
        raise CertError(f"not a readable X.509 certificate ({type(exc).__name__})") from None
    return _facts(cert)


def parse_secret_crt(b64_value: object) -> CertFacts:
    """A Secret's `data["tls.crt"]` (base64 of PEM) as certificate facts."""
    if not isinstance(b64_value, str) or not b64_value:
        raise CertError("tls.crt is missing or empty")
    try:
        raw = base64.b64decode(b64_value, validate=True)
    except (binascii.Error, ValueError):
        raise CertError("tls.crt is not valid base64") from None
    return parse_certificate(raw)


_BEGIN = b"-----BEGIN CERTIFICATE-----"
_END = b"-----END CERTIFICATE-----"


def _first_pem_certificate(raw: bytes) -> bytes:
    # only the CERTIFICATE block: a PEM bundle that also holds a key never reaches the parser
    start = raw.find(_BEGIN)
    end = raw.find(_END, start)
    if start < 0 or end < 0:
        raise ValueError("no CERTIFICATE block")
    return raw[start : end + len(_END)] + b"\n"


def _facts(cert: x509.Certificate) -> CertFacts:
    dns: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        pass
    else:
        assert isinstance(san, x509.SubjectAlternativeName)
        dns = tuple(str(n) for n in san.get_values_for_type(x509.DNSName))
        ips = tuple(str(a) for a in san.get_values_for_type(x509.IPAddress))
    return CertFacts(
        subject_cn=_cn(cert.subject),
        issuer_cn=_cn(cert.issuer),
        dns_names=dns,
        ip_addresses=ips,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _cn(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
