"""The desktops of the screen-pop bench (scripts/bench_hub.py): hub clients in a process of
their own, gevent, each one WebSocket over TLS that trusts exactly the hub's certificate.

Each desktop logs in (username + password, argon2 on the hub), sets itself Available (the hub
makes that `Available (On Demand)` on the switch), and then:
- on every `screen_pop`, notes the wall clock the moment the message is handed over by the
  WebSocket (before it is even parsed) and keeps `received - call.answered_at`, where
  `answered_at` is the bridge-agent-start event's Event-Date-Timestamp (the daemon's live state
  takes it from that event; the hub sends it as an ISO time with microseconds);
- on every `call_ended`, says `wrap_up_done`, so the hub sets the agent Waiting again and
  mod_callcenter keeps offering it calls.

The parent drives it over a multiprocessing pipe: ("connect", port, ca, usernames) logs in the
desktops not connected yet and answers when they are all Available; ("take",) answers the pops
since the last take; ("quit",) ends it."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.pool
import gevent.socket
from simple_websocket import Client as WsClient
from simple_websocket import ConnectionClosed

from bench_support.hub_side import AGENT_PASSWORD, Stalls
from bench_support.machine import own_seconds
from callcenter.hub.tls import client_context
from tests.support.ws_client import GreenThread, whole_sends

LOGINS_AT_ONCE = 16  # desktops connecting and logging in at a time
REQUEST_SECONDS = 60.0


@dataclass
class Book:
    """What the desktops saw since the last take."""

    pops: list[tuple[float, str, str, int]] = field(default_factory=list)
    # (latency ms, username, call uuid, message bytes)
    ended: int = 0
    refused: list[str] = field(default_factory=list)  # requests the hub refused
    closed: int = 0  # connections the hub closed

    def take(self) -> dict[str, Any]:
        taken = {"pops": self.pops, "ended": self.ended, "refused": self.refused,
                 "closed": self.closed}
        self.pops, self.ended, self.refused, self.closed = [], 0, [], 0
        return taken


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class Desktop:
    """One agent's desktop."""

    def __init__(self, port: int, ca: Path, username: str, book: Book) -> None:
        self.username, self.book = username, book
        self.ws = whole_sends(WsClient.connect(
            f"wss://127.0.0.1:{port}/ws", ssl_context=client_context(ca),
            thread_class=GreenThread, event_class=gevent.event.Event))
        self._waiting: dict[str, gevent.event.AsyncResult] = {}
        self._ids = itertools.count(1)
        self._reader = gevent.spawn(self._read)

    def start(self) -> None:
        """Log in and be Available; SystemExit if the hub says no."""
        for type_, fields in (("login", {"username": self.username,
                                          "password": AGENT_PASSWORD, "client": "bench_hub"}),
                              ("set_status", {"status": "Available"})):
            reply = self.request(type_, **fields)
            if not reply.get("ok"):
                raise SystemExit(f"{self.username}: {type_} refused: {reply}")

    def request(self, type_: str, **fields: Any) -> dict[str, Any]:
        request_id = f"b{next(self._ids)}"
        waiter = self._waiting[request_id] = gevent.event.AsyncResult()
        self.ws.send(json.dumps({"v": 1, "type": type_, "id": request_id, **fields}))
        return waiter.get(timeout=REQUEST_SECONDS)

    def _read(self) -> None:
        try:
            while True:
                raw = self.ws.receive()
                received = time.time()
                if raw is not None:
                    self._handle(json.loads(raw), received, len(raw))
        except ConnectionClosed:
            self.book.closed += 1

    def _handle(self, message: dict[str, Any], received: float, size: int) -> None:
        waiter = self._waiting.pop(message.get("id") or "", None)
        if waiter is not None:
            waiter.set(message)
        elif message["type"] == "screen_pop":
            call = message["call"]
            self.book.pops.append(((received - epoch(call["answered_at"])) * 1000,
                                   self.username, call["uuid"], size))
        elif message["type"] == "call_ended":
            self.book.ended += 1
            gevent.spawn(self._wrap_up, message["call_uuid"])
        elif message["type"] == "error":
            self.book.refused.append(f"{self.username}: {message['code']}")

    def _wrap_up(self, call_uuid: str) -> None:
        try:
            reply = self.request("wrap_up_done", call_uuid=call_uuid)
        except (gevent.Timeout, ConnectionClosed, OSError) as exc:
            reply = {"code": type(exc).__name__}
        if not reply.get("ok"):
            self.book.refused.append(f"{self.username}: wrap_up_done {reply.get('code')}")

    def close(self) -> None:
        with contextlib.suppress(ConnectionClosed, OSError):
            self.ws.close()
        self._reader.kill(block=False)


def connect(desktops: dict[str, Desktop], port: int, ca: Path, usernames: list[str],
            book: Book) -> dict[str, Any]:
    """Log in every username that has no desktop yet, LOGINS_AT_ONCE at a time."""
    start, failed = time.monotonic(), []

    def one(username: str) -> None:
        try:
            desktop = Desktop(port, ca, username, book)
            desktop.start()
        except (SystemExit, gevent.Timeout, ConnectionClosed, OSError) as exc:
            failed.append(f"{username}: {exc!r}")
            return
        desktops[username] = desktop

    pool = gevent.pool.Pool(LOGINS_AT_ONCE)
    new = [username for username in usernames if username not in desktops]
    for username in new:
        pool.spawn(one, username)
    pool.join()
    return {"connected": len(desktops), "new": len(new), "seconds": time.monotonic() - start,
            "failed": failed}


def serve_clients(control: Connection) -> None:
    """The desktops' process: obey the pipe."""
    desktops: dict[str, Desktop] = {}
    book, stalls = Book(), Stalls()
    control.send("ready")
    while True:
        gevent.socket.wait_read(control.fileno())
        message: tuple[Any, ...] = control.recv()
        if message[0] == "connect":
            control.send(connect(desktops, message[1], Path(message[2]), message[3], book))
        elif message[0] == "take":
            control.send({**book.take(), "stall_ms": stalls.take(), "cpu_s": own_seconds()})
        else:
            break
    for desktop in desktops.values():
        desktop.close()
    control.send("bye")
