"""Reports forwarded to the responsible agency, on the desktops: forwarding a case, the list
(what was forwarded to the agent's agency, and what their topics forwarded), the agency's steps,
and the pushes of every change to whoever may see the report (rules/referral.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.hub.sessions import HubSession
from db import referrals
from db.errors import DataError, NotFound
from db.models import AdminUnit, Agency, Agent, Case, Referral, Topic
from protocol.errors import ErrorCode
from protocol.messages import Referrals
from rules.referral import BY_AGENCY

LIST_LIMIT = 500


class ReferralDesk:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.zone = ZoneInfo(backend.settings.site.timezone)
        hub.handlers.update({"referral_forward": self.forward, "referral_list": self.list,
                             "referral_update": self.update})

    def forward(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        topic = self.hub.db(_case_topic, request.case_id)
        if topic is None or not _may_read(session, topic, None, self.desk):
            raise Denied(ErrorCode.NOT_FOUND, f"no case {request.case_id} in your topics")
        due = None
        if request.due_on:
            day = datetime.fromisoformat(request.due_on).date()
            due = datetime.combine(day, time(23, 59), self.zone).astimezone(UTC)
        try:
            row = self.hub.db(_forward, request.case_id, request.agency, session, due,
                              request.note)
        except NotFound as exc:
            raise Denied(ErrorCode.NOT_FOUND, str(exc)) from None
        except DataError as exc:
            raise Denied(ErrorCode.INVALID, str(exc)) from None
        self.changed(row)
        return {"referral": row}

    def list(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        rows = self.hub.db(referral_rows, None)
        return {"referrals": [r for r in rows if self._visible(session, r)][:LIST_LIMIT]}

    def update(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        found = self.hub.db(referral_rows, request.referral_id)
        row = found[0] if found else None
        if row is None or not self._visible(session, row):
            raise Denied(ErrorCode.NOT_FOUND, f"no report {request.referral_id} for you")
        by_agency = session.role == "admin" or session.agency_id == row["agency_id"]
        if request.state in BY_AGENCY and not by_agency:
            raise Denied(ErrorCode.FORBIDDEN, f"only {row['agency']} works on this report")
        try:
            row = self.hub.db(_advance, request.referral_id, request.state, session,
                              request.resolution)
        except DataError as exc:
            raise Denied(ErrorCode.CONFLICT, str(exc)) from None
        self.changed(row)
        return {"referral": row}

    def _visible(self, session: HubSession, row: dict[str, Any]) -> bool:
        return _may_read(session, row["topic"], row["agency_id"], self.desk)

    def changed(self, row: dict[str, Any]) -> None:
        """Everyone who may see the report gets its new row."""
        for session in {id(c.session): c.session for c in list(self.hub.clients)
                        if c.session is not None}.values():
            if self._visible(session, row):
                self.hub.push_to(session, Referrals(referrals=[row], changed_only=True))


def _may_read(session: HubSession, topic: str, agency_id: int | None,
              desk: AgentDesk) -> bool:
    """The report's agency's staff and lead, and the staff of the topic it came from."""
    visible = desk.visible(session)
    return visible is None or topic in visible or (
        agency_id is not None and agency_id == session.agency_id)


def _case_topic(db: Session, case_id: int) -> str | None:
    return db.scalar(select(Topic.key).join(Case, Case.topic_id == Topic.id)
                     .where(Case.id == case_id))


def _forward(db: Session, case_id: int, agency: str, session: HubSession,
             due: datetime | None, note: str) -> dict[str, Any]:
    row = referrals.forward(db, case_id, agency, session.agent_id, session.username,
                            datetime.now(UTC), note, due)
    return referral_rows(db, row.id)[0]


def _advance(db: Session, referral_id: int, state: str, session: HubSession,
             resolution: str) -> dict[str, Any]:
    referrals.advance(db, referral_id, state, session.agent_id, session.username,
                      datetime.now(UTC), resolution)
    return referral_rows(db, referral_id)[0]


def referral_rows(db: Session, referral_id: int | None) -> list[dict[str, Any]]:
    """Forwarded reports as the desktops show them (one, or all but the long-closed ones),
    earliest due first: the report's place, unit and severity, never the caller's phone."""
    query = (select(Referral, Case, Topic.key, Agency, AdminUnit.name)
             .join(Case, Case.id == Referral.case_id).join(Topic, Topic.id == Case.topic_id)
             .join(Agency, Agency.id == Referral.agency_id)
             .outerjoin(AdminUnit, AdminUnit.code == Case.admin_unit_code))
    if referral_id is not None:
        query = query.where(Referral.id == referral_id)
    else:
        query = query.where(Referral.state != "caller_informed").order_by(Referral.due_at) \
            .limit(LIST_LIMIT * 4)
    names = dict(db.execute(select(Agent.id, Agent.full_name)).all())
    rows = []
    for referral, case, topic, agency, unit in db.execute(query):
        form = case.form_data
        rows.append({
            "id": referral.id, "case_id": case.id, "case_code": case.code, "topic": topic,
            "agency_id": agency.id, "agency": agency.code, "agency_name": agency.name,
            "state": referral.state, "due_at": referral.due_at.isoformat(),
            "forwarded_at": referral.forwarded_at.isoformat(),
            "forwarded_by": names.get(referral.forwarded_by_id or 0),
            "place": form.get("place"), "unit": unit or form.get("admin_unit"),
            "severity": form.get("severity"),
            "description": str(form.get("description") or "")[:500],
            "note": referral.note, "resolution": referral.resolution,
            "updated_at": referral.updated_at.isoformat(),
            "updated_by": names.get(referral.updated_by_id or 0)})
    return rows
