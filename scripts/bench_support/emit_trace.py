"""How long an event waits inside the simulator: from its creation (its Event-Date-Timestamp)
to the moment the connection's writer has handed its frame to the kernel (`sendall` returned),
on the inbound Event Socket (the daemon's link). Runs in the simulator's process; it is the
simulator's share of the event-to-state latency the daemon side measures."""

from __future__ import annotations

import time
from collections import deque

import gevent.socket

from callcenter.sim.core import SimEvent, Switch
from callcenter.sim.esl_server import EslListener, EslServer

_delays_ms: list[float] = []  # of every traced connection of the process, since the last take


class TracedListener(EslListener):
    """An EslListener that keeps, beside its outbox, each queued event's creation time."""

    def __init__(self, switch: Switch, sock: gevent.socket.socket, password: str) -> None:
        super().__init__(switch, sock, password)
        self._created: deque[int | None] = deque()  # one per outbox entry, None: not an event

    def send(self, data: bytes) -> None:
        self._created.append(None)
        super().send(data)

    def _queue_event(self, event: SimEvent) -> None:
        before = len(self._outbox)
        super()._queue_event(event)
        if len(self._outbox) > before:  # queued, not dropped: the last entry is this event
            self._created[-1] = int(event.get("Event-Date-Timestamp") or 0)

    def _write_loop(self) -> None:
        """EslListener._write_loop, noting when each chunk's events left."""
        while True:
            self._wakeup.wait()
            self._wakeup.clear()
            while self._outbox:
                count = min(64, len(self._outbox))
                chunk = b"".join(self._outbox.popleft() for _ in range(count))
                created = [self._created.popleft() for _ in range(count)]
                try:
                    self.sock.sendall(chunk)
                except OSError:
                    self._closing = True
                    self._outbox.clear()
                    return
                now_us = time.time() * 1_000_000
                _delays_ms.extend((now_us - us) / 1000 for us in created if us)
            if self._closing:
                return


class TracedServer(EslServer):
    """EslServer._accept, with a TracedListener."""

    def _accept(self, sock: gevent.socket.socket, _address: object) -> None:
        sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        listener = TracedListener(self.switch, sock, self.password)
        self._listeners.add(listener)
        try:
            listener.serve()
        finally:
            self._listeners.discard(listener)


def traced_server(switch: Switch, port: int, password: str) -> EslServer:
    return TracedServer(switch, "127.0.0.1", port, password)


def take() -> list[float]:
    delays = list(_delays_ms)
    del _delays_ms[:]
    return delays
