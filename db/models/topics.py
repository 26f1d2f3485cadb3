"""Topics of the voice menu (data, not code), the tiers that bind agents to them, and
the per-topic, per-year counters behind readable case codes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, JsonData, UtcDateTime, utcnow

if TYPE_CHECKING:
    from db.models.people import Agent


class Topic(Base):
    """One choice of the menu: its key, names, mod_callcenter queue and case form."""

    __tablename__ = "topic"
    __table_args__ = (
        CheckConstraint("menu_key IS NULL OR menu_key IN "
                        "('0','1','2','3','4','5','6','7','8','9')", name="menu_key_digit"),
        CheckConstraint("service_level_seconds > 0", name="service_level_positive"),
        CheckConstraint("acw_seconds >= 0", name="acw_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    # A retired topic keeps its cases but gives its menu key back (NULL).
    menu_key: Mapped[str | None] = mapped_column(String(1), unique=True)
    code_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    # What tables and lists show (the names are sentences); the name where there is none.
    short_vi: Mapped[str | None] = mapped_column(String(40))
    short_en: Mapped[str | None] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(64), unique=True)
    service_level_seconds: Mapped[int] = mapped_column(Integer, default=20)
    acw_seconds: Mapped[int] = mapped_column(Integer, default=120)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JsonData, default=list)
    form_schema: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    # Rules the daemon and desktop apply: triage thresholds, priority for returning callers.
    rules: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    # Per-topic overrides of the queue's mod_callcenter parameters (strategy, moh, ...).
    queue_options: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    tiers: Mapped[list[Tier]] = relationship(back_populates="topic", cascade="all, delete-orphan")

    def outcome_codes(self) -> list[str]:
        return [o["code"] for o in self.outcomes]


class Tier(Base):
    """An agent's membership of a topic's queue (mod_callcenter tier: level and position)."""

    __tablename__ = "tier"
    __table_args__ = (
        UniqueConstraint("agent_id", "topic_id"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=1)

    agent: Mapped[Agent] = relationship(back_populates="tiers")
    topic: Mapped[Topic] = relationship(back_populates="tiers")


class CaseCounter(Base):
    """The last case number of a topic in a year; its row lock orders concurrent saves."""

    __tablename__ = "case_counter"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
