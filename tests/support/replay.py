"""Replay a captured Event Socket conversation over a real loopback socket.

The server side sends what FreeSWITCH sent (`*.recv.esl`) and, at each point where the client
wrote in the capture, reads the same number of bytes from our client and checks they are the
bytes the capture shows. So a client that writes anything else, or waits for the wrong thing,
fails the test instead of passing by luck.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import gevent.server
import gevent.socket

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "freeswitch"


@dataclass
class Capture:
    recv: bytes
    sent: bytes
    steps: list[tuple[str, int, int]]  # (direction, offset, length) in timeline order

    @classmethod
    def load(cls, scenario: str, connection: str) -> Capture:
        base = FIXTURES / f"{scenario}.{connection}"
        with open(f"{base}.timeline.tsv", encoding="ascii") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        steps = [(r["direction"], int(r["offset"]), int(r["length"])) for r in rows]
        return cls(Path(f"{base}.recv.esl").read_bytes(), Path(f"{base}.sent.esl").read_bytes(),
                   steps)

    def commands(self) -> list[str]:
        """The client's commands, as our client's send() takes them (without the blank line)."""
        return [c for c in self.sent.decode("utf-8").split("\n\n") if c]


@dataclass
class ReplayServer:
    capture: Capture
    mismatches: list[str] = field(default_factory=list)
    done: gevent.event.Event = field(default_factory=gevent.event.Event)

    def start(self) -> tuple[str, int]:
        self._server = gevent.server.StreamServer(("127.0.0.1", 0), self._handle)
        self._server.start()
        return "127.0.0.1", self._server.server_port

    def stop(self) -> None:
        self._server.stop(timeout=1)

    def _handle(self, sock: gevent.socket.socket, _address: object) -> None:
        try:
            for direction, offset, length in self.capture.steps:
                if direction == "recv":
                    sock.sendall(self.capture.recv[offset:offset + length])
                    continue
                expected = self.capture.sent[offset:offset + length]
                got = b""
                while len(got) < length:
                    chunk = sock.recv(length - len(got))
                    if not chunk:
                        self.mismatches.append(f"client closed, expected {expected!r}")
                        return
                    got += chunk
                if got != expected:
                    self.mismatches.append(f"client sent {got!r}, capture shows {expected!r}")
                    return
        finally:
            sock.close()
            self.done.set()
