"""The desktop hub wired together (its composition root): sessions, the service, the agent's
desk, call control, callbacks, the lead's desk, supervision, recordings, forwarded reports,
shift hand-overs, the watch for new declarations and the WebSocket server, plugged into the
daemon's effects."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import gevent

from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.calls import CallControl
from callcenter.hub.desk import AgentDesk
from callcenter.hub.handover import Handover
from callcenter.hub.intake import IntakeWatch
from callcenter.hub.lead import LeadDesk
from callcenter.hub.monitoring import MonitoringDesk
from callcenter.hub.recordings import Recordings
from callcenter.hub.referrals import ReferralDesk
from callcenter.hub.reports import ReportDesk
from callcenter.hub.server import ConnectionLimits, HubServer
from callcenter.hub.service import Backend, HubService
from callcenter.hub.sessions import Sessions
from callcenter.hub.supervision import Supervision
from callcenter.hub.tls import server_context
from callcenter.state.effects import Effect
from db.agents import dummy_hash


@dataclass
class Hub:
    server: HubServer
    service: HubService
    desk: AgentDesk
    callbacks: CallbackDesk
    lead: LeadDesk
    supervision: Supervision
    intake: IntakeWatch
    monitoring: MonitoringDesk
    tls: ssl.SSLContext | None = None

    def on_effect(self, effect: Effect) -> None:
        """Every effect of the daemon's event path, to the parts that follow them."""
        self.desk.on_effect(effect)
        self.callbacks.on_effect(effect)
        self.lead.on_effect(effect)
        self.supervision.on_effect(effect)

    def on_written(self, effects: list[Effect]) -> None:
        self.callbacks.on_written(effects)
        self.lead.on_written(effects)
        self.monitoring.on_written(effects)

    def stop_listening(self) -> None:
        """Every desktop drops (their sessions stay, to be resumed)."""
        self.server.stop()

    def listen_again(self) -> None:
        host, port = self.server.address
        self.server = HubServer(self.service, host, port, self.tls, self.server.limits)
        self.server.start()

    def start(self) -> None:
        self.server.start()
        every = self.service.backend.settings.switch.agent_sync_seconds
        self._sweepers = [gevent.spawn(self.service.sweep_forever),
                          gevent.spawn(self.callbacks.sweep_forever),
                          gevent.spawn(self.service.watch_accounts_forever, every),
                          gevent.spawn(self.lead.read_forever),
                          gevent.spawn(self.lead.publish_forever),
                          gevent.spawn(self.intake.watch_forever,
                                       self.service.backend.settings.web.watch_seconds),
                          gevent.spawn(self.monitoring.sweep_forever)]
        gevent.spawn(self.desk.topics)  # read before the first event needs them
        # made once, before the first login of an unknown user has to wait for it
        gevent.spawn(self.service.backend.blocking, dummy_hash)

    def stop(self) -> None:
        gevent.killall(getattr(self, "_sweepers", []))
        self.desk.acw.stop()
        self.server.stop()
        self.service.flush_refusals()  # the repeats counted since the last sweep


def build_hub(backend: Backend) -> Hub:
    settings = backend.settings.hub
    sessions = Sessions(idle_seconds=settings.session_idle_minutes * 60,
                        max_seconds=settings.session_max_hours * 3600)
    service = HubService(backend, sessions)
    desk = AgentDesk(service, backend)
    CallControl(service, backend, desk)
    callbacks = CallbackDesk(service, backend, desk)
    lead = LeadDesk(service, backend, desk)
    supervision = Supervision(service, backend, desk, lead)
    Recordings(service, backend)
    ReferralDesk(service, backend, desk)
    ReportDesk(service, backend)
    Handover(service, desk, callbacks)
    monitoring = MonitoringDesk(service, backend, desk, callbacks, lead)
    intake = IntakeWatch(service, callbacks, lead, monitoring)
    tls = None
    if settings.tls_cert is not None and settings.tls_key is not None:
        tls = server_context(settings.tls_cert, settings.tls_key)
    limits = ConnectionLimits(settings.max_connections, settings.max_connections_per_address)
    server = HubServer(service, settings.listen_host, settings.listen_port, tls, limits)
    return Hub(server, service, desk, callbacks, lead, supervision, intake, monitoring, tls)


def hub_wanted(backend: Backend) -> bool:
    """The hub runs with a certificate, or on 127.0.0.1 in plain text when allowed."""
    settings = backend.settings.hub
    return settings.tls_cert is not None or settings.allow_plain
