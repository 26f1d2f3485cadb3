"""A desktop-hub client for tests and benchmarks in a gevent process: simple-websocket's client
over gevent's TLS sockets (so it yields to the daemon in the same process)."""

from __future__ import annotations

import contextlib
import itertools
import json
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.queue
from simple_websocket import Client as WsClient
from simple_websocket import ConnectionClosed

from callcenter.hub.tls import client_context
from protocol.messages import parse_server_message
from tests.support.ws_client import GreenThread, whole_sends


class HubClient:
    def __init__(self, port: int, ca: Path | None, host: str = "127.0.0.1") -> None:
        scheme = "wss" if ca is not None else "ws"
        self.ws = whole_sends(WsClient.connect(
            f"{scheme}://{host}:{port}/ws", ssl_context=client_context(ca) if ca else None,
            thread_class=GreenThread, event_class=gevent.event.Event))
        self.pushes: gevent.queue.Queue[dict[str, Any]] = gevent.queue.Queue()
        self._waiting: dict[str, gevent.event.AsyncResult] = {}
        self._ids = itertools.count(1)
        self.token: str | None = None
        self.last_seq = 0
        self._reader = gevent.spawn(self._read)

    def _read(self) -> None:
        try:
            while True:
                raw = self.ws.receive()
                if raw is None:
                    continue
                parse_server_message(raw)  # the daemon's messages obey the protocol
                message = json.loads(raw)
                waiter = self._waiting.pop(message.get("id") or "", None)
                if waiter is not None and ("ok" in message or message["type"] == "error"):
                    waiter.set(message)
                else:
                    self.last_seq = max(self.last_seq, message.get("seq") or 0)
                    self.pushes.put(message)
        except ConnectionClosed:
            self.pushes.put({"type": "closed"})

    def send_raw(self, text: str | bytes) -> None:
        self.ws.send(text)

    def request(self, type_: str, timeout: float = 10.0, **fields: Any) -> dict[str, Any]:
        request_id = f"t{next(self._ids)}"
        waiter = self._waiting[request_id] = gevent.event.AsyncResult()
        self.ws.send(json.dumps({"v": 1, "type": type_, "id": request_id, **fields}))
        return waiter.get(timeout=timeout)

    def login(self, username: str, password: str) -> dict[str, Any]:
        reply = self.request("login", username=username, password=password, client="tests")
        if reply.get("ok"):
            self.token = reply["data"]["token"]
        return reply

    def push(self, type_: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next push of this type (others before it are skipped)."""
        with gevent.Timeout(timeout):
            while True:
                message = self.pushes.get()
                if message["type"] == type_:
                    return message

    def close(self) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            self.ws.close()
        self._reader.kill(block=False)
