"""What the IVR reads and writes in the database: the menu (topics with a key), the caller's
history, and their choice on the call row. Each call runs in the thread pool."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import IvrSettings
from callcenter.ivr.flow import Menu, MenuTopic
from callcenter.store.lookup import HistoryItem, caller_history
from callcenter.store.pool import Blocking
from db.engine import transaction
from db.models import Call, Topic

log = logging.getLogger(__name__)


class IvrStore:
    def __init__(self, sessions: sessionmaker[Session], blocking: Blocking, settings: IvrSettings,
                 flush: Callable[[], None]) -> None:
        self.sessions, self.blocking, self.settings = sessions, blocking, settings
        self.flush = flush  # the call's row may still be in the recorder's pending batch

    def menu(self) -> Menu:
        return self.blocking(self._read_menu)

    def _read_menu(self) -> Menu:
        with self.sessions() as session:
            topics = session.scalars(select(Topic).where(Topic.active,
                                                         Topic.menu_key.is_not(None)))
            items = tuple(MenuTopic(t.id, t.key, t.menu_key or "", t.queue, t.rules,
                                    bool((t.queue_options or {}).get("announce_position")))
                          for t in topics)
        ivr = self.settings
        return Menu(items, ivr.default_topic, ivr.max_tries, ivr.digit_timeout_ms)

    def lookup(self, phone: str) -> list[HistoryItem]:
        return self.blocking(self._read_history, phone)

    def _read_history(self, phone: str) -> list[HistoryItem]:
        with self.sessions() as session:
            return caller_history(session, phone)

    def chose(self, uuid: str, key: str | None, topic: MenuTopic) -> int | None:
        """Record the caller's choice on the live call's row; returns the row's id, or None
        when there is no such row (see _write_choice)."""
        self.flush()
        return self.blocking(self._write_choice, uuid, key, topic)

    def _write_choice(self, uuid: str, key: str | None, topic: MenuTopic) -> int | None:
        """Only the row of a call still in its menu, and only once: not ended, not queued,
        no topic yet, and no key but this one (the recorder may have written the key the
        switch reported for this very menu, hotline_key on its EXECUTE_COMPLETE, first)."""
        with transaction(self.sessions) as session:
            call = session.scalar(select(Call).where(
                Call.uuid == uuid, Call.ended_at.is_(None), Call.queued_at.is_(None),
                Call.topic_id.is_(None),
                or_(Call.menu_choice.is_(None), Call.menu_choice == key)).with_for_update())
            if call is None:
                log.warning("call %s: no open call row in its menu, the choice is not recorded",
                            uuid)
                return None
            call.menu_choice, call.topic_id = key, topic.id
            return call.id
