"""Declarations arrive in another process (`callcenter web` writes them to the database): the
hub looks every `[web] watch_seconds` for one newer than the last it saw, then pushes the
callbacks changed to the desktops and reads the leads' urgent declarations again, so a red
declaration is on the nurses' lists and the leads' boards within a few seconds."""

from __future__ import annotations

import logging

import gevent

from callcenter.hub import store
from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.lead import LeadDesk
from callcenter.hub.service import HubService

log = logging.getLogger(__name__)


class IntakeWatch:
    def __init__(self, hub: HubService, callbacks: CallbackDesk, lead: LeadDesk) -> None:
        self.hub, self.callbacks, self.lead = hub, callbacks, lead
        self.last_id: int | None = None  # None: not looked yet (what is there is not news)
        self.seen = 0  # declarations noticed since the start

    def poll(self) -> int:
        """How many declarations arrived since the last look (the first look counts none)."""
        newest = self.hub.db(store.newest_declaration)
        if self.last_id is None or newest <= self.last_id:
            self.last_id = newest if self.last_id is None else max(self.last_id, newest)
            return 0
        count, self.last_id = newest - self.last_id, newest
        self.seen += count
        self.callbacks.changed()
        self.lead.read_callbacks()
        return count

    def watch_forever(self, every: float) -> None:
        while True:
            try:
                self.poll()
            except Exception:
                log.exception("hub: looking for new declarations failed")
            gevent.sleep(every)
