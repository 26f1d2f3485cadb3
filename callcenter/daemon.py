"""`callcenter run`: the composition root. It wires the switch link, the live state, the
recorder, the agent sync and the IVR server; each part is passed what it needs."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import gevent
import gevent.event
import gevent.lock
import gevent.pywsgi
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter import http
from callcenter.agents.sync import (
    Wanted,
    desired,
    fingerprint,
    plan,
    quoted,
    read_switch,
    removed,
    run,
)
from callcenter.cdr.importer import CdrImporter
from callcenter.config import ConfigError, Settings
from callcenter.http import Metrics
from callcenter.hub.plugin import Hub, build_hub, hub_wanted
from callcenter.ivr.announce import outlook
from callcenter.ivr.flow import Ivr, Menu, MenuTopic
from callcenter.state import LiveState, apply, resync
from callcenter.state.effects import Effect
from callcenter.store.lookup import HistoryItem, caller_history
from callcenter.store.recorder import Recorder
from callcenter.switch.errors import SwitchError
from callcenter.switch.event import Event
from callcenter.switch.link import BackgroundJob, Backoff, SwitchLink
from callcenter.switch.outbound import OutboundServer
from db.callbacks import RetryPolicy
from db.engine import make_engine, make_sessionmaker, transaction
from db.models import Call, Topic

T = TypeVar("T")

log = logging.getLogger(__name__)
FLUSH_EVERY = 0.05  # seconds: effects are written in batches


class Daemon:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session] | None = None) -> None:
        if settings.switch.password is None:
            raise ConfigError("set [switch] password (or CALLCENTER_SWITCH__PASSWORD)")
        self.settings = settings
        self.sessions = sessions or make_sessionmaker(make_engine(settings.database_url()))
        self.state = LiveState()
        self.synced = gevent.event.Event()  # set once resync and agent sync ran after a connect
        self.recorder = Recorder(self.sessions, RetryPolicy(
            timedelta(minutes=settings.callbacks.retry_minutes), settings.callbacks.max_attempts))
        self.pending: list[Effect] = []
        self._writing = gevent.lock.Semaphore()
        url = self.sessions.kw["bind"].url  # an in-memory SQLite lives in one thread only
        self._db_in_thread = url.database not in (None, "", ":memory:")
        self.subscribers: list[Callable[[Effect], None]] = []  # the desktop hub plugs in here
        self.written: list[Callable[[list[Effect]], None]] = []  # told after a batch commits
        switch = settings.switch
        self.link = SwitchLink(switch.host, switch.port, switch.password.get_secret_value(),
                               connect_timeout=switch.connect_timeout,
                               command_timeout=switch.command_timeout,
                               backoff=Backoff(cap=switch.reconnect_max_delay))
        self.link.register_handle("*", self.on_event)
        self.link.on_connected(lambda: gevent.spawn(self.on_connected))
        self._buffer: list[Event] | None = None  # events that arrive while resyncing
        ivr = Ivr(menu=self.menu, lookup=self.lookup, chose=self.chose,
                  outlook=lambda queue: outlook(self.state.queues.get(queue)))
        self.ivr = OutboundServer(settings.ivr.listen_host, settings.ivr.listen_port, ivr,
                                  command_timeout=switch.command_timeout)
        self._greenlets: list[gevent.Greenlet] = []
        self._agents_seen: tuple[object, ...] | None = None  # fingerprint at the last sync
        self.metrics = Metrics(self)
        self.cdrs = CdrImporter(settings.cdr, self._read, self._write_imported,
                                lambda: self.state.calls, self.blocking)
        self.http: gevent.pywsgi.WSGIServer | None = None
        self.hub: Hub | None = None
        if hub_wanted(self):
            if settings.hub.tls_cert is not None and settings.hub.tls_key is None:
                raise ConfigError("[hub] tls_cert is set but tls_key is not")
            self.hub = build_hub(self)
            self.subscribers += [self.hub.desk.on_effect, self.hub.callbacks.on_effect]
            self.written.append(self.hub.callbacks.on_written)

    # -- life cycle --------------------------------------------------------------------

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
        self._greenlets += [gevent.spawn(self._flush_loop), gevent.spawn(self._watch_agents)]
        self._greenlets.append(gevent.spawn(self._import_cdrs))
        log.info("daemon: IVR on %s:%s, switch at %s:%s", *self.ivr.address,
                 self.settings.switch.host, self.settings.switch.port)

    def stop(self) -> None:
        if self.http is not None:
            self.http.stop(timeout=1)
        self.ivr.stop()
        if self.hub is not None:
            self.hub.stop()
        self.link.stop()
        gevent.killall(self._greenlets)
        self.flush()

    # -- events → state → effects ------------------------------------------------------

    def on_event(self, event: Event) -> None:
        if self._buffer is not None:
            self._buffer.append(event)
            return
        effects = apply(self.state, event)
        self.metrics.applied(event.timestamp_us, effects)
        if effects:
            self.pending.extend(effects)
            for subscriber in self.subscribers:
                for effect in effects:
                    subscriber(effect)

    def flush(self) -> None:
        """Write the pending effects. The database driver blocks, so the write runs in
        gevent's thread pool and events keep flowing meanwhile; one batch at a time."""
        with self._writing:
            if not self.pending:
                return
            batch, self.pending = self.pending, []
            try:
                self.blocking(self.recorder.write, batch)
            except Exception:
                self.pending[:0] = batch  # written again next time (the writes are idempotent)
                raise
        for listener in self.written:
            listener(batch)

    def _flush_loop(self) -> None:
        while True:
            gevent.sleep(FLUSH_EVERY)
            try:
                self.flush()
            except Exception:
                log.exception("writing a batch of effects failed")

    # -- the calls FreeSWITCH's CDRs know and we do not ---------------------------------

    def _import_cdrs(self) -> None:
        while True:
            try:
                self.cdrs.run()
            except Exception:  # the files stay: read again next time
                log.exception("cdr: importing failed")
            gevent.sleep(self.settings.cdr.import_seconds)

    def _read(self, fn: Callable[..., T], *args: object) -> T:
        """fn(session, *args), in the thread pool."""
        def read() -> T:
            with self.sessions() as session:
                return fn(session, *args)
        return self.blocking(read)

    def _write_imported(self, effects: list[Effect]) -> None:
        """Written as live effects are (raises if the batch could not be written; it stays
        pending and is written again)."""
        self.pending.extend(effects)
        self.flush()

    # -- after every (re)connect -------------------------------------------------------

    def on_connected(self) -> None:
        self.synced.clear()
        self.resync()
        self.sync_agents()
        if self.hub is not None:
            self.hub.desk.acw.repair()  # agents held Idle with nobody to release them
        self.synced.set()

    def resync(self) -> list[str]:
        """Rebuild the live state from the switch; events meanwhile are applied after."""
        self._buffer = []
        try:
            snapshot = resync.read(self.link.api)
            result = resync.rebuild(self.state, snapshot, int(time.time() * 1_000_000))
            self.state = result.state
            self.pending.extend(result.effects)
            self.flush()
            up = {row["uuid"] for row in snapshot.channels}
            closed = self.blocking(self.recorder.close_missing, up, datetime.now(UTC))
            differences = result.differences + [
                f"call {uuid}: ended while the daemon was away (row closed)" for uuid in closed]
            for repair in result.repairs:
                try:  # one refused repair must not stop the others
                    reply = self.link.api(f"callcenter_config {repair}").strip()
                except SwitchError as exc:
                    reply = f"-ERR {exc}"
                if reply.startswith("-ERR"):
                    log.warning("resync: %s refused: %s", repair, reply)
            for line in differences:
                log.info("resync: %s", line)
            return differences
        except (SwitchError, ValueError) as exc:
            log.warning("resync failed: %s", exc)
            return []
        except Exception:  # a bug here must not stop the events buffered meanwhile
            log.exception("resync failed")
            return []
        finally:
            buffered, self._buffer = self._buffer or [], None
            for event in buffered:
                self.on_event(event)

    # -- agents ------------------------------------------------------------------------

    def sync_agents(self) -> list[str]:
        """Make mod_callcenter's agents and tiers equal to the database's."""
        try:
            seen = self.blocking(self._read_fingerprint)  # before: a change meanwhile shows
            wanted = self.blocking(self._read_wanted_agents)
            have = read_switch(self.link.api)
            commands = plan(*wanted, *have, self.settings.site.domain)
            done = run(commands, self.link.api)
        except (SwitchError, RuntimeError, ValueError) as exc:
            log.warning("agent sync: %s", exc)
            return []
        for name in removed(commands, done):  # no event says so: /metrics, leads' views
            self.state.agents.pop(name, None)
        self._agents_seen = seen
        return done

    def _read_wanted_agents(self) -> Wanted:
        with self.sessions() as session:
            return desired(session, self.settings.site.domain)

    def _read_fingerprint(self) -> tuple[object, ...]:
        with self.sessions() as session:
            return fingerprint(session)

    def _watch_agents(self) -> None:
        """Push agent and tier changes made in the database while we run (a few aggregates
        read every few seconds; the agents are read and the switch asked only on a change)."""
        while True:
            gevent.sleep(self.settings.switch.agent_sync_seconds)
            if not self.synced.is_set():
                continue  # the next connect syncs anyway
            try:
                if self.blocking(self._read_fingerprint) != self._agents_seen:
                    self.sync_agents()
            except Exception:
                log.exception("watching the agents for changes failed")

    def set_agent_status(self, username: str, status: str, source: str = "desktop",
                         reason: str | None = None) -> str:
        """Ask mod_callcenter for a status; the change is logged (with who asked) when its
        event comes. A request that fails, or asks for the status the agent has, is not kept:
        a later change by the switch itself must not be credited to this asker."""
        name = f"{username}@{self.settings.site.domain}"
        current = self.state.agents.get(name)
        if current is not None and current.status == status:
            return "+OK\n"
        self.recorder.requested(name, status, source, reason)
        try:
            reply = self.link.api(f"callcenter_config agent set status {name} {quoted(status)}")
        except SwitchError:
            self.recorder.withdraw(name, status, source, reason)
            raise
        if not reply.startswith("+OK"):
            self.recorder.withdraw(name, status, source, reason)
        return reply

    def api(self, command: str) -> str:
        return self.link.api(command)

    def bgapi(self, command: str) -> BackgroundJob:
        return self.link.bgapi(command)

    # -- what the IVR needs ------------------------------------------------------------

    def blocking(self, fn: Callable[..., T], *args: object) -> T:
        """Run a database call in gevent's thread pool (the driver blocks the hub)."""
        if not self._db_in_thread:
            return fn(*args)
        return gevent.get_hub().threadpool.apply(fn, args)

    def menu(self) -> Menu:
        return self.blocking(self._read_menu)

    def _read_menu(self) -> Menu:
        with self.sessions() as session:
            topics = session.scalars(select(Topic).where(Topic.active,
                                                         Topic.menu_key.is_not(None)))
            items = tuple(MenuTopic(t.id, t.key, t.menu_key or "", t.queue, t.rules,
                                    bool((t.queue_options or {}).get("announce_position")))
                          for t in topics)
        ivr = self.settings.ivr
        return Menu(items, ivr.default_topic, ivr.max_tries, ivr.digit_timeout_ms)

    def lookup(self, phone: str) -> list[HistoryItem]:
        return self.blocking(self._read_history, phone)

    def _read_history(self, phone: str) -> list[HistoryItem]:
        with self.sessions() as session:
            return caller_history(session, phone)

    def chose(self, uuid: str, key: str | None, topic: MenuTopic) -> int | None:
        """Record the caller's choice on the call row; returns the row's id."""
        self.flush()  # the row may be in the pending batch
        return self.blocking(self._write_choice, uuid, key, topic)

    def _write_choice(self, uuid: str, key: str | None, topic: MenuTopic) -> int | None:
        with transaction(self.sessions) as session:
            call = session.scalar(select(Call).where(Call.uuid == uuid))
            if call is None:
                return None
            call.menu_choice, call.topic_id = key, topic.id
            return call.id


def freeze_startup_objects(daemon: Daemon) -> None:
    """Once the daemon has synced: what start-up made (modules, settings, the ORM's mappers,
    the first sync's data) lives for the whole run, so it is moved out of the garbage
    collector's sight and full collections stop pausing the events 100-200 ms each (measured
    by scripts/bench_daemon and scripts/bench_hub). `callcenter run` does it; so do the
    benchmarks, to measure what runs in production."""
    daemon.synced.wait()
    gc.collect()
    gc.freeze()
