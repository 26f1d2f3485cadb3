"""What the IVR reads and writes in the database: the menu (topics with a key), the caller's
history, and their choice on the call row. Each call runs in the thread pool."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import IvrSettings
from callcenter.ivr.flow import Menu, MenuTopic
from callcenter.store.lookup import HistoryItem, caller_history
from callcenter.store.pool import Blocking
from db.engine import transaction
from db.models import Call, Topic


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
        """Record the caller's choice on the call row; returns the row's id."""
        self.flush()
        return self.blocking(self._write_choice, uuid, key, topic)

    def _write_choice(self, uuid: str, key: str | None, topic: MenuTopic) -> int | None:
        with transaction(self.sessions) as session:
            call = session.scalar(select(Call).where(Call.uuid == uuid))
            if call is None:
                return None
            call.menu_choice, call.topic_id = key, topic.id
            return call.id
