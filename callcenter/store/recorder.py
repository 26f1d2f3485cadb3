"""Write the live state's effects to the database, a batch per transaction.

Call rows are keyed by FreeSWITCH's Unique-ID and always hold the latest snapshot, so a batch
written twice, or an event applied twice, leaves the same row. A callback is created once per
phone and topic while one is open (the partial unique index backs this up)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.state.effects import (
    AgentReleased,
    AgentStateChanged,
    AgentStatusChanged,
    CallbackDialEnded,
    CallbackOwed,
    CallChanged,
    Effect,
)
from callcenter.state.model import CallState
from db import callbacks
from db.engine import transaction
from db.models import Agent, AgentStatusLog, Call, CallLeg, Topic
from rules.phone import normalise_phone

log = logging.getLogger(__name__)


def _time(us: int | None) -> datetime | None:
    return None if not us else datetime.fromtimestamp(us / 1_000_000, UTC)


def finer(known: object, new: object) -> object:
    """What a row keeps: a whole-second time (a resync reads `show channels`' created_epoch,
    `member list`'s joined_epoch, `agent list`'s last_bridge_start; a CDR has mod_callcenter's
    cc_queue_*_epoch) does not replace the time the row knows to the microsecond from the
    events (the same moment, within a second: FreeSWITCH floors its epochs)."""
    if isinstance(known, datetime) and isinstance(new, datetime) and new.microsecond == 0 \
            and known.microsecond != 0 and abs(known - new) < timedelta(seconds=2):
        return known
    return new


def _phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except ValueError:
        return raw or "anonymous"


class Recorder:
    """Applies effects to the database. `requested(agent, status, source)` tells it who asked
    for the next status change of an agent, so the log says desktop/lead rather than switch."""

    def __init__(self, sessions: sessionmaker[Session],
                 retry: callbacks.RetryPolicy | None = None) -> None:
        self.sessions, self.retry = sessions, retry or callbacks.RetryPolicy()
        self._topics: dict[str, int] = {}
        self._agents: dict[str, int] = {}
        self._requested: dict[str, list[tuple[str, str, str | None]]] = {}
        # agent → the call they were released from, while in after-call work
        self._released: dict[str, str] = {}

    def requested(self, agent: str, status: str, source: str,
                  reason: str | None = None) -> None:
        self._requested.setdefault(agent, []).append((status, source, reason))

    def withdraw(self, agent: str, status: str, source: str, reason: str | None = None) -> None:
        """A request the switch refused (or never got): its change will not come."""
        pending = self._requested.get(agent, [])
        for index in range(len(pending) - 1, -1, -1):
            if pending[index] == (status, source, reason):
                del pending[index]
                return

    def write(self, effects: list[Effect]) -> None:
        calls: dict[str, CallState] = {}
        for effect in effects:
            if isinstance(effect, CallChanged):
                calls[effect.call.uuid] = effect.call  # the latest snapshot wins
        used: dict[str, int] = {}  # agent → how many of its requests this batch answered
        released = dict(self._released)  # kept only once the batch is committed
        with transaction(self.sessions) as session:
            self._load_names(session, calls.values(), effects)
            rows = {uuid: self._call_row(session, call) for uuid, call in calls.items()}
            session.flush()
            self._legs(session, [(rows[uuid], call) for uuid, call in calls.items()
                                 if call.legs])
            for effect in effects:
                if isinstance(effect, CallbackOwed):
                    self._callback(session, effect, rows)
                elif isinstance(effect, AgentStatusChanged):
                    self._status(session, effect, used)
                elif isinstance(effect, CallbackDialEnded):
                    callbacks.dial_ended(session, effect.callback_id, effect.token,
                                         effect.disposition, _time(effect.at_us) or
                                         datetime.now(UTC), self.retry, effect.leg_uuid)
                elif isinstance(effect, AgentReleased):
                    released[effect.agent] = effect.call_uuid
                elif isinstance(effect, AgentStateChanged) and effect.state != "Idle" and \
                        effect.agent in released:
                    self._wrap_ended(session, effect.agent, released.pop(effect.agent),
                                     effect.at_us)
        self._released = released
        # Committed: only now are those requests used up. A failed batch is written again
        # and must find them still there (requests only ever join at the end of the list).
        for agent, count in used.items():
            del self._requested[agent][:count]

    def close_missing(self, up: set[str], now: datetime) -> list[str]:
        """Call rows still open whose channel the switch no longer has (the daemon was down
        when they ended): closed now, with the result their times say."""
        closed = []
        with transaction(self.sessions) as session:
            for row in session.scalars(select(Call).where(Call.ended_at.is_(None))):
                if row.uuid in up:
                    continue
                row.ended_at = now
                if row.direction == "inbound":  # a callback's dial has no queue result
                    row.result = row.result or ("answered" if row.answered_at else (
                        "abandoned" if row.queued_at else "ivr_hangup"))
                closed.append(row.uuid)
        return closed

    def _load_names(self, session: Session, calls: Iterable[CallState],
                    effects: list[Effect]) -> None:
        """Queue and agent ids by name, read again when this batch names one not yet known
        (a topic or an agent added while the daemon runs)."""
        legs = [leg for c in calls for leg in c.legs]
        queues = {c.queue for c in calls if c.queue} | {leg.queue for leg in legs} | {
            e.queue for e in effects if isinstance(e, CallbackOwed)}
        agents = {c.agent.split("@")[0] for c in calls if c.agent} | {
            leg.agent.split("@")[0] for leg in legs if leg.agent} | {
            e.agent.split("@")[0] for e in effects if isinstance(e, AgentStatusChanged)}
        if not self._topics or not queues <= self._topics.keys():
            self._topics = {queue: id_ for queue, id_ in session.execute(
                select(Topic.queue, Topic.id))}
        if not self._agents or not agents <= self._agents.keys():
            self._agents = {name: id_ for name, id_ in session.execute(
                select(Agent.username, Agent.id))}

    def _wrap_ended(self, session: Session, agent: str, call_uuid: str, at_us: int) -> None:
        """After-call work ends when the agent leaves Idle (mod_callcenter holds a desktop
        agent Idle until the daemon sets them Waiting; the lead's board counts it the same
        way): its end goes on the agent's leg of the call they were released from."""
        agent_id = self._agent_id(agent) or session.scalar(
            select(Agent.id).where(Agent.username == agent.split("@")[0]))
        leg = session.scalar(select(CallLeg).join(Call, Call.id == CallLeg.call_id).where(
            Call.uuid == call_uuid, CallLeg.agent_id == agent_id,
            CallLeg.answered_at.is_not(None)).order_by(CallLeg.seq.desc()).limit(1))
        if leg is not None and leg.wrap_ended_at is None:
            leg.wrap_ended_at = _time(at_us)

    def _agent_id(self, name: str | None) -> int | None:
        return self._agents.get(name.split("@")[0]) if name else None

    def _call_row(self, session: Session, call: CallState) -> Call:
        row = session.scalar(select(Call).where(Call.uuid == call.uuid))
        if row is None:
            row = Call(uuid=call.uuid, caller_number=_phone(call.caller_number))
            session.add(row)
        # A snapshot only ever adds to a row: after a restart the live state knows less
        # than the row does, and must not erase it.
        keep = {
            "caller_name": call.caller_name or None, "started_at": _time(call.started_us),
            "queued_at": _time(call.queued_us), "offered_at": _time(call.offered_us),
            "answered_at": _time(call.answered_us), "ended_at": _time(call.ended_us),
            "menu_choice": call.menu_choice, "topic_id": self._topics.get(call.queue or ""),
            "agent_id": self._agent_id(call.agent), "hangup_cause": call.hangup_cause,
            "result": call.result, "recording_path": call.recording,
        }
        for name, value in keep.items():
            if value is not None:
                setattr(row, name, finer(getattr(row, name), value))
        return row

    def _legs(self, session: Session, calls: list[tuple[Call, CallState]]) -> None:
        """One call_leg row per queue each call joined, keyed by its member uuid; like the
        call row, a snapshot only adds to it (one read for the whole batch)."""
        if not calls:
            return
        known: dict[tuple[int, str], CallLeg] = {
            (leg.call_id, leg.member_uuid): leg for leg in session.scalars(
                select(CallLeg).where(CallLeg.call_id.in_([row.id for row, _ in calls])))}
        for row, call in calls:
            seq = max((seq for (call_id, _), leg in known.items() if call_id == row.id
                       for seq in (leg.seq,)), default=0)
            for leg in call.legs:
                target = known.get((row.id, leg.member_uuid))
                if target is None:
                    seq += 1
                    target = CallLeg(call_id=row.id, seq=seq, member_uuid=leg.member_uuid,
                                     queued_at=_time(leg.queued_us))
                    session.add(target)
                    known[(row.id, leg.member_uuid)] = target
                for name, value in (("topic_id", self._topics.get(leg.queue)),
                                    ("agent_id", self._agent_id(leg.agent)),
                                    ("offered_at", _time(leg.offered_us)),
                                    ("answered_at", _time(leg.answered_us)),
                                    ("ended_at", _time(leg.ended_us)), ("cause", leg.cause)):
                    if value is not None:
                        setattr(target, name, value)

    def _callback(self, session: Session, owed: CallbackOwed, rows: dict[str, Call]) -> None:
        topic_id = self._topics.get(owed.queue)
        if topic_id is None:
            log.warning("callback for %s: queue %s is no topic", owed.phone, owed.queue)
            return
        call = rows.get(owed.call_uuid) or session.scalar(
            select(Call).where(Call.uuid == owed.call_uuid))
        callbacks.owe(session, _phone(owed.phone), topic_id, owed.reason,
                      call.id if call else None)

    def _status(self, session: Session, change: AgentStatusChanged,
                used: dict[str, int]) -> None:
        agent_id = self._agent_id(change.agent)
        if agent_id is None:
            return
        source, reason = "switch", None
        pending = self._requested.get(change.agent, [])
        for index in range(used.get(change.agent, 0), len(pending)):
            status, who, why = pending[index]
            if status == change.status:
                source, reason = who, why
                used[change.agent] = index + 1  # earlier requests were overtaken
                break
        session.add(AgentStatusLog(agent_id=agent_id, at=_time(change.at_us), status=change.status,
                                   reason=reason, source=source))
