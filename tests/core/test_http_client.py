"""tui/core/http_client.py against real loopback servers: TLS checked by default (a CA file or an
explicit `insecure` to get past a private certificate), the bearer token sent but never logged,
connection errors retried, a request that reached the server never sent twice."""
from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tui.core.http_client import HttpClient, HttpFailure

TOKEN = "s3cret-argocd-token-7f1e"


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append({"method": self.command, "path": self.path,
                          "authorization": self.headers.get("Authorization"), "body": body})
        data = json.dumps({"ok": True, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _reply


def _serve(tls: ssl.SSLContext | None = None, port: int = 0) -> tuple[ThreadingHTTPServer, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as a home cluster's argocd-server has."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "argocd.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server, seen = _serve(context)
    yield f"https://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_tls_is_verified_unless_told_otherwise(tls_server, certificate):
    url, seen = tls_server
    client = HttpClient(url, name="Argo CD API")
    with pytest.raises(HttpFailure, match="^Argo CD API: TLS certificate not trusted$"):
        client.send("GET", "/api/version")
    assert seen == []  # nothing was sent to a server we could not trust

    trusted = HttpClient(url, name="Argo CD API", ca_file=str(certificate[0]))
    assert trusted.send("GET", "/api/version").data == {"ok": True, "path": "/api/version"}
    unchecked = HttpClient(url, name="Argo CD API", insecure=True)
    assert unchecked.send("GET", "/api/version").status == 200
    for c in (client, trusted, unchecked):
        c.close()


def test_a_ca_file_that_cannot_be_read_is_one_clear_line(tmp_path):
    with pytest.raises(HttpFailure, match=f"CA file {tmp_path}/none.pem"):
        HttpClient("https://127.0.0.1:1", ca_file=str(tmp_path / "none.pem"))


def test_bearer_token_is_sent_and_never_logged_or_shown(tls_server, certificate, caplog):
    url, seen = tls_server
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at DEBUG
    client = HttpClient(url, name="Argo CD API", token=TOKEN, ca_file=str(certificate[0]))
    answer = client.send("POST", "/api/v1/applications/wiki/sync", {"prune": False}, params={"appNamespace": "argocd"})
    client.close()
    assert answer.status == 200
    assert seen[0]["authorization"] == f"Bearer {TOKEN}"
    assert seen[0]["path"] == "/api/v1/applications/wiki/sync?appNamespace=argocd"
    assert json.loads(seen[0]["body"]) == {"prune": False}
    assert caplog.records, "httpx logged nothing at DEBUG: this test would prove nothing"
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(client) and TOKEN not in repr(client._client.auth)


def test_connection_refused_is_retried_until_the_server_is_up():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now

    with pytest.raises(HttpFailure, match="^Traefik API: connection refused$"):
        HttpClient(f"http://127.0.0.1:{port}", name="Traefik API", retries=0).send("GET", "/api/overview")

    started: list[ThreadingHTTPServer] = []
    threading.Timer(0.2, lambda: started.append(_serve(port=port)[0])).start()
    began = time.monotonic()
    answer = HttpClient(f"http://127.0.0.1:{port}", name="Traefik API", retries=3).send("GET", "/api/overview")
    assert answer.status == 200 and time.monotonic() - began >= 0.2
    started[0].shutdown()
    started[0].server_close()


def test_a_request_that_reached_the_server_is_never_sent_again():
    """The server takes the POST and hangs up without answering: one POST, and a clear error."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received: list[bytes] = []

    def hang_up() -> None:
        listener.settimeout(5)
        try:
            while True:
                conn, _ = listener.accept()
                received.append(conn.recv(65536))
                conn.close()
        except OSError:
            return

    threading.Thread(target=hang_up, daemon=True).start()
    client = HttpClient(f"http://127.0.0.1:{listener.getsockname()[1]}", name="Longhorn manager", retries=3)
    with pytest.raises(HttpFailure, match="^Longhorn manager: "):
        client.send("POST", "/v1/volumes/v?action=attach", {"hostId": "hel-wk-02"})
    time.sleep(0.2)
    listener.close()
    assert len([r for r in received if r.startswith(b"POST")]) == 1


def test_the_http_client_and_the_actions_load_without_textual():
    """httpx loads Rich (its CLI module) and that is accepted (see the module's note); Textual never."""
    import subprocess
    import sys

    check = ("import tui.core.http_client, tui.core.traefik_api, tui.core.actions, sys; "
             "assert 'textual' not in sys.modules, 'core imported textual'")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
