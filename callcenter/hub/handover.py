"""Shifts on the desktops: at an agent's logout (the end of their shift) the callbacks and open
cases they hold go to the colleague they name, or back to the pool — also when their session
just ends; the colleagues they may name; and the incoming lead's hand-over summary
(db/handover.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from callcenter.hub.callbacks import CallbackDesk
from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.server import Client
from callcenter.hub.service import Denied, HubService
from callcenter.hub.sessions import HubSession
from db import handover
from db.models import Agent, Tier
from protocol.errors import ErrorCode


class Handover:
    def __init__(self, hub: HubService, desk: AgentDesk, callbacks: CallbackDesk) -> None:
        self.hub, self.desk, self.callbacks = hub, desk, callbacks
        hub.handlers.update({"colleagues": self.colleagues, "lead_handover": self.summary})
        hub.shift_end_hooks.append(self.release)

    def release(self, session: HubSession, hand_to: str | None) -> dict[str, Any]:
        """What `session`'s agent holds, to `hand_to` (a colleague sharing a topic) or the
        pool; audited, and the desktops' callback lists told."""
        to_id = None
        if hand_to:
            found = [c for c in self.hub.db(colleagues_of, session.agent_id, session.topics)
                     if c["username"] == hand_to]
            if not found:
                raise Denied(ErrorCode.INVALID, f"{hand_to} is not a colleague on your "
                                                "topics", target=hand_to)
            to_id = found[0]["id"]
        released = self.hub.db(handover.release, session.agent_id, to_id)
        self.hub.audit_as(session, "hub.handover", released.to or "pool",
                          callbacks=released.callbacks, cases=released.cases)
        if released.callbacks:
            self.callbacks.changed()
        return {"handed_over": {"callbacks": released.callbacks, "cases": released.cases,
                                "to": released.to}}

    def colleagues(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        online = self.hub.agents_online()
        rows = self.hub.db(colleagues_of, session.agent_id, session.topics)
        return {"colleagues": [{"username": c["username"], "full_name": c["full_name"],
                                "online": c["username"] in online} for c in rows]}

    def summary(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if not session.is_lead:
            raise Denied(ErrorCode.FORBIDDEN, "only team leads and admins read the hand-over")
        data = self.hub.db(handover.summary, self.desk.visible(session), session.agency_id,
                           datetime.now(UTC))
        self.hub.audit(client, "lead.handover", session.username,
                       red_cases=len(data["red_cases"]),
                       overdue_callbacks=len(data["overdue_callbacks"]),
                       referrals_due=len(data["referrals_due"]))
        return data


def colleagues_of(db: Session, agent_id: int, topics: frozenset[str]) -> list[dict[str, Any]]:
    """The active agents (not leads or admins) in a queue of the agent's own queues (their
    tiers; `topics` for an agent in none), by name: who can take over their callbacks."""
    agents = db.scalars(select(Agent).where(Agent.active, Agent.role.notin_(("lead", "admin")))
                        .options(selectinload(Agent.tiers).selectinload(Tier.topic))).all()
    queues = {a.id: {t.topic.key for t in a.tiers} for a in agents}
    mine = queues.get(agent_id) or set(topics)
    rows = [{"id": a.id, "username": a.username, "full_name": a.full_name}
            for a in agents if a.id != agent_id and queues[a.id] & mine]
    return sorted(rows, key=lambda r: r["full_name"])
