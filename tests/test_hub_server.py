"""The hub's WebSocket server on a real socket: what happens on the wire after a WebSocket,
and the development certificate under a strict verifier."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import gevent
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from gevent import socket, ssl

from callcenter.hub.server import Client, HubServer
from callcenter.hub.tls import client_context, make_self_signed, server_context
from protocol.messages import Reply, dump
from tests.support.hub_client import HubClient


class ClosingService:
    """Closes every client as soon as it is connected (as an expired session would be)."""

    def connected(self, client: Client) -> None:
        client.close()

    def handle(self, client: Client, raw: str | bytes) -> None:
        raise AssertionError("no message is expected")

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        pass


class LogoutService:
    """Answers a request, then closes the connection (as `logout` does); notes whether the
    WebSocket's reader greenlet still ran once the connection was over."""

    def __init__(self) -> None:
        self.readers_left: list[bool] = []

    def connected(self, client: Client) -> None:
        pass

    def handle(self, client: Client, raw: str | bytes) -> None:
        request = json.loads(raw)
        client.send(dump(Reply(type=request["type"], id=request["id"])))
        client.close()

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        self.readers_left.append(client.ws.thread.is_alive())


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


def test_a_connection_the_hub_closes_leaves_nothing_watching_its_socket(tmp_path: Path) -> None:
    """When the hub ends a connection (logout), simple-websocket's reader has ended before
    pywsgi closes the socket. Left waiting on the descriptor, it woke when the next connection
    got the same number and read that connection's TLS records (bad record MAC): the next
    desktop's login was never answered."""
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    service = LogoutService()
    server = HubServer(service, "127.0.0.1", 0, server_context(cert, key))
    server.start()
    try:
        for n in range(1, 4):  # each one gets the descriptors the one before had
            desktop = HubClient(server.address[1], cert)
            assert desktop.request("logout", timeout=5)["ok"]
            assert desktop.push("closed")["type"] == "closed"
            desktop.close()
            with gevent.Timeout(5):  # the server's handler is done with the connection
                while len(service.readers_left) < n:
                    gevent.sleep(0.01)
    finally:
        server.stop()
    assert service.readers_left == [False, False, False]


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
