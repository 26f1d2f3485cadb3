"""One lead of the lead-board bench (scripts/bench_lead.py): a hub client in a process of its
own (gevent, one WebSocket over TLS that trusts exactly the hub's certificate), logged in as a
lead, holding the board as the desktop does: every `lead_board` push applied with
protocol.board.apply_board.

On every push that is not whole, the wall clock read when the WebSocket handed the message over
(before it is parsed) is compared with the event times of what the push shows for the first
time (every time below is an event's Event-Date-Timestamp, which the live state keeps):
- "waiting": a new `waiting` row: received - joined_at (member-queue-start);
- "since": an agent row whose `since` changed: received - since (the status or state event);
- "answered": an agent row whose call.answered_at appeared or changed: received - answered_at
  (bridge-agent-start).
Each sample also notes the push's `server_time` (the hub reads it after building the board,
before its first send), to cut the latency in two: the event to the board built, and the
board built to the lead reading it.

The parent drives it over a multiprocessing pipe: ("connect", port, ca, username) logs in and
answers once the whole board came; ("take",) answers what was seen since the last take;
("disconnect",) closes the connection; ("quit",) ends it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.socket
from simple_websocket import ConnectionClosed

from bench_support import hub_side
from bench_support.hub_clients import Book, Desktop, epoch
from bench_support.hub_side import AGENT_PASSWORD
from bench_support.machine import own_seconds
from protocol.board import Board, apply_board

KINDS = ("waiting", "since", "answered")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST_BOARD_SECONDS = 120.0
TICK = 0.02  # seconds: the lag monitor's sleep in a lead's process


class Stalls(hub_side.Stalls):
    """The longest stall of this process's loop, with a sleep of 20 ms rather than 2 ms
    (bench_support.lag): twenty processes waking 500 times a second would take more than half
    a core of the machine's two (a stall then reads up to TICK short)."""

    def _run(self) -> None:
        while True:
            start = time.perf_counter()
            gevent.sleep(TICK)
            self.lags_ms.append((time.perf_counter() - start - TICK) * 1000)


COUNTS = ("pushes", "bytes", "rows", "position_only", "fulls", "full_bytes", "others")


@dataclass
class Seen:
    """What one lead saw since the last take: the samples, and counts of the pushes that were
    not whole, their UTF-8 JSON bytes, the rows they carried and how many of those were
    waiting rows whose only change was their position; of the whole pushes and their bytes;
    of the other pushes."""

    samples: dict[str, list[tuple[float, float, int]]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS})
    # kind → (received - event ms, server_time - event ms, the event's µs since the epoch)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def take(self) -> dict[str, Any]:
        taken = {"samples": self.samples, **self.counts}
        fresh = Seen()
        self.samples, self.counts = fresh.samples, fresh.counts
        return taken


def micros(iso: str) -> int:
    """An ISO time as µs since the epoch, exactly (the live state's Event-Date-Timestamp)."""
    return (datetime.fromisoformat(iso) - EPOCH) // timedelta(microseconds=1)


def samples(before: Board, changed: dict[str, dict[str, Any]], received: float,
            built: float) -> list[tuple[str, float, float, int]]:
    """(kind, received - event ms, built - event ms, event µs) for each row `changed` shows
    for the first time; `received` and `built` in seconds since the epoch."""
    out: list[tuple[str, float, float, int]] = []

    def note(kind: str, iso: str) -> None:
        at = micros(iso)
        out.append((kind, received * 1000 - at / 1000, built * 1000 - at / 1000, at))

    held = before.get("waiting", {})
    for key, row in changed.get("waiting", {}).items():
        if key not in held and row.get("joined_at"):
            note("waiting", row["joined_at"])
    agents = before.get("agents", {})
    for key, row in changed.get("agents", {}).items():
        old = agents.get(key)
        if old is None:
            continue
        if row.get("since") and row["since"] != old.get("since"):
            note("since", row["since"])
        answered = (row.get("call") or {}).get("answered_at")
        if answered and answered != (old.get("call") or {}).get("answered_at"):
            note("answered", answered)
    return out


