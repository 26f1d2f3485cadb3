"""The desktop hub wired together (its composition root): sessions, the service, the agent's
desk, call control, callbacks and the WebSocket server, plugged into the daemon's effects."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import gevent

from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.calls import CallControl
from callcenter.hub.desk import AgentDesk
from callcenter.hub.server import HubServer
from callcenter.hub.service import Backend, HubService
from callcenter.hub.sessions import Sessions
from callcenter.hub.tls import server_context


@dataclass
class Hub:
    server: HubServer
    service: HubService
    desk: AgentDesk
    callbacks: CallbackDesk
    tls: ssl.SSLContext | None = None

    def stop_listening(self) -> None:
        """Every desktop drops (their sessions stay, to be resumed)."""
        self.server.stop()

    def listen_again(self) -> None:
        host, port = self.server.address
        self.server = HubServer(self.service, host, port, self.tls)
        self.server.start()

    def start(self) -> None:
        self.server.start()
        self._sweepers = [gevent.spawn(self.service.sweep_forever),
                          gevent.spawn(self.callbacks.sweep_forever)]
        gevent.spawn(self.desk.topics)  # read before the first event needs them

    def stop(self) -> None:
        gevent.killall(getattr(self, "_sweepers", []))
        self.desk.acw.stop()
        self.server.stop()


def build_hub(backend: Backend) -> Hub:
    settings = backend.settings.hub
    sessions = Sessions(idle_seconds=settings.session_idle_minutes * 60,
                        max_seconds=settings.session_max_hours * 3600)
    service = HubService(backend, sessions)
    desk = AgentDesk(service, backend)
    CallControl(service, backend, desk)
    callbacks = CallbackDesk(service, backend, desk)
    tls = None
    if settings.tls_cert is not None and settings.tls_key is not None:
        tls = server_context(settings.tls_cert, settings.tls_key)
    server = HubServer(service, settings.listen_host, settings.listen_port, tls)
    return Hub(server, service, desk, callbacks, tls)


def hub_wanted(backend: Backend) -> bool:
    """The hub runs with a certificate, or on 127.0.0.1 in plain text when allowed."""
    settings = backend.settings.hub
    return settings.tls_cert is not None or settings.allow_plain
