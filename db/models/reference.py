"""Administrative units of the province, loaded from a data file (Vietnam reorganised its
units in 2025; callers still name the former ones)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, one_of

UNIT_KINDS = ("tinh", "thanh_pho", "xa", "phuong", "dac_khu")
MERGE_PARTS = ("whole", "part", "rest")


class AdminUnit(Base):
    """A current unit with its official code; `folded` is the accent-free name for search."""

    __tablename__ = "admin_unit"
    __table_args__ = (one_of("kind", UNIT_KINDS),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    folded: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_unit.code", ondelete="SET NULL"))

    former: Mapped[list[AdminUnitFormer]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="AdminUnitFormer.id")


class AdminUnitFormer(Base):
    """A unit that was merged (wholly or in part) into a current one."""

    __tablename__ = "admin_unit_former"
    __table_args__ = (one_of("part", MERGE_PARTS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(
        ForeignKey("admin_unit.code", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    folded: Mapped[str] = mapped_column(String(300), index=True)
    part: Mapped[str] = mapped_column(String(8), default="whole")

    unit: Mapped[AdminUnit] = relationship(back_populates="former")
