"""Home-treatment monitoring: an F0 patient's episode, from the first call or declaration to
recovery, and each check-in's readings (rules/monitoring.py has the plan's rules)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, JsonData, UtcDateTime, one_of, utcnow
from rules.monitoring import END_STATES

EPISODE_STATES = ("active", *END_STATES)
CHECK_IN_SOURCES = ("call", "web", "declaration")
ACTIVE_EPISODE_PREDICATE = "state = 'active'"


class Episode(Base):
    """One patient followed at home in one topic; at most one active per phone and topic."""

    __tablename__ = "monitoring_episode"
    __table_args__ = (
        one_of("state", EPISODE_STATES),
        Index("uq_monitoring_episode_active_phone_topic", "phone", "topic_id", unique=True,
              sqlite_where=text(ACTIVE_EPISODE_PREDICATE),
              postgresql_where=text(ACTIVE_EPISODE_PREDICATE)),
        Index("ix_monitoring_episode_state_unit", "state", "admin_unit_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"))
    phone: Mapped[str] = mapped_column(String(32))
    person_name: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    admin_unit_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_unit.code", ondelete="SET NULL"))
    positive_date: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id", ondelete="SET NULL"), index=True)
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    end_note: Mapped[str | None] = mapped_column(Text)
    # The plan: local check-in times ("08:00", …), and the last slot a check-in was owed for
    # (the next is the first time after it, or after the last check-in).
    times: Mapped[list[str]] = mapped_column(JsonData, default=list)
    last_slot_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # What the last check-in said (rules.monitoring.trend), kept for the lists and the lead.
    level: Mapped[str | None] = mapped_column(String(16))
    worsening: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reasons: Mapped[list[str]] = mapped_column(JsonData, default=list)
    alert_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the lead must look
    last_check_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    missed: Mapped[int] = mapped_column(Integer, default=0)  # check-ins not reached
    missed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)


class CheckIn(Base):
    """One check-in's readings: a nurse's call (one per call), the patient's report on the
    web, or a declaration."""

    __tablename__ = "check_in"
    __table_args__ = (
        one_of("source", CHECK_IN_SOURCES),
        Index("ix_check_in_episode_id_at", "episode_id", "at"),
        Index("uq_check_in_episode_call", "episode_id", "call_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_episode.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    declaration_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="SET NULL"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    spo2: Mapped[float | None] = mapped_column(Float)
    respiratory_rate: Mapped[int | None] = mapped_column(SmallInteger)
    temperature: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(16))
    red_flags: Mapped[int] = mapped_column(SmallInteger, default=0)
    negative_test: Mapped[bool] = mapped_column(Boolean, default=False,
                                                server_default=false())
    form: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)  # as reported
