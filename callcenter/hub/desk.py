"""The agent's desk: status, the screen-pop, cases, history and callbacks, over the hub.

Registers its handlers with the HubService and listens to the daemon's effects: a bridged
agent gets the screen-pop, a released one goes into after-call work (callcenter.hub.acw),
every status change reaches the agent's desktop. Access: a person sees the cases of the topics
they answer (their tiers, or their agency's topics); leads and admins are audited when they read
a case."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from gevent.event import AsyncResult
from sqlalchemy.exc import IntegrityError

from callcenter.hub import store
from callcenter.hub.acw import AfterCallWork
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.hub.sessions import HubSession
from callcenter.hub.views import agent_leg, agent_view, call_view, current_call, switch_status
from callcenter.state.effects import (
    AgentBridged,
    AgentOffered,
    AgentReleased,
    AgentStateChanged,
    AgentStatusChanged,
    CallChanged,
    Effect,
)
from callcenter.state.model import CallState
from callcenter.switch.errors import SwitchError
from db.errors import DataError, FormInvalid, NotFound, StaleCaseError
from protocol.errors import ErrorCode
from protocol.messages import AgentStatus, CallView, ScreenPop, Snapshot

log = logging.getLogger(__name__)
TOPICS_SECONDS = 60.0


class AgentDesk:
    def __init__(self, hub: HubService, backend: Backend) -> None:
        self.hub, self.backend = hub, backend
        self.domain = backend.settings.site.domain
        self.zone = ZoneInfo(backend.settings.site.timezone)
        self.reasons: dict[str, str | None] = {}  # username → break reason
        self.pops: dict[str, ScreenPop] = {}  # username → the pop of the call in hand
        # username → a call the agent dialled (a callback) while it is up: not a queue call
        self.dialled: dict[str, CallView] = {}
        # username → (call uuid, its pop data being read while the agent's phone rings)
        self.prefetched: dict[str, tuple[str, AsyncResult]] = {}
        self._topics: dict[str, dict[str, Any]] = {}  # key → topic payload
        self._topics_read = 0.0  # topics are data: read again every TOPICS_SECONDS
        self.acw = AfterCallWork(hub, backend, self)
        # run in a case's save, in its transaction (store.CaseHook) …
        self.case_hooks: list[store.CaseHook] = []
        # … and once it is committed
        self.saved_hooks: list[Callable[[], None]] = []
        hub.handlers.update({
            "set_status": self.set_status, "case_get": self.case_get,
            "case_save": self.case_save, "case_draft": self.acw.draft,
            "history_search": self.history_search,
            "wrap_up_done": self.wrap_up_done})
        hub.snapshot = self.snapshot
        hub.agent_view = self.view

    # -- identity and topics ------------------------------------------------------------

    def agent_name(self, username: str) -> str:
        return f"{username}@{self.domain}"

    def username(self, agent_name: str) -> str | None:
        user, _, domain = agent_name.partition("@")
        return user if domain == self.domain else None

    def topics(self) -> dict[str, dict[str, Any]]:
        """Topics by key. Only the first call waits for the database; later, a stale copy is
        served while a greenlet reads them again (this runs on the switch's event path)."""
        if not self._topics:
            self._read_topics()
        elif time.monotonic() - self._topics_read > TOPICS_SECONDS:
            self._topics_read = time.monotonic()  # one refresh at a time
            gevent.spawn(self._read_topics)
        return self._topics

    def _read_topics(self) -> None:
        self._topics = {t["key"]: t for t in self.hub.db(store.topics_payload)}
        self._topics_read = time.monotonic()

    def topic_of_queue(self, queue: str | None) -> dict[str, Any] | None:
        return next((t for t in self.topics().values() if t["queue"] == queue), None)

    @staticmethod
    def visible(session: HubSession) -> frozenset[str] | None:
        """The topics whose cases this person may read (None: all of them)."""
        return None if session.role == "admin" else session.topics

    def view(self, session: HubSession) -> Any:
        agent = self.backend.state.agents.get(self.agent_name(session.username))
        identity = {"username": session.username, "full_name": session.full_name,
                    "role": session.role, "topics": session.topics}
        return agent_view(identity, agent, self.reasons.get(session.username))

    # -- what the desktop is told ------------------------------------------------------

    def snapshot(self, session: HubSession) -> Snapshot:
        """The database first (it yields); then the live state, read with no yield until the
        snapshot is sent, so no push of the meantime is newer than it."""
        callbacks = self.hub.db(store.open_callbacks, self.visible(session), self.zone)
        self.topics()
        agent = self.agent_name(session.username)
        call = current_call(self.backend.state, agent)
        pop = self.pops.get(session.username)
        view = self._call_view(call, agent) if call else self.dialled.get(session.username)
        return Snapshot(agent=self.view(session), call=view,
                        screen_pop=pop.model_dump() if pop else None, callbacks=callbacks,
                        acw_until=self.acw.until(session.username))

    def on_effect(self, effect: Effect) -> None:
        """From the daemon's event path: must not block (the pop is built in a greenlet)."""
        if isinstance(effect, CallChanged):  # a call's end: the cause its call_ended carries
            self.acw.call_changed(effect.call)
        elif isinstance(effect, AgentStatusChanged | AgentStateChanged | AgentOffered |
                        AgentBridged | AgentReleased):
            username = self.username(effect.agent)
            if username is None:
                return
            if isinstance(effect, AgentReleased):  # after-call work, at a desktop only
                self.acw.released(username, effect.call_uuid)
            elif not self.hub.sessions.of_agent(username):
                if isinstance(effect, AgentStateChanged):
                    self.acw.held_without_desk(username, effect.state)
                return
            elif isinstance(effect, AgentOffered):
                self._prefetch(username, effect.call)
            elif isinstance(effect, AgentBridged):
                gevent.spawn(self._screen_pop, username, effect)
            else:
                if isinstance(effect, AgentStateChanged):
                    self.acw.state_changed(username, effect.state)
                self.status_changed(username)

    def status_changed(self, username: str) -> None:
        for session in self.hub.sessions.of_agent(username):
            self.hub.push_to(session, AgentStatus(agent=self.view(session)))

    def _prefetch(self, username: str, call: CallState) -> None:
        """Start reading the pop's data while the phone rings: at bridge the pop only waits
        for whatever is left of the read (at a thousand calls it would otherwise wait for the
        database behind the recorder). One per agent: a newer offer replaces it."""
        result: AsyncResult[dict[str, Any] | None] = AsyncResult()
        self.prefetched[username] = (call.uuid, result)
        gevent.spawn(self._read_pop_data, username, call).link(result)

    def _read_pop_data(self, username: str, call: CallState) -> dict[str, Any] | None:
        topic = self.topic_of_queue(call.queue) or {}
        return self.read_pop_data(username, call.uuid, call.caller_number, topic.get("key"))

    def read_pop_data(self, username: str, call_uuid: str, phone: str,
                      topic_key: str | None) -> dict[str, Any] | None:
        """What the agent's pop of this call shows, as they may see it; None: no desktop."""
        sessions = self.hub.sessions.of_agent(username)
        if not sessions:
            return None
        return self.hub.db(store.screen_pop_data, call_uuid, phone, topic_key,
                           self.visible(sessions[0]),
                           self.backend.settings.site.declaration_topic, self.zone)

    def send_pop(self, username: str, view: CallView, topic: dict[str, Any],
                 data: dict[str, Any]) -> None:
        """The pop of the call in hand, kept for a snapshot and pushed to the desktop."""
        pop = ScreenPop(call=view, topic=topic, history=data["history"],
                        declaration=data["declaration"], open_case=data["open_case"],
                        draft=data["draft"], episode=data.get("episode"))
        self.pops[username] = pop
        self.hub.push_agent(username, pop)

    def _pop_data(self, username: str, call: CallState) -> dict[str, Any] | None:
        """The data read at offering if it was for this call and went well, else read now."""
        uuid, result = self.prefetched.pop(username, ("", None))
        if result is not None and uuid == call.uuid:
            result.wait()  # a failed read was logged by gevent: it is tried again below
            data = result.value if result.successful() else None
            if data is not None and data["call_id"] is not None:
                return data
        return self._read_pop_data(username, call)

    def _screen_pop(self, username: str, bridged: AgentBridged) -> None:
        call = bridged.call
        data = self._pop_data(username, call)
        if data is None:
            return  # no desktop any more
        if self.backend.state.calls.get(call.uuid) is None:
            return  # the call ended while its history was read: no pop for a call gone
        agent = self.agent_name(username)
        leg = agent_leg(call, agent)
        topic = self.topic_of_queue(leg.queue if leg else call.queue) or {}
        self.send_pop(username, call_view(call, topic.get("key"), data["call_id"], agent),
                      topic, data)

    # -- requests ----------------------------------------------------------------------

    def set_status(self, client: Client, request: Any) -> dict[str, Any]:
        self.change_status(_session(client).username, request.status, request.reason,
                           "desktop")
        return {}

    def change_status(self, username: str, status: str, reason: str | None,
                      source: str) -> None:
        """An agent's status as the desktop says it (`source`: the agent's own desktop, or
        a lead's), on the switch; Denied with the switch's words if it did not take it."""
        if status == "On Break" and not reason:
            raise Denied(ErrorCode.INVALID, "a break needs a reason", [("reason", "is required")])
        reason = reason if status == "On Break" else None  # one of the codes
        live = self.backend.state.agents.get(self.agent_name(username))
        unchanged = live is not None and live.status == switch_status(status)
        try:
            reply = self.backend.set_agent_status(username, switch_status(status), source,
                                                  reason)
        except SwitchError as exc:
            raise Denied(ErrorCode.SWITCH, f"the switch did not take it: {exc}") from None
        if not reply.startswith("+OK"):
            raise Denied(ErrorCode.SWITCH, f"the switch refused: {reply.strip()}")
        self.reasons[username] = reason
        if unchanged:  # no event will come: a new break reason is shown now
            self.status_changed(username)

    def case_get(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        case = self.hub.db(store.get_case, request.case_id)
        if case is None:
            raise Denied(ErrorCode.NOT_FOUND, f"no case {request.case_id}")
        self._may_see(session, case["topic"])
        if session.is_lead:
            self.hub.audit(client, "case.read", case["code"])
        return {"case": case}

    def _may_see(self, session: HubSession, topic: str | None) -> None:
        allowed = self.visible(session)
        if allowed is not None and topic not in allowed:
            raise Denied(ErrorCode.FORBIDDEN, "this case belongs to a topic you do not answer")

    def case_save(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        self._may_see(session, request.topic)
        if request.case_id is not None:
            self._may_see(session, self.hub.db(store.case_topic, request.case_id))
        try:
            try:
                case = self.hub.db(store.save_case, request, session.agent_id,
                                   self.case_hooks)
            except IntegrityError:  # the same draft saved at the same moment (ACW ran out)
                case = self.hub.db(store.save_case, request, session.agent_id,
                                   self.case_hooks)
        except FormInvalid as exc:
            raise Denied(ErrorCode.INVALID, "the form has errors", exc.errors) from None
        except StaleCaseError as exc:
            raise Denied(ErrorCode.CONFLICT, str(exc)) from None
        except (NotFound, LookupError) as exc:
            raise Denied(ErrorCode.NOT_FOUND, str(exc)) from None
        except DataError as exc:
            raise Denied(ErrorCode.INVALID, str(exc)) from None
        self.acw.saved(session.username, request.call_uuid)
        for hook in self.saved_hooks:
            hook()
        return {"case": case}

    def history_search(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if not (request.phone or request.case_code):
            raise Denied(ErrorCode.INVALID, "give a phone number or a case code")
        items = self.hub.db(store.history, request.phone, request.case_code,
                            self.visible(session), self.backend.settings.site.declaration_topic)
        if session.is_lead:
            self.hub.audit(client, "history.read", request.phone or request.case_code)
        return {"items": items}

    def wrap_up_done(self, client: Client, request: Any) -> dict[str, Any]:
        username = _session(client).username
        wrap = self.acw.active.get(username)
        if wrap is not None and request.call_uuid not in (None, wrap.call_uuid):
            return {"ended": False}  # a later call is being wrapped up: not this request's
        if not self.acw.finish(username, "done"):
            self.acw.ready(username)  # held Idle with no wrap known (e.g. after a restart)
        return {"ended": True}

    def call_of(self, session: HubSession, uuid: str, dialled_too: bool = False) -> CallView:
        """The agent's own current call (nobody acts on another agent's call here); with
        `dialled_too`, a callback call they dialled also counts."""
        dialled = self.dialled.get(session.username)
        if dialled is not None and dialled.uuid == uuid:
            if dialled_too:
                return dialled
            raise Denied(ErrorCode.UNSUPPORTED,
                         "on a callback call only hanging up is possible here "
                         "(hold and transfer from your phone)")
        agent = self.agent_name(session.username)
        call = current_call(self.backend.state, agent)
        if call is None or call.uuid != uuid:
            raise Denied(ErrorCode.FORBIDDEN, "this is not your current call")
        return self._call_view(call, agent)

    def _call_view(self, call: CallState, agent: str) -> CallView:
        """The call with the topic and times of the queue leg `agent` took."""
        leg = agent_leg(call, agent)
        topic = self.topic_of_queue(leg.queue if leg else call.queue)
        return call_view(call, topic["key"] if topic else None, agent=agent)


def _session(client: Client) -> HubSession:
    if client.session is None:  # the service lets only logged-in clients through
        raise RuntimeError("expected client.session is not None")
    return client.session
