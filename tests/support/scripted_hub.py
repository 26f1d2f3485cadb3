"""A scripted hub for the desktop's connection tests: a plain ws:// server on 127.0.0.1 that
answers login (with a snapshot, seq 1) and resume, records every message, answers other requests
as a test scripts them (`answer`), and sends what a test tells it — for what the real hub never
does on purpose."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtNetwork import QHostAddress
from PySide6.QtWebSockets import QWebSocket, QWebSocketServer

from protocol import messages as m


class ScriptedHub:
    """A plain ws:// server on 127.0.0.1 that answers login and resume and records the rest."""

    def __init__(self) -> None:
        self.server = QWebSocketServer("scripted", QWebSocketServer.SslMode.NonSecureMode)
        assert self.server.listen(QHostAddress.SpecialAddress.LocalHost, 0)
        self.server.newConnection.connect(self._accept)
        self.clients: list[QWebSocket] = []
        self.received: list[dict[str, Any]] = []
        self.refuse_resume = False
        # What it answers to other requests, by type: data for a reply, or an Error (its id is
        # the request's), or a function of the request that makes either.
        self.answers: dict[str, Any] = {}
        # Requests of these types are recorded and answered only at `release` (a slow hub).
        self.holding: set[str] = set()
        self.held: list[dict[str, Any]] = []

    @property
    def address(self) -> str:
        return f"ws://127.0.0.1:{self.server.serverPort()}"

    def _accept(self) -> None:
        client = self.server.nextPendingConnection()
        client.textMessageReceived.connect(self._receive)
        self.clients.append(client)

    def _receive(self, raw: str) -> None:
        message = json.loads(raw)
        self.received.append(message)
        if message["type"] == "resume" and self.refuse_resume:
            self.send(m.Error(id=message["id"], code="expired", message="session expired"))
        elif message["type"] in ("login", "resume"):
            data = {"token": "t" * 32} if message["type"] == "login" else {}
            self.send(m.Reply(type=message["type"], id=message["id"], data=data))
        elif message["type"] in self.holding:
            self.held.append(message)
        elif message["type"] in self.answers:
            self._answer(message)
        if message["type"] == "login":
            self.send(m.Snapshot(seq=1, agent=m.AgentView(
                username="lan", full_name="Lan", role="nurse", status="Available",
                state="Waiting")))

    def answer(self, kind: str, answer: Any) -> None:
        """Answer every request of `kind` from now on with `answer`: a reply's data (a dict),
        an Error, or a function of the request (a dict) that returns one of those."""
        self.answers[kind] = answer

    def hold(self, kind: str) -> None:
        """Keep requests of `kind` unanswered until `release` (a hub that takes its time)."""
        self.holding.add(kind)

    def release(self) -> None:
        """Answer the requests held, in order, as scripted now; stop holding."""
        held, self.held = self.held, []
        self.holding.clear()
        for message in held:
            self._answer(message)

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The requests of `kind` received so far, in order."""
        return [message for message in self.received if message.get("type") == kind]

    def _answer(self, message: dict[str, Any]) -> None:
        answer = self.answers[message["type"]]
        if callable(answer):
            answer = answer(message)
        if isinstance(answer, m.Error):
            self.send(answer.model_copy(update={"id": message["id"]}))
        else:
            self.send(m.Reply(type=message["type"], id=message["id"], data=dict(answer)))

    def send(self, message: Any) -> None:
        self.say(m.dump(message))

    def say(self, raw: str) -> None:
        self.clients[-1].sendTextMessage(raw)

    def close(self) -> None:
        self.server.close()
