"""After-call work: between the end of a call and the saved case, the agent takes no call.

A desktop agent is `Available (On Demand)` on the switch, so mod_callcenter itself leaves them
`Idle` after each call; the daemon sets them back to `Waiting` when the case is saved, when the
agent says they are done, or when the topic's limit (`acw_seconds`) passes. At the limit the
latest draft the desktop sent is saved as a `follow_up` case (fields that do not validate yet
are left out, the notes say why); with no draft, the caller gets a follow-up callback. Either
way nothing the nurse typed and no caller is lost."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import gevent
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.hub.messages import CallEnded
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, HubService
from db.cases import CaseFields, create_case
from db.forms import form_errors
from db.models import Call, Callback, Case, Topic
from db.phone import normalise_phone

if TYPE_CHECKING:
    from callcenter.hub.desk import AgentDesk

log = logging.getLogger(__name__)
AUTO_NOTE = "[Lưu tự động khi hết thời gian xử lý sau cuộc gọi]"


@dataclass
class Wrap:
    call_uuid: str
    until: float  # epoch seconds
    timer: gevent.Greenlet


class AfterCallWork:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.active: dict[str, Wrap] = {}  # username → the call being wrapped up
        self.drafts: dict[str, Any] = {}  # username → the last CaseDraft sent

    def until(self, username: str) -> str | None:
        wrap = self.active.get(username)
        return datetime.fromtimestamp(wrap.until, UTC).isoformat() if wrap else None

    def seconds_in(self, username: str) -> float | None:
        """How long this agent has been in after-call work (for the lead)."""
        wrap = self.active.get(username)
        pop = self.desk.pops.get(username)
        if wrap is None or pop is None:
            return None
        return max(0.0, time.time() - (wrap.until - float(pop.topic.get("acw_seconds", 0))))

    def start(self, username: str, call_uuid: str) -> None:
        pop = self.desk.pops.get(username)
        seconds = float(pop.topic.get("acw_seconds", 120)) if pop else 120.0
        self.finish(username, "next call", ready=False)
        timer = gevent.spawn_later(seconds, self._expired, username, call_uuid)
        self.active[username] = Wrap(call_uuid, time.time() + seconds, timer)
        self.hub.push_agent(username, CallEnded(call_uuid=call_uuid,
                                                acw_until=self.until(username)))

    def draft(self, client: Client, request: Any) -> dict[str, Any]:
        assert client.session is not None
        self.desk._may_see(client.session, request.topic)
        self.drafts[client.session.username] = request
        return {}

    def saved(self, username: str, call_uuid: str | None) -> None:
        wrap = self.active.get(username)
        if wrap is not None and call_uuid in (None, wrap.call_uuid):
            self.finish(username, "case saved")

    def finish(self, username: str, why: str, ready: bool = True) -> None:
        wrap = self.active.pop(username, None)
        if wrap is None:
            return
        wrap.timer.kill(block=False)
        self.drafts.pop(username, None)
        log.info("hub: %s: after-call work over (%s)", username, why)
        if ready:
            self._ready(username)

    def _ready(self, username: str) -> None:
        """Back into the distribution, if mod_callcenter is holding the agent Idle."""
        name = self.desk.agent_name(username)
        agent = self.backend.state.agents.get(name)
        if agent is not None and agent.state == "Idle":
            reply = self.backend.api(f"callcenter_config agent set state {name} Waiting")
            if not reply.startswith("+OK"):
                log.warning("hub: %s could not be set Waiting: %s", name, reply.strip())
        self.desk.status_changed(username)

    def _expired(self, username: str, call_uuid: str) -> None:
        draft = self.drafts.get(username)
        identity = self.hub.sessions.of_agent(username)
        agent_id = identity[0].agent_id if identity else None
        try:
            if draft is not None and draft.call_uuid == call_uuid:
                code = self.hub.db(save_draft_as_follow_up, draft, agent_id)
                log.info("hub: %s: after-call work ran out; draft saved as %s", username, code)
            else:
                self.hub.db(follow_up_callback, call_uuid)
                log.info("hub: %s: after-call work ran out with no draft; callback owed",
                         username)
        except Exception:
            log.exception("hub: saving %s's draft at the end of after-call work failed",
                          username)
        self.active.pop(username, None)
        self.drafts.pop(username, None)
        self._ready(username)


def save_draft_as_follow_up(session: Session, draft: Any, agent_id: int | None) -> str:
    """The draft as a follow_up case, keeping every field that validates."""
    topic = session.scalar(select(Topic).where(Topic.key == draft.topic))
    if topic is None:
        raise LookupError(f"no topic {draft.topic}")
    form = dict(draft.form)
    codes = [o["code"] for o in topic.outcomes]
    if "outcome" not in form and codes:
        form["outcome"] = "follow_up" if "follow_up" in codes else codes[0]
    bad = {path.split(".")[0] for path, _ in form_errors(topic.form_schema, form)}
    form = {k: v for k, v in form.items() if k not in bad}
    notes = "\n".join(filter(None, [draft.notes, AUTO_NOTE]))
    existing = session.scalar(select(Case).where(Case.draft_id == draft.draft_id))
    if existing is not None:
        return existing.code
    case = create_case(session, topic, CaseFields(
        form=form, status="follow_up", caller_phone=draft.caller_phone, notes=notes,
        assignee_id=agent_id), agent_id)
    case.draft_id = draft.draft_id
    call = session.scalar(select(Call).where(Call.uuid == draft.call_uuid))
    if call is not None and call.case_id is None:
        call.case_id = case.id
    return case.code


def follow_up_callback(session: Session, call_uuid: str) -> None:
    call = session.scalar(select(Call).where(Call.uuid == call_uuid))
    if call is None or call.topic_id is None:
        return
    phone = normalise_phone(call.caller_number)
    if session.scalar(select(Callback.id).where(Callback.phone == phone,
                                                Callback.topic_id == call.topic_id,
                                                Callback.state == "open")) is not None:
        return
    session.add(Callback(phone=phone, topic_id=call.topic_id, reason="follow_up",
                         call_id=call.id, note=AUTO_NOTE))
