"""Append-only logs: agent status changes (occupancy, breaks) and the security audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, JsonData, UtcDateTime, one_of, utcnow

STATUS_SOURCES = ("desktop", "lead", "daemon", "switch")


class AgentStatusLog(Base):
    """One mod_callcenter status change of an agent, whoever made it."""

    __tablename__ = "agent_status_log"
    __table_args__ = (
        one_of("source", STATUS_SOURCES),
        Index("ix_agent_status_log_agent_id_at", "agent_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))


class AuditLog(Base):
    """Logins, listens, exports, denied requests and admin actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    # The name as given, kept even for failed logins of unknown users and deleted agents.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
