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
from callcenter.hub.store import attach_case, draft_key
from callcenter.switch.errors import SwitchError
from db.cases import CaseFields, create_case, update_case
from db.forms import form_errors
from db.models import Call, Callback, Case, Topic
from db.phone import normalise_phone

if TYPE_CHECKING:
    from callcenter.hub.desk import AgentDesk

log = logging.getLogger(__name__)
AUTO_NOTE = "[Lưu tự động khi hết thời gian xử lý sau cuộc gọi]"
DEFAULT_SECONDS = 120.0  # a call whose topic is not known
MAX_DRAFTS = 5000


@dataclass
class Wrap:
    call_uuid: str
    started: float  # epoch seconds
    until: float
    timer: gevent.Greenlet


class AfterCallWork:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.active: dict[str, Wrap] = {}  # username → the call being wrapped up
        # (username, call uuid) → the last CaseDraft, and the agent id it came from
        self.drafts: dict[tuple[str, str], tuple[Any, int]] = {}
        self.unready: set[str] = set()  # could not be set Waiting (link down): retried

    def until(self, username: str) -> str | None:
        wrap = self.active.get(username)
        return datetime.fromtimestamp(wrap.until, UTC).isoformat() if wrap else None

    def seconds_in(self, username: str) -> float | None:
        """How long this agent has been in after-call work (for the lead)."""
        wrap = self.active.get(username)
        return None if wrap is None else max(0.0, time.time() - wrap.started)

    def start(self, username: str, call_uuid: str) -> None:
        self.finish(username, "next call", ready=False)
        call = self.backend.state.calls.get(call_uuid)  # gone if the caller hung up first
        pop = self.desk.pops.get(username)
        topic = self.desk.topic_of_queue(call.queue) if call else \
            (pop.topic if pop is not None and pop.call.uuid == call_uuid else None)
        seconds = float(topic.get("acw_seconds", DEFAULT_SECONDS) if topic else DEFAULT_SECONDS)
        timer = gevent.spawn_later(seconds, self._expired, username, call_uuid)
        now = time.time()
        self.active[username] = Wrap(call_uuid, now, now + seconds, timer)
        if self.hub.sessions.of_agent(username):
            self.hub.push_agent(username, CallEnded(call_uuid=call_uuid,
                                                    acw_until=self.until(username)))

    def draft(self, client: Client, request: Any) -> dict[str, Any]:
        assert client.session is not None
        self.desk._may_see(client.session, request.topic)
        if request.call_uuid:
            key = (client.session.username, request.call_uuid)
            self.drafts[key] = (request, client.session.agent_id)
            if len(self.drafts) > MAX_DRAFTS:  # the oldest go (their desktops keep them)
                del self.drafts[next(iter(self.drafts))]
        return {}

    def saved(self, username: str, call_uuid: str | None) -> None:
        wrap = self.active.get(username)
        if call_uuid is not None:
            self.drafts.pop((username, call_uuid), None)
        if wrap is not None and call_uuid == wrap.call_uuid:
            self.finish(username, "case saved")

    def finish(self, username: str, why: str, ready: bool = True) -> bool:
        """End the agent's after-call work; False if there was none."""
        wrap = self.active.pop(username, None)
        if wrap is None:
            return False
        wrap.timer.kill(block=False)
        self.drafts.pop((username, wrap.call_uuid), None)
        pop = self.desk.pops.get(username)
        if pop is not None and pop.call.uuid == wrap.call_uuid:
            del self.desk.pops[username]
        log.info("hub: %s: after-call work over (%s)", username, why)
        if ready:
            self.ready(username)
        return True

    def ready(self, username: str) -> None:
        """Back into the distribution, if mod_callcenter is holding the agent Idle."""
        name = self.desk.agent_name(username)
        agent = self.backend.state.agents.get(name)
        if agent is not None and agent.state == "Idle":
            reply = self.set_state(username, "Waiting")
            if not reply.startswith("+OK"):
                log.warning("hub: %s could not be set Waiting (%s); retried on reconnect",
                            name, reply.strip())
                self.unready.add(username)
                return
        self.unready.discard(username)
        if self.hub.sessions.of_agent(username):
            self.desk.status_changed(username)

    def set_state(self, username: str, state: str) -> str:
        """The agent's mod_callcenter state; the switch's reply (-ERR … if it did not
        answer)."""
        name = self.desk.agent_name(username)
        try:
            return self.backend.api(f"callcenter_config agent set state {name} {state}")
        except SwitchError as exc:
            return f"-ERR {exc}"

    def repair(self) -> None:
        """After a (re)connect: agents held Idle with no after-call work running (the daemon
        restarted, or the link was down when they were done) go back to Waiting."""
        for name, agent in list(self.backend.state.agents.items()):
            username = self.desk.username(name)
            if username is not None and agent.state == "Idle" and agent.call is None and \
                    username not in self.active:
                self.ready(username)

    def _expired(self, username: str, call_uuid: str) -> None:
        kept = self.drafts.get((username, call_uuid))
        try:
            if kept is not None:
                code = self.hub.db(save_draft_as_follow_up, *kept)
                log.info("hub: %s: after-call work ran out; draft saved as %s", username, code)
            else:
                self.hub.db(follow_up_callback, call_uuid)
                log.info("hub: %s: after-call work ran out with no draft; callback owed",
                         username)
        except Exception:
            log.exception("hub: saving %s's draft at the end of after-call work failed",
                          username)
        wrap = self.active.get(username)
        if wrap is not None and wrap.call_uuid == call_uuid:
            self.finish(username, "time is up")


def save_draft_as_follow_up(session: Session, draft: Any, agent_id: int) -> str:
    """The draft as a follow_up case (or the open case it was editing), keeping every field
    that validates."""
    topic = session.scalar(select(Topic).where(Topic.key == draft.topic))
    if topic is None:
        raise LookupError(f"no topic {draft.topic}")
    form = dict(draft.form)
    codes = [o["code"] for o in topic.outcomes]
    if "outcome" not in form and codes:
        form["outcome"] = "follow_up" if "follow_up" in codes else codes[0]
    bad = {path.split(".")[0] for path, _ in form_errors(topic.form_schema, form)}
    form = {k: v for k, v in form.items() if k not in bad}
    fields = CaseFields(form=form, status="follow_up", caller_phone=draft.caller_phone,
                        notes="\n".join(filter(None, [draft.notes, AUTO_NOTE])),
                        assignee_id=agent_id)
    key = draft_key(agent_id, draft.draft_id)
    existing = session.scalar(select(Case).where(Case.draft_id == key))
    if existing is not None:  # the nurse's own save got there first
        return existing.code
    if draft.case_id is not None:
        current = session.get(Case, draft.case_id)
        if current is not None and current.topic_id == topic.id:
            return update_case(session, current.code, current.version, fields, agent_id).code
    case = create_case(session, topic, fields, agent_id)
    case.draft_id = key
    attach_case(session, draft.call_uuid, case.id)
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
