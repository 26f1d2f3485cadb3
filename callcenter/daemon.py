"""`callcenter run`: the composition root. It only wires: the switch link and its typed API,
the live-state tracker and the recorder, the agents' sync and statuses, the IVR server, the
CDR import, the desktop hub and /metrics; each part is passed what it needs."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import gevent
import gevent.event
import gevent.pywsgi
from sqlalchemy.orm import Session, sessionmaker

from callcenter import http
from callcenter.agents.status import AgentStatuses
from callcenter.agents.watch import AgentWatch
from callcenter.cdr.importer import CdrImporter
from callcenter.config import ConfigError, Settings
from callcenter.http import Metrics
from callcenter.hub.plugin import Hub, build_hub, hub_wanted
from callcenter.ivr.guard import IvrMetrics
from callcenter.ivr.server import ivr_server
from callcenter.ivr.store import IvrStore
from callcenter.reports.shifts import write_forever
from callcenter.state import LiveState
from callcenter.store.pool import Blocking, reader
from callcenter.store.recorder import Recorder
from callcenter.switch.api import SwitchApi
from callcenter.switch.link import SwitchLink
from callcenter.tracker import Tracker
from db.callbacks import RetryPolicy
from db.engine import make_engine, make_sessionmaker, transaction
from rules.retry import Backoff

log = logging.getLogger(__name__)
T = TypeVar("T")


class Daemon:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session] | None = None) -> None:
        password = settings.switch.password
        if password is None:
            raise ConfigError("set [switch] password (or CALLCENTER_SWITCH__PASSWORD)")
        self.settings = settings
        self.sessions = sessions or make_sessionmaker(make_engine(settings.database_url()))
        self.blocking = Blocking(self.sessions)
        self.synced = gevent.event.Event()  # set once resync and agent sync ran after a connect
        self.recorder = Recorder(self.sessions, RetryPolicy(
            timedelta(minutes=settings.callbacks.retry_minutes), settings.callbacks.max_attempts))
        self.tracker = Tracker(self.recorder, self.blocking,
                               lambda us, effects: self.metrics.applied(us, effects))
        switch = settings.switch
        self.link = SwitchLink(switch.host, switch.port, password.get_secret_value(),
                               connect_timeout=switch.connect_timeout,
                               command_timeout=switch.command_timeout,
                               backoff=Backoff(cap=switch.reconnect_max_delay))
        self.link.register_handle("*", self.tracker.on_event)
        self.link.on_connected(self._connected)
        self.switch = SwitchApi(self.link.api, self.link.bgapi)
        self.statuses = AgentStatuses(self.switch, self.recorder, lambda: self.state,
                                      settings.site.domain)
        self.agents = AgentWatch(self.sessions, self.blocking, self.switch, settings.site.domain,
                                 lambda: self.state, switch.agent_sync_seconds, self.synced,
                                 self.recorder)
        self.ivr_store = IvrStore(self.sessions, self.blocking, settings.ivr, self.flush)
        self.ivr, self.ivr_guard = ivr_server(settings, self.ivr_store, lambda: self.state)
        self.tracker.subscribers.append(self.ivr_guard.on_effect)
        self.metrics = Metrics(self)
        self.metrics.registry.register(IvrMetrics(self.ivr))
        self.cdrs = CdrImporter(settings.cdr, reader(self.sessions, self.blocking),
                                self.tracker.add, lambda: self.state.calls, self.blocking)
        self._greenlets: list[gevent.Greenlet] = []
        self.http: gevent.pywsgi.WSGIServer | None = None
        self.hub: Hub | None = None
        if hub_wanted(self):
            if settings.hub.tls_cert is not None and settings.hub.tls_key is None:
                raise ConfigError("[hub] tls_cert is set but tls_key is not")
            self.hub = build_hub(self)
            self.tracker.subscribers.append(self.hub.on_effect)
            self.tracker.written.append(self.hub.on_written)

    @property
    def state(self) -> LiveState:
        return self.tracker.state

    def flush(self) -> None:
        self.tracker.flush()

    def start(self) -> None:
        self.http = http.serve(self, self.settings.http.listen_host,
                               self.settings.http.listen_port)
        self.ivr.listen()
        if self.hub is not None:
            self.hub.start()
            log.info("daemon: desktop hub on %s:%s", *self.hub.server.address)
        else:
            log.warning("daemon: desktop hub off (no [hub] tls_cert; `callcenter tls init` "
                        "makes one)")
        self.link.start()
        self._greenlets += [gevent.spawn(self.tracker.flush_loop),
                            gevent.spawn(self.agents.loop), gevent.spawn(self.cdrs.loop)]
        reports = self.settings.reports
        if reports.folder is not None:  # the daily report at each shift's end
            self._greenlets.append(gevent.spawn(
                write_forever, self._in_transaction, reports.folder, reports.shift_ends,
                ZoneInfo(self.settings.site.timezone)))
        log.info("daemon: IVR on %s:%s, switch at %s:%s", *self.ivr.address,
                 self.settings.switch.host, self.settings.switch.port)

    def _in_transaction(self, fn: Callable[..., T], *args: object) -> T:
        """fn(session, *args) in the thread pool, committed."""
        def run() -> T:
            with transaction(self.sessions) as session:
                return fn(session, *args)
        return self.blocking(run)

    def stop(self) -> None:
        if self.http is not None:
            self.http.stop(timeout=1)
        self.ivr.stop()
        if self.hub is not None:
            self.hub.stop()
        self.link.stop()
        gevent.killall(self._greenlets)
        self.flush()

    def _connected(self) -> None:
        gevent.spawn(self.on_connected)

    def on_connected(self) -> None:
        """After every (re)connect: the state rebuilt, the agents synced, and the agents held
        Idle with nobody left to release them released."""
        self.synced.clear()
        self.tracker.resync(self.switch)
        self.ivr_guard.wake()  # calls the IVR's sessions may be waiting for
        self.agents.sync()
        if self.hub is not None:
            self.hub.desk.acw.repair()
        self.synced.set()

    # -- what the hub asks of the daemon (hub.service.Backend) -------------------------

    def set_agent_status(self, username: str, status: str, source: str = "desktop",
                         reason: str | None = None) -> str:
        return self.statuses.set(username, status, source, reason)


def freeze_startup_objects(daemon: Daemon) -> None:
    """Once the daemon has synced: what start-up made (modules, settings, the ORM's mappers,
    the first sync's data) lives for the whole run, so it is moved out of the garbage
    collector's sight and full collections stop pausing the events 100-200 ms each (measured
    by scripts/bench_daemon and scripts/bench_hub). `callcenter run` does it; so do the
    benchmarks, to measure what runs in production."""
    daemon.synced.wait()
    gc.collect()
    gc.freeze()
