"""A process that pretends to be FreeSWITCH on the daemon's IVR port, as any local process can:
a real TCP client (bound to the source address of its choice on the loopback) that speaks the
switch's side of the outbound Event Socket. It answers `connect` with channel data of its
choosing (any Unique-ID, any caller number), `myevents` / `linger` with +OK, and each
`sendmsg` execute with +OK and, when `complete` says so, a CHANNEL_EXECUTE_COMPLETE carrying
the variables it likes (a menu key, say). Everything the daemon sent is kept, to assert on."""

from __future__ import annotations

import contextlib
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import gevent
import gevent.event
import gevent.socket

# app, arg → the variables its completion carries (None: it never completes)
Completion = Callable[[str, str], dict[str, str] | None]


def completes_all(_app: str, _arg: str) -> dict[str, str] | None:
    return {}


def channel_data(uuid: str, number: str, context: str = "hotline",
                 destination: str = "1022") -> dict[str, str]:
    """What FreeSWITCH's `connect` reply says of a caller's channel (the headers the daemon
    could read), for whatever channel the fake claims."""
    return {"Event-Name": "CHANNEL_DATA", "Unique-ID": uuid, "Channel-Name":
            f"sofia/external/{number}@127.0.0.1", "Call-Direction": "inbound",
            "Answer-State": "answered", "Caller-Caller-ID-Number": number,
            "Caller-Caller-ID-Name": "Khách", "Caller-Destination-Number": destination,
            "Caller-Context": context, "Caller-Unique-ID": uuid, "variable_uuid": uuid}


@dataclass
class Command:
    line: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeSwitch:
    def __init__(self, port: int, channel: dict[str, str], *, source: str = "127.0.0.1",
                 answer_connect: bool = True, complete: Completion = completes_all) -> None:
        self.channel, self.answer_connect, self.complete = channel, answer_connect, complete
        self.sock = gevent.socket.socket()
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.commands: list[Command] = []
        self.closed = gevent.event.Event()  # the daemon closed the connection
        self._reader = gevent.spawn(self._read)

    @property
    def executed(self) -> list[tuple[str, str]]:
        return [(c.headers.get("execute-app-name", ""), c.headers.get("execute-app-arg", ""))
                for c in self.commands if c.headers.get("call-command") == "execute"]

    @property
    def said(self) -> list[str]:
        return [c.line for c in self.commands]

    def close(self) -> None:
        self._reader.kill()
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- the switch's side ---------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._command(block.decode("utf-8"))
        except OSError:
            pass
        self.closed.set()

    def _command(self, block: str) -> None:
        line, *rest = block.split("\n")
        headers = dict(h.split(": ", 1) for h in rest if ": " in h)
        self.commands.append(Command(line, headers))
        word = line.split(" ", 1)[0]
        if word == "connect":
            if self.answer_connect:
                self._send("Content-Type: command/reply\nReply-Text: +OK\n" + "".join(
                    f"{k}: {quote(v, safe='')}\n" for k, v in self.channel.items()) +
                    "Socket-Mode: async\nControl: full\n\n")
        elif word in ("myevents", "linger", "exit", "sendmsg"):
            self._reply("+OK")
            if headers.get("call-command") == "execute":
                self._maybe_complete(headers)
        else:
            self._reply("-ERR command not found")

    def _maybe_complete(self, headers: dict[str, str]) -> None:
        app, arg = headers.get("execute-app-name", ""), headers.get("execute-app-arg", "")
        variables = self.complete(app, arg)
        if variables is None:
            return
        uuid = self.channel.get("Unique-ID", str(uuidlib.uuid4()))
        event = {"Event-Name": "CHANNEL_EXECUTE_COMPLETE", "Unique-ID": uuid,
                 "Answer-State": "answered", "Application": app, "Application-Data": arg,
                 "Application-Response": "_none_",
                 "Application-UUID": headers.get("event-uuid", ""),
                 **{f"variable_{k}": v for k, v in variables.items()}}
        body = "".join(f"{k}: {quote(v, safe='')}\n" for k, v in event.items()) + "\n"
        self._send(f"Content-Type: text/event-plain\nContent-Length: {len(body.encode())}\n\n"
                   + body)

    def _reply(self, text: str) -> None:
        self._send(f"Content-Type: command/reply\nReply-Text: {text}\n\n")

    def _send(self, text: str) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(text.encode("utf-8"))
