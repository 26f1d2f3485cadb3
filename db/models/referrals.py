"""Reports forwarded to the agency responsible for them, followed until the caller is told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UtcDateTime, one_of, utcnow
from rules.referral import STATES


class Referral(Base):
    """One case forwarded to one agency (rules/referral.py has its states)."""

    __tablename__ = "referral"
    __table_args__ = (
        one_of("state", STATES),
        UniqueConstraint("case_id", "agency_id"),
        Index("ix_referral_agency_id_state", "agency_id", "state"),
        Index("ix_referral_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(16), default="forwarded")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    forwarded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    forwarded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # what the agency did
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    informed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the callback that tells the caller the outcome (owed when the report is resolved)
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback.id", ondelete="SET NULL"), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)
