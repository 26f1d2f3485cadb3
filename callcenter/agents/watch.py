"""mod_callcenter's agents and tiers kept equal to the database's: after every (re)connect,
and whenever the database's agents or tiers change while the daemon runs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import gevent
import gevent.event
from sqlalchemy.orm import Session, sessionmaker

from callcenter.agents.sync import (
    Wanted,
    desired,
    fingerprint,
    plan,
    read_switch,
    removed,
    run,
    statuses_set,
)
from callcenter.state import LiveState
from callcenter.store.pool import Blocking
from callcenter.store.recorder import Recorder
from callcenter.switch.api import SwitchApi
from callcenter.switch.errors import SwitchError

log = logging.getLogger("callcenter.daemon")
PHONE_ONLY = "phone-only"  # the status log's reason for a status the sync set


class AgentWatch:
    def __init__(self, sessions: sessionmaker[Session], blocking: Blocking, switch: SwitchApi,
                 domain: str, state: Callable[[], LiveState], every: float,
                 synced: gevent.event.Event, recorder: Recorder | None = None) -> None:
        self.sessions, self.blocking, self.switch = sessions, blocking, switch
        self.domain, self.state, self.every, self.synced = domain, state, every, synced
        self.recorder = recorder  # told of the phone-only statuses the sync sets
        self._seen: tuple[object, ...] | None = None  # fingerprint at the last sync

    def sync(self) -> list[str]:
        """Make mod_callcenter's agents and tiers equal to the database's."""
        try:
            seen = self.blocking(self._fingerprint)  # before: a change meanwhile shows
            want_agents, want_tiers = self.blocking(self._desired)
            have_agents, have_tiers = read_switch(self.switch)
            commands = plan(want_agents, want_tiers, have_agents, have_tiers, self.domain)
            statuses = statuses_set(commands)
            for name, status, _ in statuses:  # the status log says the daemon set it
                self._requested(name, status)
            done: list[str] = []
            try:
                done = run(commands, self.switch)
            finally:  # a status the switch did not take will not come
                for name, status, reason in statuses:
                    if reason not in done:
                        self._withdraw(name, status)
        except (SwitchError, RuntimeError, ValueError) as exc:
            log.warning("agent sync: %s", exc)
            return []
        for name in removed(commands, done):  # no event says so: /metrics, leads' views
            self.state().agents.pop(name, None)
        self._seen = seen
        return done

    def _requested(self, name: str, status: str) -> None:
        if self.recorder is not None:
            self.recorder.requested(name, status, "daemon", PHONE_ONLY)

    def _withdraw(self, name: str, status: str) -> None:
        if self.recorder is not None:
            self.recorder.withdraw(name, status, "daemon", PHONE_ONLY)

    def _fingerprint(self) -> tuple[object, ...]:
        with self.sessions() as session:
            return fingerprint(session)

    def _desired(self) -> Wanted:
        with self.sessions() as session:
            return desired(session, self.domain)

    def loop(self) -> None:
        """Push agent and tier changes made in the database while we run (a few aggregates
        read every few seconds; the agents are read and the switch asked only on a change)."""
        while True:
            gevent.sleep(self.every)
            if not self.synced.is_set():
                continue  # the next connect syncs anyway
            try:
                if self.blocking(self._fingerprint) != self._seen:
                    self.sync()
            except Exception:
                log.exception("watching the agents for changes failed")
