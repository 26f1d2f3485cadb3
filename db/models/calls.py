"""Calls as the switch saw them, and the callbacks owed to callers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, UtcDateTime, one_of, utcnow

if TYPE_CHECKING:
    from db.models.cases import Case

CALL_RESULTS = ("answered", "abandoned", "ivr_hangup", "no_agent", "overflow")
CALL_DIRECTIONS = ("inbound", "outbound")
CALLBACK_REASONS = ("abandoned", "declaration", "follow_up", "requested")
CALLBACK_STATES = ("open", "dialing", "done", "cancelled", "failed")
OPEN_CALLBACK_STATES = ("open", "dialing")
# the one-open-callback index's predicate (an upsert on it names it again, db.declarations)
OPEN_CALLBACK_PREDICATE = "state IN ('open', 'dialing')"


class Call(Base):
    """One call, keyed by FreeSWITCH's Unique-ID, filled in as its events arrive."""

    __tablename__ = "call"
    __table_args__ = (
        one_of("result", CALL_RESULTS),
        one_of("direction", CALL_DIRECTIONS),
        Index("ix_call_caller_number_started_at", "caller_number", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    caller_number: Mapped[str] = mapped_column(String(32))
    caller_name: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    menu_choice: Mapped[str | None] = mapped_column(String(8))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id", ondelete="SET NULL"), index=True)
    hangup_cause: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(String(16))
    recording_path: Mapped[str | None] = mapped_column(Text)
    # An outbound call dialled for a callback (the agent's leg): the case saved on it is the
    # callback's case too.
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback.id", ondelete="SET NULL", use_alter=True), index=True)

    case: Mapped[Case | None] = relationship(back_populates="calls")


class CallLeg(Base):
    """One queue a call went through (a mod_callcenter member): a call transferred to another
    topic's queue has a leg per queue, each with its own agent. The call row itself carries
    the last leg's topic and agent."""

    __tablename__ = "call_leg"
    __table_args__ = (
        Index("uq_call_leg_member", "call_id", "member_uuid", unique=True),
        Index("ix_call_leg_queued_at", "queued_at"),  # the reports read legs by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, … in the order joined
    member_uuid: Mapped[str] = mapped_column(String(64))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), index=True)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # member-queue-end: Terminated (answered), or the cancel reason (BREAK_OUT, TIMEOUT, …)
    cause: Mapped[str | None] = mapped_column(String(32))
    # when the agent who took it left after-call work (took calls again): its handle time
    wrap_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Callback(Base):
    """A call the hotline owes a caller: abandoned in queue, declared on the web, follow-up."""

    __tablename__ = "callback"
    __table_args__ = (
        one_of("reason", CALLBACK_REASONS),
        one_of("state", CALLBACK_STATES),
        # At most one open callback per caller and topic: a caller who abandons three
        # times is called back once.
        Index("uq_callback_open_phone_topic", "phone", "topic_id", unique=True,
              sqlite_where=text(OPEN_CALLBACK_PREDICATE),
              postgresql_where=text(OPEN_CALLBACK_PREDICATE)),
        Index("ix_callback_state_due_at", "state", "due_at"),
        # the reports: owed, and reached or given up, by period
        Index("ix_callback_created_at", "created_at"),
        Index("ix_callback_last_attempt_at", "last_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="SET NULL"))
    # A check-in of a home-treatment episode (db.monitoring): a follow_up it owed, or the
    # caller's open callback it took as its check-in.
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_episode.id", ondelete="SET NULL", use_alter=True), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # The dial in progress (state 'dialing'): its token is on the agent's leg, so the leg's
    # end is matched to this attempt and no other. last_result: how the last dial ended.
    dial_token: Mapped[str | None] = mapped_column(String(32))
    last_result: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
