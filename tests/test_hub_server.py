"""The hub's WebSocket server on a real socket: what happens on the wire after a WebSocket,
and the development certificate under a strict verifier."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import gevent
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from gevent import socket, ssl

from callcenter.hub.server import Client, HubServer
from callcenter.hub.tls import client_context, make_self_signed, server_context


class ClosingService:
    """Closes every client as soon as it is connected (as an expired session would be)."""

    def connected(self, client: Client) -> None:
        client.close()

    def handle(self, client: Client, raw: str | bytes) -> None:
        raise AssertionError("no message is expected")

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        pass


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_after_a_websocket_the_connection_is_not_read_as_http_again() -> None:
    """Bytes sent after the WebSocket ended are not taken for a new HTTP request (pywsgi
    keeps HTTP/1.1 connections alive): the server closes the connection instead."""
    server = HubServer(ClosingService(), "127.0.0.1", 0, None)
    server.start()
    try:
        sock = socket.create_connection(server.address, timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        reply = sock.recv(65536)
        while b"\x88" not in reply.partition(b"\r\n\r\n")[2]:  # up to the close frame
            reply += sock.recv(65536)
        assert reply.startswith(b"HTTP/1.1 101")
        gevent.sleep(0.2)  # the server's handler has returned from the WebSocket
        try:
            sock.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            after = _read_until_closed(sock)
        except ConnectionResetError:
            after = b""
        assert b"HTTP/1.1" not in after
        sock.close()
    finally:
        server.stop()


def test_the_development_certificate_passes_strict_verification(tmp_path: Path) -> None:
    """`callcenter tls init`'s certificate is its own trust anchor and the server's: it has
    what a strict verifier asks for (key usage, server auth, key identifiers)."""
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    server = HubServer(ClosingService(), "127.0.0.1", 0, server_context(cert, key))
    server.start()
    try:
        context = client_context(cert)
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        with socket.create_connection(server.address, timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        server.stop()
    made = x509.load_pem_x509_certificate(cert.read_bytes())
    usage = made.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_cert_sign  # RFC 5280: a CA signs certificates
    assert ExtendedKeyUsageOID.SERVER_AUTH in made.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    for identifier in (x509.SubjectKeyIdentifier, x509.AuthorityKeyIdentifier):
        assert made.extensions.get_extension_for_class(identifier)
