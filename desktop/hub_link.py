"""The transport under HubConnection: one QWebSocket to the hub over TLS, on the GUI thread's
event loop (nothing here blocks). It dials, pins the hub's certificate, keeps the link alive
with pings, gives up on a hub that stops answering, and dials again with capped, jittered
backoff when asked to; what the messages mean is HubConnection's business."""

from __future__ import annotations

import ipaddress
import itertools
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCryptographicHash, QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import (
    QAbstractSocket,
    QNetworkRequest,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslError,
    QSslSocket,
)
from PySide6.QtWebSockets import QWebSocket

from protocol.base import MAX_MESSAGE_BYTES
from rules.retry import Backoff

log = logging.getLogger(__name__)

DEFAULT_PORT = 8443
# What a pinned self-signed certificate makes OpenSSL say (it is trusted by no CA of the
# system's); these are excused for exactly the pinned certificate, and for no other. A wrong host
# name or an expired certificate is never excused.
_PINNABLE = frozenset({QSslError.SslError.SelfSignedCertificate,
                       QSslError.SslError.SelfSignedCertificateInChain,
                       QSslError.SslError.UnableToGetLocalIssuerCertificate,
                       QSslError.SslError.UnableToVerifyFirstCertificate,
                       QSslError.SslError.CertificateUntrusted,
                       QSslError.SslError.InvalidCaCertificate})


def hub_url(address: str) -> QUrl:
    """`host[:port]` → wss://host:port/ws. A full wss:// URL is taken as it is; ws:// only to
    this machine (the hub serves plain WebSocket only on 127.0.0.1, for development)."""
    text = address.strip()
    if not text:
        raise ValueError("no server address")
    url = QUrl(text if "://" in text else f"wss://{text}")
    if url.scheme() not in ("ws", "wss") or not url.host():
        raise ValueError(f"not a hub address: {address!r}")
    if url.scheme() == "ws" and not _loopback(url.host()):
        raise ValueError("ws:// without TLS is only for this machine (127.0.0.1)")
    if url.port() == -1:
        url.setPort(DEFAULT_PORT)
    if url.path() in ("", "/"):
        url.setPath("/ws")
    return url


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def load_pinned(path: str | Path | None) -> list[QSslCertificate]:
    """The certificates (PEM) the user pins for this hub, e.g. the development one: the hub is
    accepted if it presents exactly one of them (for its host name, within its dates). They are
    not made CAs: what their keys might sign is not trusted."""
    if not path:
        return []
    certificates = QSslCertificate.fromPath(str(path), QSsl.EncodingFormat.Pem)
    if not certificates:
        raise ValueError(f"no PEM certificate in {path}")
    return certificates


def pin_of(certificate: QSslCertificate) -> bytes:
    """What is compared: the SHA-256 of the whole certificate (DER)."""
    return bytes(certificate.digest(QCryptographicHash.Algorithm.Sha256).data())


