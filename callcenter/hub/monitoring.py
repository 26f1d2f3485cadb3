"""Home-treatment monitoring on the desktops (db/monitoring.py): a case saved on a call is a
check-in of the patient's episode, in the save's own transaction; declarations open plans; every
active plan owes its next check-in (a sweep: after a check-in callback was reached or given up,
or the daemon was down); a patient's episode with its readings, ending one, and the leads'
cohort. What changes is pushed with the callbacks and the leads' urgent list."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.lead import LeadDesk
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.state.effects import CallbackDialEnded, Effect
from db import monitoring, monitoring_views
from db.errors import DataError, NotFound
from db.models import Case, Episode, Topic
from protocol.errors import ErrorCode

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0


class MonitoringDesk:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk,
                 callbacks: CallbackDesk, lead: LeadDesk) -> None:
        self.hub, self.desk, self.callbacks, self.lead = hub, desk, callbacks, lead
        self.zone = ZoneInfo(backend.settings.site.timezone)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests fix it
        hub.handlers.update({"episode_get": self.get, "episode_close": self.close,
                             "monitoring_cohort": self.cohort})
        self._saved = False  # a case save touched a plan: the desktops are told once it is in
        desk.case_hooks.append(self.case_saved)
        desk.saved_hooks.append(self.after_save)

    # -- the plans ----------------------------------------------------------------------

    def case_saved(self, db: Session, case: Case, call_id: int | None,
                   agent_id: int | None) -> None:
        """In the case's save: a check-in, a new plan, or the end of one."""
        if monitoring.on_case_saved(db, case, call_id, agent_id, self.clock(),
                                    self.zone) is not None:
            self._saved = True

    def after_save(self) -> None:
        """The save is committed: its check-in's next call and alert reach the desktops."""
        if self._saved:
            self._saved = False
            self.changed()

    def sweep(self) -> bool:
        """Plans for the declarations not seen yet, and the next check-in of every plan that
        owes none; True when something changed (the desktops are told)."""
        touched = self.hub.db(_sweep, self.clock(), self.zone)
        if touched:
            self.changed()
        return bool(touched)

    def on_written(self, effects: Sequence[Effect]) -> None:
        """A dial's end was written: a check-in callback reached or given up owes the next."""
        if any(isinstance(e, CallbackDialEnded) for e in effects):
            gevent.spawn(self.sweep)

    def changed(self) -> None:
        self.callbacks.changed()
        self.lead.read_callbacks()

    def sweep_forever(self) -> None:
        while True:
            try:
                self.sweep()
            except Exception:
                log.exception("hub: the home-treatment sweep failed")
            gevent.sleep(SWEEP_SECONDS)

    # -- requests -----------------------------------------------------------------------

    def get(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        episode_id = request.episode_id or self.hub.db(
            monitoring_views.episode_of, request.case_id)
        view = self._view(episode_id) if episode_id else None
        if view is None:
            if request.case_id is not None and request.episode_id is None:
                return {"episode": None}  # the case has no plan
            raise Denied(ErrorCode.NOT_FOUND, f"no episode {request.episode_id}")
        self.desk._may_see(session, view["topic"])
        if session.is_lead:
            self.hub.audit(client, "episode.read", str(view["id"]))
        return {"episode": view}

    def close(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        topic = self.hub.db(_episode_topic, request.episode_id)
        if topic is None:
            raise Denied(ErrorCode.NOT_FOUND, f"no episode {request.episode_id}")
        self.desk._may_see(session, topic)
        try:
            self.hub.db(monitoring.close, request.episode_id, request.state, session.agent_id,
                        self.clock(), request.note or None)
        except NotFound as exc:
            raise Denied(ErrorCode.NOT_FOUND, str(exc)) from None
        except DataError as exc:
            raise Denied(ErrorCode.CONFLICT, str(exc)) from None
        self.hub.audit(client, "episode.close", str(request.episode_id), state=request.state)
        self.changed()
        return {"episode": self._view(request.episode_id)}

    def cohort(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if not session.is_lead:
            raise Denied(ErrorCode.FORBIDDEN, "only team leads and admins read the cohort")
        visible = self.desk.visible(session)
        data = self.hub.db(_cohort, visible, self.clock(), self.zone)
        self.hub.audit(client, "lead.cohort", session.username,
                       patients=len(data["patients"]))
        return data

    def _view(self, episode_id: int) -> dict[str, Any] | None:
        return self.hub.db(monitoring_views.episode_view, episode_id, self.clock(), self.zone)


def _sweep(db: Session, now: datetime, zone: ZoneInfo) -> list[int]:
    return monitoring.open_from_declarations(db, now, zone) + monitoring.owe_all(db, now, zone)


def _episode_topic(db: Session, episode_id: int) -> str | None:
    return db.scalar(select(Topic.key).join(Episode, Episode.topic_id == Topic.id)
                     .where(Episode.id == episode_id))


def _cohort(db: Session, visible: frozenset[str] | None, now: datetime,
            zone: ZoneInfo) -> dict[str, Any]:
    topic_ids = None if visible is None else list(db.scalars(
        select(Topic.id).where(Topic.key.in_(sorted(visible)))))
    return monitoring_views.cohort(db, topic_ids, now, zone)
