"""The `socket` application: FreeSWITCH connects to the daemon and lets it drive the call
(outbound Event Socket, reference §1.4 and the `outbound_socket` capture).

The channel parks while the socket is in control; `sendmsg` execute requests run in order;
`myevents` subscribes the socket to this channel; `linger` keeps the socket open after the
hangup, ended by a `text/disconnect-notice` with `Content-Disposition: linger`.
"""

from __future__ import annotations

import logging

import gevent
import gevent.socket

from callcenter.sim import sites, wire
from callcenter.sim.esl_server import MYEVENTS, EslListener
from callcenter.sim.session import Session

log = logging.getLogger(__name__)


class OutboundListener(EslListener):
    """The ESL conversation on a socket FreeSWITCH opened for one channel."""

    def __init__(self, session: Session, sock: gevent.socket.socket, async_mode: bool,
                 full: bool) -> None:
        super().__init__(session.switch, sock, password="", session_commands={
            "connect": _connect, "myevents": _myevents, "linger": _linger,
            "nolinger": _nolinger, "getvar": _getvar, "resume": _resume,
        })
        self.authed = True
        self.session = session
        self.async_mode = async_mode
        self.full = full
        self.lingering = False
        self.linger_time = -1

    def greeting(self) -> bytes | None:
        return None  # outbound: the client speaks first, with `connect`

    def handle(self, command: str, headers: dict[str, str], body: str) -> bytes | None:
        word = command.split(" ", 1)[0]
        restricted = ("api", "bgapi", "event", "nixevent", "noevents", "log", "linger",
                      "sendevent")
        if not self.full and word in restricted:
            return wire.command_reply("-ERR command not found")
        if word == "sendmsg" and not command.partition(" ")[2].strip():
            command = f"sendmsg {self.session.channel.uuid}"
        return super().handle(command, headers, body)

    def channel_ended(self) -> None:
        """After HANGUP_COMPLETE: a linger notice (socket stays), or goodbye and close."""
        uuid = self.session.channel.uuid
        if self.lingering:
            self.send(_notice([("Controlled-Session-UUID", uuid),
                               ("Content-Disposition", "linger"),
                               ("Channel-Name", self.session.channel.name),
                               ("Linger-Time", str(self.linger_time)),
                               ("Content-Length", "0")]))
            self.subscription.enabled = False
            if self.linger_time > 0:
                gevent.spawn_later(self.linger_time, self.drop)
            return
        goodbye = wire.GOODBYE.encode("utf-8")
        self.send(_notice([("Controlled-Session-UUID", uuid),
                           ("Content-Disposition", "disconnect"),
                           ("Content-Length", str(len(goodbye)))]) + goodbye)
        self._closing = True
        self._wakeup.set()


def _notice(headers: list[tuple[str, str]]) -> bytes:
    lines = ["Content-Type: text/disconnect-notice", *(f"{k}: {v}" for k, v in headers)]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _connect(listener: EslListener, _args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    channel = listener.session.channel
    headers = [*channel.basic_data(), *channel.variable_data(),
               ("Content-Type", "command/reply"), ("Reply-Text", "+OK\n"),
               ("Socket-Mode", "async" if listener.async_mode else "static"),
               ("Control", "full" if listener.full else "single-channel")]
    event = listener.switch.new_event("CHANNEL_DATA", headers, calling=sites.CHANNEL_DATA)
    gevent.spawn_later(0.01, listener.session.connected.set)
    return wire.serialize_plain(event.headers)


def _myevents(listener: EslListener, args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    if listener.subscription.session_uuid is not None:
        return wire.command_reply("-ERR aready enabled.")
    listener.subscription.session_uuid = listener.session.channel.uuid
    listener.subscription.types |= MYEVENTS
    listener.subscription.enabled = True
    fmt = args.split()[0] if args.split() else "plain"
    if fmt in ("plain", "json", "xml"):
        listener.subscription.fmt = fmt
    return wire.command_reply("+OK Events Enabled")


def _linger(listener: EslListener, args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    listener.lingering = True
    if args.strip().lstrip("-").isdigit():
        listener.linger_time = int(args)
        return wire.command_reply(f"+OK will linger {listener.linger_time} seconds")
    return wire.command_reply("+OK will linger")


def _nolinger(listener: EslListener, _args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    listener.lingering = False
    return wire.command_reply("+OK will not linger")


def _getvar(listener: EslListener, args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    value = listener.session.channel.variables.get(args.strip(), "")
    return wire.command_reply(value)


def _resume(listener: EslListener, _args: str, _h: dict[str, str], _b: str) -> bytes:
    if not isinstance(listener, OutboundListener):
        raise RuntimeError("expected isinstance(listener, OutboundListener)")
    listener.session.resume_after_socket = True
    return wire.command_reply("+OK")


def socket_app(session: Session, data: str) -> str:
    """`socket <host>[:port] [async] [full]`: connect, park under the socket's control."""
    words = data.split()
    if not words:
        return "_none_"
    host, _, port = words[0].partition(":")
    try:
        sock = gevent.socket.create_connection((host, int(port or 8084)), timeout=5)
    except (OSError, ValueError) as exc:
        log.warning("socket %s: %s", words[0], exc)  # the dialplan goes on (fallback)
        return "_none_"
    variables = session.channel.variables
    variables["socket_host"] = host
    listener = OutboundListener(session, sock, "async" in words, "full" in words)
    session.outbound = listener
    reader = gevent.spawn(listener.serve)
    reader.link(lambda _g: session.socket_closed(listener.async_mode))
    try:
        # FreeSWITCH parks the channel once the socket has said `connect`.
        gevent.wait([session.connected, session.hungup], timeout=session.switch.real(5),
                    count=1)
        session.check()
        session.fire("CHANNEL_PARK", calling=sites.PARK)
        session.run_parked()
    finally:
        if session.channel.alive:
            session.fire("CHANNEL_UNPARK", calling=sites.UNPARK)
        del reader
    return "_none_"


def register(switch: object) -> None:
    switch.applications["socket"] = socket_app  # type: ignore[attr-defined]