class HubLink(QObject):
    """One WebSocket at a time to the hub at `url`, reopened on demand.

    Each dial is a new "link"; news from an earlier one (a late `disconnected`, a message
    still in flight) is ignored, so the session above only ever hears about the current one.

    Attributes:
        url: where the next dial goes.
        pinned: the certificates accepted for the hub as they are, besides those the system's
            CAs vouch for.
        attempt: how many reconnects since the last success (the backoff's exponent).

    Signals:
        dialing(): a dial is starting (the first, or a reconnect when its delay is up).
        opened(): the WebSocket handshake is done: the session can log in or resume.
        text_received(str): a text message on the current link.
        lost(str): the current link is gone (closed, refused, timed out), and why.
        tick(): once a second while the link is open and answering (for request timeouts).
    """

    dialing = Signal()
    opened = Signal()
    text_received = Signal(str)
    lost = Signal(str)
    tick = Signal()

    def __init__(self, parent: QObject | None = None, *, ca_file: str | Path | None = None,
                 reconnect_base: float = 0.5, reconnect_cap: float = 30.0,
                 ping_interval: float = 15.0, connect_timeout: float = 10.0,
                 rng: random.Random | None = None) -> None:
        super().__init__(parent)
        self.pinned = load_pinned(ca_file)
        self._backoff = Backoff(reconnect_base, reconnect_cap)  # rules.retry: the daemon's too
        self._ping_interval, self._connect_timeout = ping_interval, connect_timeout
        self._rng = rng or random.Random()  # noqa: S311 — jitter and simulation, not a secret
        # One socket for the connection's life, reopened for each link: deleting sockets
        # under PySide6 while their signals are in flight is how processes crash.
        self._ws = self._make_socket()
        self._links = itertools.count(1)
        self._link = 0  # which link the socket carries now; 0: none of ours
        self.url = QUrl()
        self.attempt = 0
        self._last_seen, self._socket_error, self._dialing_since = 0.0, "", 0.0
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(self.open)
        self._housekeeping = QTimer(self, interval=1000)
        self._housekeeping.timeout.connect(self._tick)

    @property
    def live(self) -> bool:
        """A link of ours is dialing or open (not between links, not stopped)."""
        return bool(self._link)

    def open(self) -> None:
        """Dial `url` now (whatever link there was is dropped first)."""
        self.drop()
        self.dialing.emit()
        if self.url.scheme() == "wss":
            self._ws.setSslConfiguration(self._ssl_configuration())
        self._link, self._socket_error = next(self._links), ""
        self._dialing_since = time.monotonic()
        self._housekeeping.start()
        self._ws.open(QNetworkRequest(self.url))

    def reopen_later(self) -> float:
        """Dial again after the next backoff delay; returns the delay in seconds."""
        delay = self._backoff.delay(self.attempt, self._rng)
        self.attempt += 1
        self._retry.start(int(delay * 1000))
        return delay

    def send(self, text: str) -> None:
        if self._link:
            self._ws.sendTextMessage(text)

    def fail(self, reason: str) -> None:
        """Give up on the current link (the hub is unwell, or too slow to log us in)."""
        self._socket_error = reason
        self._link_down(self._link)

    def stop(self) -> None:
        """Forget the current link and stop every timer; the socket is left as it is (a
        close already asked for goes on), and nothing it says any more is ours."""
        self._retry.stop()
        self._housekeeping.stop()
        self._link = 0

    def close(self) -> None:
        """Stop, then close the socket properly (after the frames already queued)."""
        self.stop()
        self._ws.close()

    def drop(self) -> None:
        """Stop, and cut the socket at once."""
        self.stop()
        if self._ws.state() != QAbstractSocket.SocketState.UnconnectedState:
            self._ws.abort()

    # -- the socket -------------------------------------------------------------------

    def _make_socket(self) -> QWebSocket:
        ws = QWebSocket(parent=self)
        ws.setMaxAllowedIncomingMessageSize(MAX_MESSAGE_BYTES)
        ws.connected.connect(self._on_connected)
        # errorOccurred comes after disconnected: look at the link once both are in.
        ws.disconnected.connect(lambda: self._later(self._link_down, self._link))
        ws.errorOccurred.connect(self._note_error)
        ws.sslErrors.connect(self._on_ssl_errors)
        ws.textMessageReceived.connect(self._on_text)
        ws.binaryMessageReceived.connect(lambda _b: log.warning("hub sent a binary frame"))
        ws.pong.connect(lambda *_: self._seen())
        return ws

    def _later(self, fn: Callable[[int], None], link: int) -> None:
        QTimer.singleShot(0, self, lambda: fn(link))

    def _ssl_configuration(self) -> QSslConfiguration:
        """Verified against the system's CAs only: a pinned certificate is not added to them
        (were it a CA, as the development certificate once was, everything its key signed
        would pass). The pinned one is accepted in `_on_ssl_errors`, by comparison."""
        config = QSslConfiguration.defaultConfiguration()
        config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        config.setProtocol(QSsl.SslProtocol.TlsV1_2OrLater)
        return config

    def _on_ssl_errors(self, errors: list[QSslError]) -> None:
        ws = self._ws
        peer = ws.sslConfiguration().peerCertificate()
        pinned = not peer.isNull() and pin_of(peer) in {pin_of(c) for c in self.pinned}
        if pinned and all(e.error() in _PINNABLE for e in errors):
            ws.ignoreSslErrors(errors)  # exactly the certificate the user pinned
            return
        self._socket_error = "; ".join(e.errorString() for e in errors)
        log.warning("hub certificate refused: %s", self._socket_error)

    def _note_error(self, _error: object) -> None:
        if self._link and not self._socket_error:
            self._socket_error = self._ws.errorString()

    def _on_connected(self) -> None:
        if not self._link:
            return
        self._seen()
        self.opened.emit()

    def _on_text(self, raw: str) -> None:
        if not self._link:
            return
        self._seen()
        self.text_received.emit(raw)

    def _link_down(self, link: int) -> None:
        if not link or link != self._link:
            return  # an earlier link's news
        reason = self._socket_error or self._ws.errorString() or "connection closed"
        self.drop()
        self.lost.emit(reason)

    def _tick(self) -> None:
        """Once a second: the connect timeout, and keepalive pings."""
        now, ws = time.monotonic(), self._ws
        if not self._link:
            return
        if ws.state() != QAbstractSocket.SocketState.ConnectedState:
            if now - self._dialing_since > self._connect_timeout:
                self.fail("no answer from the hub")
            return
        if now - self._last_seen > 2 * self._ping_interval:
            self.fail("the hub stopped answering")
            return
        link = self._link
        self.tick.emit()  # the session's timeouts, which may give up on this link
        if self._link == link and now - self._last_seen > self._ping_interval:
            ws.ping()

    def _seen(self) -> None:
        self._last_seen = time.monotonic()
