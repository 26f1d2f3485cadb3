"""Declarations and patients' own check-ins arrive in another process (`callcenter web` writes
them to the database): the hub looks every `[web] watch_seconds` for one newer than the last it
saw, then opens the declarations' home-treatment plans, pushes the callbacks changed to the
desktops and reads the leads' urgent list again, so a red declaration or check-in is on the
nurses' lists and the leads' boards within a few seconds."""

from __future__ import annotations

import logging

import gevent

from callcenter.hub import store
from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.lead import LeadDesk
from callcenter.hub.monitoring import MonitoringDesk
from callcenter.hub.service import HubService

log = logging.getLogger(__name__)


class IntakeWatch:
    def __init__(self, hub: HubService, callbacks: CallbackDesk, lead: LeadDesk,
                 monitoring: MonitoringDesk) -> None:
        self.hub, self.callbacks, self.lead, self.monitoring = hub, callbacks, lead, monitoring
        # the newest declaration and check-in seen; None: not looked yet (what is there
        # is not news)
        self.last: tuple[int, int] | None = None
        self.seen = 0  # declarations noticed since the start

    def poll(self) -> int:
        """How many declarations arrived since the last look (the first look counts none);
        a check-in is news too."""
        newest = self.hub.db(store.newest_intake)
        last, self.last = self.last, newest if self.last is None else (
            max(self.last[0], newest[0]), max(self.last[1], newest[1]))
        if last is None or self.last == last:
            return 0
        count = self.last[0] - last[0]
        self.seen += count
        if not self.monitoring.sweep():  # it told the desktops if it changed anything
            self.monitoring.changed()
        return count

    def watch_forever(self, every: float) -> None:
        while True:
            try:
                self.poll()
            except Exception:
                log.exception("hub: looking for new declarations failed")
            gevent.sleep(every)
