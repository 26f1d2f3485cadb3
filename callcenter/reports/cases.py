"""What callers needed: cases by outcome, triage level and status per topic and period; and where
the sick are — cases and declarations by administrative unit (the 2025 communes and wards, with
the units merged into each), so a province sees where F0 patients live."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from callcenter.reports.periods import (
    Grouping,
    bucket_seconds,
    bucket_start,
    local_range,
    period_key,
)
from callcenter.reports.sql import bucket
from db.models import AdminUnit, Case, Declaration, Topic

Dimension = Literal["outcome", "triage_level", "status"]
NONE = "—"  # not recorded


def case_rows(session: Session, first: date, last: date, grouping: Grouping,
              dimension: Dimension, zone: tzinfo) -> list[dict[str, Any]]:
    """Cases opened in the period, counted by `dimension` per local period and topic."""
    start, end = local_range(first, last, zone)
    seconds = bucket_seconds(zone, start, end)
    topics = dict(session.execute(select(Topic.id, Topic.key)).all())
    value = {"outcome": Case.outcome_code, "status": Case.status,
             "triage_level": Case.form_data["triage_level"].as_string()}[dimension]
    slot = bucket(session, Case.created_at, seconds)
    counts: dict[tuple[str, str, str], int] = {}
    for at, topic_id, found, n in session.execute(
            select(slot, Case.topic_id, value, func.count()).where(
                Case.created_at >= start, Case.created_at < end)
            .group_by(slot, Case.topic_id, value)):
        key = (period_key(bucket_start(int(at), seconds), grouping, zone),
               topics.get(topic_id, NONE), found or NONE)
        counts[key] = counts.get(key, 0) + int(n)
    return [{"period": period, "group": topic, dimension: found, "cases": n}
            for (period, topic, found), n in sorted(counts.items())]


def unit_rows(session: Session, first: date, last: date, zone: tzinfo) -> list[dict[str, Any]]:
    """Per administrative unit: the cases of each topic opened in the period and the
    declarations received, most first; a unit with neither is left out."""
    start, end = local_range(first, last, zone)
    topics = dict(session.execute(select(Topic.id, Topic.key)).all())
    per_unit: dict[str | None, dict[str, int]] = {}
    for code, topic_id, n in session.execute(
            select(Case.admin_unit_code, Case.topic_id, func.count()).where(
                Case.created_at >= start, Case.created_at < end)
            .group_by(Case.admin_unit_code, Case.topic_id)):
        per_unit.setdefault(code, {})[f"cases_{topics.get(topic_id, NONE)}"] = int(n)
    for code, n in session.execute(
            select(Declaration.admin_unit_code, func.count()).where(
                Declaration.received_at >= start, Declaration.received_at < end)
            .group_by(Declaration.admin_unit_code)):
        per_unit.setdefault(code, {})["declarations"] = int(n)
    units = {u.code: u for u in session.scalars(select(AdminUnit).options(
        selectinload(AdminUnit.former)).where(AdminUnit.code.in_(
            [c for c in per_unit if c is not None])))}
    keys = [f"cases_{k}" for k in sorted(topics.values())]
    rows = []
    for code, found in per_unit.items():
        unit = units.get(code or "")
        row: dict[str, Any] = {"unit_code": code or NONE, "unit": unit.name if unit else NONE,
                               "former": ", ".join(f.name for f in unit.former) if unit
                               else ""}
        row.update({k: found.get(k, 0) for k in keys})
        row["declarations"] = found.get("declarations", 0)
        row["total"] = sum(found.values())
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["total"], r["unit"]))
