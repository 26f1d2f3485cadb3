"""A scripted daemon on the other end of the simulator's outbound socket."""

from __future__ import annotations

from collections.abc import Callable

import gevent.event
import gevent.server

from callcenter.switch.event import Event
from callcenter.switch.protocol import Frame, FrameParser

Wait = Callable[[Frame], bool]


class ScriptedDaemon:
    """Accepts FreeSWITCH's connection and plays `script`: (command, wait-until) pairs."""

    def __init__(self, script: list[tuple[str, Wait]]) -> None:
        self.script = script
        self.frames: list[Frame] = []
        self.done = gevent.event.Event()
        self._server = gevent.server.StreamServer(("127.0.0.1", 0), self._serve)
        self._server.start()
        self.port = self._server.server_port

    def events(self) -> list[Event]:
        return [Event.from_frame(f) for f in self.frames if f.content_type == "text/event-plain"]

    def _serve(self, sock, _address) -> None:
        parser, seen = FrameParser(), [0]

        def until(done: Wait) -> None:
            while True:
                for frame in self.frames[seen[0]:]:
                    seen[0] += 1
                    if done(frame):
                        return
                data = sock.recv(65536)
                if not data:
                    return
                self.frames.extend(parser.feed(data))

        for command, wait in self.script:
            if command:  # an empty command only waits
                sock.sendall((command + "\n\n").encode())
            until(wait)
        sock.close()
        self.done.set()

    def stop(self) -> None:
        self._server.stop(timeout=1)


def reply(frame: Frame) -> bool:
    return frame.content_type == "command/reply"


def notice(frame: Frame) -> bool:
    return frame.content_type == "text/disconnect-notice"


def completed(app: str):
    def done(frame: Frame) -> bool:
        if frame.content_type != "text/event-plain":
            return False
        event = Event.from_frame(frame)
        return event.name == "CHANNEL_EXECUTE_COMPLETE" and event.get("Application") == app
    return done


def execute(app: str, arg: str = "") -> str:
    lines = ["sendmsg", "call-command: execute", f"execute-app-name: {app}"]
    if arg:
        lines.append(f"execute-app-arg: {arg}")
    return "\n".join([*lines, "event-lock: true"])
