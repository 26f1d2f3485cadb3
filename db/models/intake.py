"""What reaches the hotline without a call: declarations from the public web form and the
province's portal, and the API keys of the sources that may send them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, JsonData, UtcDateTime, one_of, utcnow

SEXES = ("male", "female", "other")


class Declaration(Base):
    """A case declared by a member of the public (the web form, or the portal's API)."""

    __tablename__ = "declaration"
    __table_args__ = (
        one_of("sex", SEXES),
        # A source's resend with the same Idempotency-Key finds the first one.
        Index("uq_declaration_source_idempotency", "source", "idempotency_key", unique=True),
        Index("ix_declaration_person_key_received_at", "person_key", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed: the daemon opens the plans of the last days' declarations (db.monitoring)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(32), default="web")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="RESTRICT"))
    # What the person is given to look the declaration up with (and their phone).
    receipt_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str | None] = mapped_column(String(8))
    admin_unit_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_unit.code", ondelete="SET NULL"))
    address_detail: Mapped[str | None] = mapped_column(Text)
    positive_date: Mapped[date | None] = mapped_column(Date)
    test_type: Mapped[str | None] = mapped_column(String(32))
    symptoms: Mapped[str | None] = mapped_column(Text)
    triage_level: Mapped[str | None] = mapped_column(String(16))
    # rules.declaration.person_key: phone, name and birth year; `first_id` is the first
    # declaration of the same person within the topic's window (None: this is the first).
    person_key: Mapped[str | None] = mapped_column(String(300))
    first_id: Mapped[int | None] = mapped_column(
        ForeignKey("declaration.id", ondelete="SET NULL"))
    # The form exactly as received, so nothing the citizen typed is ever lost.
    payload: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))


class ApiSource(Base):
    """A system that may post declarations (the province's portal): its key is shown once
    when made and kept only as a SHA-256 (a random 256-bit key needs no slow hash)."""

    __tablename__ = "api_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
