"""After-call work in progress, kept in the database so a daemon restart does not drop it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UtcDateTime


class AcwDeadline(Base):
    """An agent wrapping up a call until `until` (one at a time per agent). The daemon's timer
    lives in memory; this row lets a restarted daemon resume the countdown, or do at once what
    its end would have done."""

    __tablename__ = "acw_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"),
                                          unique=True)
    call_uuid: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
