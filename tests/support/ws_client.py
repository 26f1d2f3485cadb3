"""simple-websocket's client under gevent, for the test and benchmark desktops
(tests/support/hub_client.py, scripts/bench_support/hub_clients.py): its reader "thread" as a
greenlet, and whole, atomic sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gevent
import gevent.lock


class GreenThread:
    """simple-websocket runs its reader in a "thread"; here, a greenlet."""

    def __init__(self, target: Callable[[], None]) -> None:
        self._greenlet = gevent.Greenlet(target)
        self.name = "websocket-reader"

    def start(self) -> None:
        self._greenlet.start()

    def join(self, timeout: float | None = None) -> None:
        self._greenlet.join(timeout)

    def is_alive(self) -> bool:
        return bool(self._greenlet)  # started and not dead


class SendAll:
    """simple-websocket 1.1.0 writes each frame with one `sock.send()`, which over TLS may
    write only part of it (miguelgrinberg/simple-websocket#45): every send is a `sendall`,
    under a lock so a pong written by the reader cannot land in the middle of a message."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._lock = gevent.lock.RLock()

    def send(self, data: bytes) -> int:
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def whole_sends(ws: Any) -> Any:
    ws.sock = SendAll(ws.sock)
    return ws
