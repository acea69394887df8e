"""Certificate facts: names covered as TLS clients decide, expiry states, bad input named."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.support.make_certs import FIXED_NOW, make_cert
from tui.core.certs import CertError, parse_certificate, parse_secret_crt


def test_reads_cn_sans_and_validity_from_pem():
    pem, _ = make_cert(cn="wiki.lab", dns=("wiki.lab", "*.apps.lab"), ips=("192.168.1.240",))
    facts = parse_certificate(pem)
    assert facts.subject_cn == "wiki.lab"
    assert facts.issuer_cn == "test-ca"
    assert facts.dns_names == ("wiki.lab", "*.apps.lab")
    assert facts.ip_addresses == ("192.168.1.240",)
    assert facts.not_before == FIXED_NOW - timedelta(days=30)
    assert facts.not_after == FIXED_NOW + timedelta(days=90)
    assert facts.not_after.tzinfo is not None


def test_reads_der_and_a_chain_takes_the_leaf():
    leaf, _ = make_cert(cn="leaf.lab", dns=("leaf.lab",))
    other, _ = make_cert(cn="intermediate", dns=())
    der = x509.load_pem_x509_certificate(leaf).public_bytes(serialization.Encoding.DER)
    assert parse_certificate(der).subject_cn == "leaf.lab"
    assert parse_certificate(leaf + other).subject_cn == "leaf.lab"
    assert parse_certificate(leaf.decode()).dns_names == ("leaf.lab",)


def test_wildcard_covers_exactly_one_label():
    facts = parse_certificate(make_cert(dns=("*.apps.lab",))[0])
    assert facts.covers("wiki.apps.lab")
    assert facts.covers("WIKI.Apps.Lab.")  # case and a trailing dot do not matter
    assert not facts.covers("apps.lab")  # the wildcard needs a label
    assert not facts.covers("a.b.apps.lab")  # and only one
    assert facts.uncovered(["x.apps.lab", "apps.lab", "y.lab"]) == ["apps.lab", "y.lab"]


def test_partial_wildcard_and_cn_are_not_trusted():
    facts = parse_certificate(make_cert(cn="wiki.lab", dns=("w*.lab",))[0])
    assert not facts.covers("wiki.lab")  # CN ignored, partial wildcard refused
    cn_only = parse_certificate(make_cert(cn="wiki.lab", dns=())[0])
    assert cn_only.dns_names == ()
    assert not cn_only.covers("wiki.lab")


def test_ip_hosts_match_ip_sans_only():
    facts = parse_certificate(make_cert(dns=("192.168.1.240",), ips=("10.0.0.1", "fd00::1"))[0])
    assert facts.covers("10.0.0.1")
    assert facts.covers("[fd00::1]")
    assert not facts.covers("192.168.1.240")  # a DNS SAN spelling an IP is not an IP SAN


def test_expiry_states():
    ok = parse_certificate(make_cert(not_after=FIXED_NOW + timedelta(days=14))[0])
    soon = parse_certificate(make_cert(not_after=FIXED_NOW + timedelta(days=13, hours=23))[0])
    gone = parse_certificate(make_cert(not_after=FIXED_NOW - timedelta(seconds=1))[0])
    assert ok.expiry_state(FIXED_NOW) == "ok"
    assert soon.expiry_state(FIXED_NOW) == "warning"
    assert gone.expiry_state(FIXED_NOW) == "expired"
    future = parse_certificate(make_cert(not_before=FIXED_NOW + timedelta(days=1))[0])
    assert future.not_yet_valid(FIXED_NOW)


def test_secret_crt_is_base64_pem_and_key_never_needed():
    pem, key = make_cert(dns=("a.lab",))
    facts = parse_secret_crt(base64.b64encode(pem).decode())
    assert facts.covers("a.lab")
    # a bundle holding the key before the certificate: only the CERTIFICATE block is read
    assert parse_certificate(key + pem).dns_names == ("a.lab",)


@pytest.mark.parametrize(
    "value, reason",
    [(None, "missing"), ("", "missing"), ("%%%", "base64"),
     (base64.b64encode(b"not a cert").decode(), "X.509"),
     (base64.b64encode(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").decode(), "X.509")],
)
def test_unreadable_crt_says_why(value, reason):
    with pytest.raises(CertError, match=reason):
        parse_secret_crt(value)


def test_error_never_carries_the_bytes():
    _, key = make_cert()
    with pytest.raises(CertError) as err:
        parse_certificate(key)  # a key alone: refused, and the message does not echo it
    assert "PRIVATE" not in str(err.value) and "BEGIN" not in str(err.value)
