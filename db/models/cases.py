"""Cases agents record, and the audit trail of every change made to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, JsonData, UtcDateTime, one_of, utcnow

if TYPE_CHECKING:
    from db.models.calls import Call
    from db.models.topics import Topic

CASE_STATUSES = ("open", "follow_up", "escalated", "closed")


class Case(Base):
    """What an agent recorded for a caller's request; `version` guards against lost updates."""

    __tablename__ = "case"
    __table_args__ = (
        one_of("status", CASE_STATUSES),
        Index("ix_case_topic_id_status", "topic_id", "status"),
        Index("ix_case_created_at", "created_at"),  # the reports read cases by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    person_name: Mapped[str | None] = mapped_column(String(200))
    admin_unit_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_unit.code", ondelete="SET NULL"))
    address_detail: Mapped[str | None] = mapped_column(Text)
    form_data: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    outcome_code: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # "<agent id>:<the desktop's draft id>" the case was first saved from: a resent save
    # finds the case it made.
    draft_id: Mapped[str | None] = mapped_column(String(96), unique=True)

    topic: Mapped[Topic] = relationship()
    calls: Mapped[list[Call]] = relationship(back_populates="case")
    changes: Mapped[list[CaseChange]] = relationship(
        back_populates="case", order_by="CaseChange.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class CaseChange(Base):
    """One field of one case changed: who, when, old value and new value (JSON text)."""

    __tablename__ = "case_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="changes")
