"""The portal's side of the intake bench: N greenlets, each on one kept-alive TLS
connection, posting declarations (or GETting the baseline) through a timed phase, and what
each phase's answers were (Tally), level by level (Level)."""

from __future__ import annotations

import http.client
import itertools
import json
import random
import secrets
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gevent
import gevent.socket
import gevent.ssl

from bench_support.intake_cpu import cpu_point

TOPIC = "f0_home_care"
UNIT = "32167"  # Xã Tân Thuận
POST_PATH, BASELINE_PATH = "/api/v1/declarations", "/api/v1/openapi.json"
RESEND_SHARE = 0.05
RED_FLAG_EVERY = 10  # one declaration in ten has two red flags
TIMEOUT = 30.0  # a request's socket timeout


class Target:
    """The server, as the portal reaches it: TLS with its certificate trusted."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port = port
        # gevent's own SSLContext (gevent.ssl.create_default_context makes the standard
        # library's, whose sockets block the whole process in a read)
        self.tls = gevent.ssl.SSLContext(gevent.ssl.PROTOCOL_TLS_CLIENT)
        self.tls.load_verify_locations(cafile=str(cert))
        self.opened = 0  # TCP+TLS connections opened (keep-alive: one per worker per level)

    def connection(self) -> http.client.HTTPSConnection:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls,
                                                 timeout=TIMEOUT)
        # gevent's socket, wrapped by gevent's SSL context: cooperative without monkey-patching
        connection._create_connection = self._open  # type: ignore[attr-defined]
        return connection

    def _open(self, *args: Any) -> Any:
        self.opened += 1
        return gevent.socket.create_connection(*args)


@dataclass
class Sent:
    key: str
    body: bytes
    red: bool
    receipt: str = ""  # as answered: KB-XXXX-XXXX


class Ledger:
    """The run's declarations: made up one after another (each its own phone, name and key);
    the accepted ones kept for the resends and for the check against the database."""

    def __init__(self, api_key: str) -> None:
        self.count = itertools.count()
        self.run = secrets.token_hex(3)
        self.random = random.Random(1022)
        self.today = date.today()
        self.headers = {"Authorization": f"Bearer {api_key}",
                        "Content-Type": "application/json", "Accept": "application/json"}
        self.accepted: dict[str, Sent] = {}
        self.order: list[Sent] = []  # the accepted, for random.choice
        self.unanswered: set[str] = set()  # new keys whose answer never came: maybe stored

    def next(self) -> tuple[Sent, bool]:
        """A new declaration, or (RESEND_SHARE of the time) an accepted one again."""
        if self.order and self.random.random() < RESEND_SHARE:
            return self.random.choice(self.order), True
        n = next(self.count)
        data: dict[str, Any] = {
            "full_name": f"Nguyễn Văn A {n}", "birth_year": 1940 + n % 70,
            "phone": f"091{n:07d}", "admin_unit": UNIT,
            "positive_date": (self.today - timedelta(days=2 + n % 5)).isoformat(),
            "symptoms": ["fever", "cough"] if n % 2 else ["fever"]}
        red = n % RED_FLAG_EVERY == 0
        if red:
            data["red_flags"] = ["dyspnoea", "cyanosis"]
        body = json.dumps({"topic": TOPIC, "declaration": data}, ensure_ascii=False)
        return Sent(f"bench-{self.run}-{n}", body.encode(), red), False

    def accept(self, sent: Sent, receipt: str) -> None:
        sent.receipt = receipt
        self.accepted[sent.key] = sent
        self.order.append(sent)


@dataclass
class Tally:
    """One phase's answers."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0  # a new declaration accepted (201, not replayed); a GET answered 200
    replayed: int = 0  # a resend answered as one
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)  # the first of each kind
    seconds: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)
    opened: int = 0

    def fail(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.samples.setdefault(kind, detail[:300])


@dataclass
class Phase:
    target: Target
    ledger: Ledger
    connections: list[http.client.HTTPSConnection | None]  # one per worker, kept across phases
    post: bool
    end: float
    budget: int  # requests left
    quickack: bool = True
    tally: Tally = field(default_factory=Tally)

    def more(self) -> bool:
        if self.budget <= 0 or time.monotonic() >= self.end:
            return False
        self.budget -= 1
        return True


def worker(phase: Phase, index: int) -> None:
    while phase.more():
        connection = phase.connections[index] or phase.target.connection()
        phase.connections[index] = connection
        sent, resend = phase.ledger.next() if phase.post else (None, False)
        started = time.perf_counter()
        try:
            status, replayed, body = exchange(connection, phase, sent)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            phase.connections[index] = None
            phase.tally.fail(type(exc).__name__, str(exc))
            if sent is not None and not resend:
                phase.ledger.unanswered.add(sent.key)
            continue
        phase.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        judge(phase, sent, resend, status, replayed, body)


def exchange(connection: http.client.HTTPSConnection, phase: Phase, sent: Sent | None
             ) -> tuple[int, str, bytes]:
    if sent is None:
        connection.request("GET", BASELINE_PATH, headers={"Accept": "application/json"})
    else:
        connection.request("POST", POST_PATH, body=sent.body,
                           headers={**phase.ledger.headers, "Idempotency-Key": sent.key})
    if phase.quickack:
        # The server writes a response's head and body in two sends on a socket with Nagle's
        # algorithm on: the body waits for the ACK of the head, which a client delays by
        # 40 ms. ACK at once (the kernel clears this after a while: set for each response).
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    response = connection.getresponse()
    body = response.read()
    return response.status, response.getheader("Idempotent-Replayed") or "", body


def judge(phase: Phase, sent: Sent | None, resend: bool, status: int, replayed: str,
          body: bytes) -> None:
    tally = phase.tally
    expected = 200 if sent is None else 201
    if status != expected:
        tally.fail(f"HTTP {status}", body.decode(errors="replace"))
        return
    if sent is None:
        tally.ok += 1
        return
    try:
        receipt = str(json.loads(body)["receipt_code"])
    except (ValueError, KeyError, TypeError):
        tally.fail("a 201 without a receipt code", body.decode(errors="replace"))
        return
    if not resend:
        if replayed:
            tally.fail("a new key answered as replayed", receipt)
        else:
            phase.ledger.accept(sent, receipt)
            tally.ok += 1
    elif replayed != "true":
        tally.fail("a resend not answered Idempotent-Replayed: true", sent.key)
    elif receipt != sent.receipt:
        tally.fail("a resend answered another receipt", f"{sent.receipt} → {receipt}")
    else:
        tally.replayed += 1


def run_phase(target: Target, ledger: Ledger, connections: list[Any], post: bool,
              seconds: float, budget: int, server_pid: int, quickack: bool = True) -> Tally:
    phase = Phase(target, ledger, connections, post, time.monotonic() + seconds, budget,
                  quickack)
    before, opened = cpu_point(server_pid), target.opened
    workers = [gevent.spawn(worker, phase, i) for i in range(len(connections))]
    gevent.joinall(workers, timeout=seconds + 2 * TIMEOUT + 5)
    stuck = sum(1 for w in workers if not w.dead)
    if stuck:  # a socket timeout ends a request first: this would be a bench's bug
        gevent.killall(workers)
        phase.tally.fail("workers stuck past the end", str(stuck))
    after = cpu_point(server_pid)
    phase.tally.seconds = after["at"] - before["at"]
    phase.tally.cores = {name: (after[name] - before[name]) / phase.tally.seconds
                         for name in ("server", "postgres", "client", "machine")}
    phase.tally.cores["rest"] = max(0.0, phase.tally.cores.pop("machine") - sum(
        phase.tally.cores.values()))
    phase.tally.opened = target.opened - opened
    return phase.tally



@dataclass
class Level:
    """One level (N workers, N connections): each of its phases' answers, and with --parts the
    server's timers over its POST window."""

    concurrency: int
    posted: Tally
    baseline: Tally
    warmup: Tally
    stock: Tally | None  # POSTs from a client that delays its ACKs, as ordinary ones do
    parts: dict[str, list[float]]  # the server's timers over the POST window (--parts)