def position_only(before: Board, changed: dict[str, dict[str, Any]]) -> int:
    """Waiting rows sent again only because their position changed."""
    held = before.get("waiting", {})
    return sum(1 for key, row in changed.get("waiting", {}).items()
               if key in held and {**held[key], "position": row.get("position")} == row)


class Lead(Desktop):
    """One lead's desktop: logged in, the board applied."""

    def __init__(self, port: int, ca: Path, username: str, book: Book, seen: Seen) -> None:
        self.board: Board = {}
        self.seen = seen
        self.whole = gevent.event.Event()  # the first, whole board came
        super().__init__(port, ca, username, book)

    def start(self) -> None:
        reply = self.request("login", username=self.username, password=AGENT_PASSWORD,
                             client="bench_lead")
        if not reply.get("ok"):
            raise SystemExit(f"{self.username}: login refused: {reply}")

    def _read(self) -> None:
        try:
            while True:
                raw = self.ws.receive()
                received = time.time()
                if raw is not None:
                    size = len(raw.encode() if isinstance(raw, str) else raw)
                    self._handle(json.loads(raw), received, size)
        except ConnectionClosed:
            self.book.closed += 1

    def _handle(self, message: dict[str, Any], received: float, size: int) -> None:
        if message.get("id") or message.get("type") != "lead_board":
            if not message.get("id"):
                self.seen.counts["others"] += 1
            super()._handle(message, received, size)
            return
        counts = self.seen.counts
        if message.get("full"):
            counts["fulls"] += 1
            counts["full_bytes"] += size
            self.whole.set()
        elif self.whole.is_set():
            changed = message.get("changed") or {}
            counts["pushes"] += 1
            counts["bytes"] += size
            counts["rows"] += sum(len(rows) for rows in changed.values())
            counts["position_only"] += position_only(self.board, changed)
            built = epoch(message["server_time"])
            for kind, latency, to_built, at in samples(self.board, changed, received, built):
                self.seen.samples[kind].append((latency, to_built, at))
        self.board = apply_board(self.board, message)

    def sizes(self) -> dict[str, int]:
        return {section: len(rows) for section, rows in self.board.items()}


def connect(port: int, ca: Path, username: str, book: Book, seen: Seen) -> tuple[Lead | None,
                                                                              dict[str, Any]]:
    start = time.monotonic()
    try:
        lead = Lead(port, ca, username, book, seen)
        lead.start()
        if not lead.whole.wait(FIRST_BOARD_SECONDS):
            raise SystemExit(f"{username}: no whole board in {FIRST_BOARD_SECONDS:.0f} s")
    except (SystemExit, gevent.Timeout, ConnectionClosed, OSError) as exc:
        return None, {"failed": f"{username}: {exc!r}"}
    return lead, {"failed": None, "seconds": time.monotonic() - start, "board": lead.sizes(),
                  "full_bytes": seen.counts["full_bytes"]}


def serve_lead(control: Connection) -> None:
    """A lead's process: obey the pipe."""
    book, seen, stalls = Book(), Seen(), Stalls()
    lead: Lead | None = None
    control.send("ready")
    while True:
        gevent.socket.wait_read(control.fileno())
        message: tuple[Any, ...] = control.recv()
        if message[0] == "connect":
            lead, reply = connect(message[1], Path(message[2]), message[3], book, seen)
            control.send(reply)
        elif message[0] == "take":
            errors = book.take()
            control.send({**seen.take(), "stall_ms": stalls.take(), "cpu_s": own_seconds(),
                          "refused": errors["refused"], "closed": errors["closed"],
                          "board": lead.sizes() if lead else {}})
        elif message[0] == "disconnect":
            if lead is not None:
                lead.close()
                lead = None
            control.send("ok")
        else:
            break
    if lead is not None:
        lead.close()
    control.send("bye")
