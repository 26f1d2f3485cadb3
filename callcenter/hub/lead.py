"""The lead's desk: the live board pushed to leads (a whole board, then what changed), the
forced status of an agent, moving a waiting caller, and the admin's supervision log.

The board is built from the daemon's live state and today's tally (callcenter.lead, pure) at
most every TICK seconds and only when something happened (or every REBUILD seconds, for the
waits and levels nothing announces): a busy hour coalesces into a few pushes a second, whatever
the number of events. Each lead's connection gets its own part (their agency's topics and
people; an admin all of it): the whole part first — after a login, on every reconnect, when
what they may see changes — then only the rows that differ from what that connection was sent.
These pushes are not numbered for a replay: a reconnect gets the exact state again, whole."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import gevent

from callcenter.hub import lead_store
from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService, switch_reply
from callcenter.hub.sessions import HubSession
from callcenter.hub.views import iso_us
from callcenter.lead.board import Board, Inputs, Person, build, diff, scope
from callcenter.lead.tally import LegFacts, Tally, day_start_us, fold_legs, local_day
from callcenter.state.effects import (
    AgentBridged,
    AgentReleased,
    AgentStateChanged,
    CallChanged,
    Effect,
)
from callcenter.state.model import CallState
from callcenter.switch.api import to_extension
from protocol.errors import ErrorCode
from protocol.messages import LeadBoard, dump
from rules.board import board_rules

log = logging.getLogger(__name__)
TICK = 0.1  # seconds between two builds at most, while events arrive
REBUILD = 1.0  # seconds: a build anyway (a member that went back to Waiting, the day's end)
REREAD = 5.0  # seconds: the accounts, topics and callbacks counts are read again


class LeadDesk:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        self.zone = ZoneInfo(backend.settings.site.timezone)
        self.tally = Tally(self.zone)
        self.topics: list[dict[str, Any]] = []
        self.people: list[Person] = []
        self.callbacks: dict[str, tuple[int, int]] = {}
        self.urgent: dict[str, dict[str, Any]] = {}
        self.day = local_day(int(time.time() * 1e6), self.zone)
        self.sent: dict[Client, tuple[str, Board]] = {}  # connection → (token, its board)
        self.supervision: dict[str, dict[str, Any]] = {}  # lead username → their listening
        self.dirty = True
        # the switch's clock minus ours (µs), at the last event: rows carry the switch's
        # times, so `server_time` is on the switch's clock too (the simulator's may run faster)
        self.switch_skew_us = 0
        self.built_at = 0.0
        self.builds = 0
        self._in_hand: dict[str, tuple[str, int]] = {}  # agent → (topic, released at)
        self._read_once = False
        self._target_of: list[dict[str, Any]] | None = None
        self._target_cache: dict[str, tuple[float, float]] = {}
        hub.handlers.update({"lead_set_status": self.set_status,
                             "lead_move_caller": self.move_caller,
                             "lead_audit": self.audit_log})

    # -- the daemon's effects (the event path: nothing here blocks) ---------------------

    def on_effect(self, effect: Effect) -> None:
        self.dirty = True
        if self.backend.state.last_event_us:
            self.switch_skew_us = self.backend.state.last_event_us - int(time.time() * 1e6)
        if isinstance(effect, CallChanged):
            self._fold_call(effect.call)
        elif isinstance(effect, AgentBridged):
            leg = next((x for x in reversed(effect.call.legs) if x.agent == effect.agent), None)
            topic = self._topic_key(leg.queue if leg else effect.call.queue)
            if topic:
                self._in_hand[effect.agent] = (topic, 0)
        elif isinstance(effect, AgentReleased):
            held = self._in_hand.get(effect.agent)
            if held is not None:
                self._in_hand[effect.agent] = (held[0], self.backend.state.last_event_us)
        elif isinstance(effect, AgentStateChanged) and effect.state != "Idle":
            # after-call work ends when the agent leaves Idle (mod_callcenter holds a desktop
            # agent Idle until the daemon sets them Waiting): its time goes to the topic
            held = self._in_hand.pop(effect.agent, None)
            if held is not None and held[1]:
                self.tally.fold_wrap(effect.at_us, held[0], effect.at_us - held[1],
                                     f"wrap:{effect.agent}:{held[1]}")

    def on_written(self, effects: list[Effect]) -> None:
        """Calls written that the event path did not see (the CDR import of calls handled
        while the daemon was down)."""
        for effect in effects:
            if isinstance(effect, CallChanged) and not any(
                    leg.member_uuid in self.tally.legs for leg in effect.call.legs):
                self._fold_call(effect.call)
                self.dirty = True

    def _topic_key(self, queue: str | None) -> str | None:
        topic = self.desk.topic_of_queue(queue) if queue else None
        return topic["key"] if topic else None

    def _fold_call(self, call: CallState) -> None:
        legs = [LegFacts(leg.member_uuid, topic, leg.queued_us, leg.answered_us, leg.ended_us,
                         leg.cause)
                for leg in call.legs if (topic := self._topic_key(leg.queue)) is not None]
        fold_legs(self.tally, legs, self._targets())

    def _targets(self) -> dict[str, tuple[float, float]]:
        """Per topic (service level seconds, short-abandon seconds): worked out once per read
        of the topics, not on every event."""
        topics = self.topics or list(self.desk.topics().values())
        if self._target_of is not topics:
            self._target_of, self._target_cache = topics, {
                t["key"]: (t["service_level_seconds"],
                           board_rules(t.get("rules") or {}).short_abandon_seconds)
                for t in topics}
        return self._target_cache

    # -- reading the database -------------------------------------------------------------

    def read(self) -> None:
        """The accounts, topics and callback counts; on the first read and on a new day,
        the day's legs (and the same day last week's) from the database."""
        self.topics = self.hub.db(lead_store.board_topics)
        self.people = self.hub.db(lead_store.board_people)
        self.read_callbacks()
        today = local_day(int(time.time() * 1e6), self.zone)
        if not self._read_once or today != self.day:
            self.day = today
            self.tally.forget_before(today)
            for day in (today, today - timedelta(days=7)):
                start = datetime.fromtimestamp(day_start_us(day, self.zone) / 1e6, UTC)
                end = datetime.fromtimestamp(day_start_us(day + timedelta(days=1), self.zone)
                                             / 1e6, UTC)
                legs = self.hub.db(lead_store.legs_between, start, end)
                # what the event path folded meanwhile is newer than the rows read
                fold_legs(self.tally, [x for x in legs if x.member_uuid not in self.tally.legs],
                          self._targets())
            self._read_once = True
        self.dirty = True

    def read_callbacks(self) -> None:
        """The callback counts, the urgent declarations and the home-treatment check-ins that
        alerted (also when a declaration, a check-in or a callback's end was written)."""
        self.callbacks = self.hub.db(lead_store.callback_counts, datetime.now(UTC))
        self.urgent = self.hub.db(lead_store.urgent_declarations) | self.hub.db(
            lead_store.urgent_check_ins)
        self.dirty = True

    def read_forever(self) -> None:
        while True:
            try:
                self.read()
            except Exception:
                log.exception("hub: reading the lead board's data failed")
            gevent.sleep(REREAD)

    # -- building and pushing -------------------------------------------------------------

    def leads(self) -> list[Client]:
        return [c for c in list(self.hub.clients)
                if c.ready and c.session is not None and c.session.is_lead]

    def publish_forever(self) -> None:
        while True:
            gevent.sleep(TICK)
            try:
                self.publish()
            except Exception:
                log.exception("hub: publishing the lead board failed")

    def publish(self, force: bool = False) -> None:
        """Build the board (if something happened, or REBUILD passed) and send each lead's
        connection what changed in its part."""
        for client in [c for c in self.sent if c not in self.hub.clients]:
            del self.sent[client]  # gone
        leads = self.leads()
        fresh = [c for c in leads if self.sent.get(c, ("",))[0] != c.token]
        now = time.monotonic()
        if not leads or not self._read_once or not (
                force or self.dirty or fresh or now - self.built_at >= REBUILD):
            return
        self.dirty, self.built_at = False, now
        board = build(self._inputs())
        self.builds += 1
        parts: dict[tuple[Any, ...], Board] = {}
        changes: dict[tuple[Any, ...], str] = {}  # (scope, board sent before) → the push
        sent_before = list(self.sent.values())  # alive through the loop: their ids stay theirs
        server_time, day = self.switch_time(), self.day.isoformat()
        for client in leads:
            session = client.session
            if session is None:
                continue
            key, topics, people = self._scope(session)
            part = parts.get(key)
            if part is None:
                part = parts[key] = scope(board, topics, people)
            token, before = self.sent.get(client, ("", None))
            self.sent[client] = (client.token or "", part)
            if before is None or token != client.token:  # a whole board, with their listening
                client.send(dump(LeadBoard(full=True, server_time=server_time, day=day,
                                           changed=part, supervision_changed=True,
                                           supervision=self.supervision.get(session.username))))
                continue
            # connections of one scope that were sent the same board get the same text:
            # one diff and one JSON for all of them
            text = changes.get((key, id(before)))
            if text is None:
                changed, removed = diff(before, part)
                text = changes[(key, id(before))] = dump(LeadBoard(
                    server_time=server_time, day=day, changed=changed,
                    removed=removed)) if changed or removed else ""
            if text:
                client.send(text)
        del sent_before

    def push_supervision(self, username: str) -> None:
        """The lead's own listening changed: their connections are told at once."""
        for client in self.leads():
            if client.session is not None and client.session.username == username and \
                    client in self.sent:
                client.send(dump(LeadBoard(
                    server_time=self.switch_time(), day=self.day.isoformat(),
                    supervision=self.supervision.get(username), supervision_changed=True)))

    def switch_time(self) -> str:
        """Now on the switch's clock (the rows' times are the switch's event times)."""
        return datetime.fromtimestamp(time.time() + self.switch_skew_us / 1e6, UTC).isoformat()

    def _scope(self, session: HubSession) -> tuple[tuple[Any, ...], set[str] | None,
                                                   set[str] | None]:
        if session.role == "admin":
            return ("all",), None, None
        agency = session.agency_id
        topics = {t["key"] for t in self.topics if agency is not None and
                  agency in t["agencies"]}
        people = {p.username for p in self.people if agency is not None and
                  p.agency_id == agency}
        return ("agency", agency), topics, people

    def _inputs(self) -> Inputs:
        now_us = int(time.time() * 1e6)
        acw = {p.username: self.desk.acw.until(p.username) for p in self.people}
        return Inputs(state=self.backend.state, tally=self.tally, today=self.day,
                      now_us=now_us, domain=self.desk.domain, topics=self.topics,
                      people=self.people, reasons=self.desk.reasons, acw_until=acw,
                      callbacks=self.callbacks, urgent=self.urgent)

    # -- requests ---------------------------------------------------------------------------

    def lead_session(self, client: Client) -> HubSession:
        session = _session(client)
        if not session.is_lead:
            raise Denied(ErrorCode.FORBIDDEN, "only team leads and admins may do this")
        if session.role != "admin" and session.agency_id is None:
            raise Denied(ErrorCode.FORBIDDEN, "a lead acts on their own agency, and you have "
                                              "none")
        return session

    def person_in_scope(self, session: HubSession, username: str) -> Person:
        """The agent, if this lead may act on them (their agency; an admin: anyone)."""
        person = next((p for p in self.people if p.username == username), None)
        if person is None or (session.role != "admin" and
                              person.agency_id != session.agency_id):
            raise Denied(ErrorCode.FORBIDDEN, f"{username} is not one of your agency's staff",
                         target=username)
        return person

    def set_status(self, client: Client, request: Any) -> dict[str, Any]:
        session = self.lead_session(client)
        person = self.person_in_scope(session, request.agent)
        self.desk.change_status(person.username, request.status, request.reason, "lead")
        self.dirty = True
        self.hub.audit(client, "lead.set_status", person.username, status=request.status,
                       reason=request.reason if request.status == "On Break" else None)
        return {}

    def move_caller(self, client: Client, request: Any) -> dict[str, Any]:
        """A waiting caller to another topic's queue: the member's uuid is set on the channel
        first (the member-queue-end says it was moved, not abandoned), then the transfer to
        the topic's queue extension, as an agent's transfer does."""
        session = self.lead_session(client)
        allowed = self._scope(session)[1]
        target = next((t for t in self.topics if t["key"] == request.topic), None)
        if target is None or (allowed is not None and target["key"] not in allowed):
            raise Denied(ErrorCode.INVALID, f"no topic {request.topic!r} of yours",
                         [("topic", "unknown")])
        call = self.backend.state.calls.get(request.call_uuid)
        leg = call.legs[-1] if call is not None and call.legs else None
        from_topic = self._topic_key(leg.queue) if leg else None
        if call is None or leg is None or leg.answered_us is not None or \
                leg.ended_us is not None:
            raise Denied(ErrorCode.CONFLICT, "this caller is not waiting in a queue any more")
        if allowed is not None and from_topic not in allowed:
            raise Denied(ErrorCode.FORBIDDEN, "this caller waits in another agency's queue",
                         target=request.call_uuid)
        if from_topic == target["key"]:
            raise Denied(ErrorCode.INVALID, "the caller already waits in that queue",
                         [("topic", "the same queue")])
        switch = self.backend.switch
        switch_reply(lambda: switch.set_variable(call.uuid, "hotline_moved", leg.member_uuid))
        switch_reply(lambda: switch.transfer(call.uuid, to_extension(
            f"hotline_queue_{target['key']}", "hotline")))
        self.hub.audit(client, "lead.move_caller", call.uuid, from_topic=from_topic,
                       to_topic=target["key"], waited_since=iso_us(leg.queued_us))
        return {}

    def audit_log(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if session.role != "admin":
            raise Denied(ErrorCode.FORBIDDEN, "only admins read the supervision log")
        return {"items": self.hub.db(lead_store.supervision_log, request.limit)}
