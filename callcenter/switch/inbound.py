"""One inbound connection: we dial FreeSWITCH's event socket (greenswitch's InboundESL, with
the shared EslConnection). Beyond what EslConnection fixes: the wait for `auth/request` is
bounded by `connect_timeout`, and a refused connection is SwitchUnreachable, not a raw
ConnectionRefusedError.
"""

from __future__ import annotations

import gevent.socket
from greenswitch.esl import InboundESL

from callcenter.switch.connection import EslConnection, Handler
from callcenter.switch.errors import AuthenticationFailed, CommandError, SwitchUnreachable

__all__ = ["Handler", "InboundConnection"]


class InboundConnection(EslConnection, InboundESL):
    """An authenticated inbound connection with command timeouts and lazy events."""

    def __init__(self, host: str, port: int, password: str, connect_timeout: float = 5.0,
                 command_timeout: float = 10.0) -> None:
        InboundESL.__init__(self, host, port, password, timeout=connect_timeout)
        self._setup(command_timeout)
        self.peer = f"{host}:{port}"

    # -- connecting --------------------------------------------------------------------

    def connect(self) -> None:
        try:
            self.sock = gevent.socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            raise SwitchUnreachable(
                f"FreeSWITCH event socket {self.host}:{self.port}: {exc.strerror or exc}"
            ) from exc
        self.sock.settimeout(None)
        self.sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
        self.connected = True
        self.start_event_handlers()
        if not self._auth_request_event.wait(self.timeout):
            self._close(f"no auth/request within {self.timeout} s")
            raise SwitchUnreachable(f"{self.host}:{self.port} sent no auth/request "
                                    f"within {self.timeout} s: is it FreeSWITCH?")
        if not self.connected:
            raise AuthenticationFailed(f"{self.host}:{self.port} rejected us: "
                                       f"{self.close_reason}")
        self.authenticate()

    def authenticate(self) -> None:
        try:
            self.send(f"auth {self.password}")
        except CommandError as exc:
            self._close("authentication failed")
            raise AuthenticationFailed(
                f"{self.host}:{self.port} refused the password ({exc.reply})") from exc

