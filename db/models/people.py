"""Agencies and the agents (nurses, health staff, clerks, leads, admins) who work for them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, UtcDateTime, one_of, utcnow

if TYPE_CHECKING:
    from db.models.topics import Tier, Topic

ROLES = ("nurse", "health", "clerk", "lead", "admin")
# The statuses a phone-only agent may be held in (mod_callcenter.c AGENT_STATUS_CHART, less
# `Available (On Demand)`: with no desktop to end after-call work, its agent would stay Idle
# after the first call).
PHONE_STATUSES = ("Available", "On Break", "Logged Out")

agency_topic = Table(
    "agency_topic",
    Base.metadata,
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(Base):
    """An organisation whose staff answer some topics (CDC, Department of Health, ...)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    topics: Mapped[list[Topic]] = relationship(secondary=agency_topic)
    agents: Mapped[list[Agent]] = relationship(back_populates="agency")


class Agent(Base):
    """A person who logs in to the desktop; `contact` is the dial string mod_callcenter rings."""

    __tablename__ = "agent"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    password_hash: Mapped[str] = mapped_column(String(255))
    sip_extension: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Any FreeSWITCH dial string; empty means user/<extension>@<domain>.
    contact: Mapped[str | None] = mapped_column(Text)
    # The SIP phone's password as a digest A1 hash, md5(extension:domain:password): what the
    # FreeSWITCH directory needs, without the password itself.
    sip_a1_hash: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # mod_callcenter agent parameters, kept here so the daemon can load them.
    max_no_answer: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    wrap_up_time: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    reject_delay_time: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    busy_delay_time: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    no_answer_delay_time: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # An agent who works from the phone alone: the status the daemon holds them in on
    # mod_callcenter (one of PHONE_STATUSES, checked by db.agents). NULL: the status is the
    # agent's own, set from the desktop, and never touched by the daemon's sync.
    phone_status: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship(back_populates="agents")
    tiers: Mapped[list[Tier]] = relationship(back_populates="agent", cascade="all, delete-orphan")

    def dial_string(self, domain: str) -> str | None:
        """What mod_callcenter should ring for this agent, or None if nothing is set."""
        if self.contact:
            return self.contact
        if self.sip_extension:
            return f"user/{self.sip_extension}@{domain}"
        return None
