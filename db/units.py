"""Administrative units: load the province's list from CSV, and find a unit by its current or
former name (callers still say "Phường 7" years after it was merged)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from db.errors import DataError
from db.models import AdminUnit, AdminUnitFormer
from db.models.reference import UNIT_KINDS
from db.text_files import read_text
from rules.text import fold

CSV_COLUMNS = ("code", "name", "kind", "former_units")
_PART_MARKERS = {"(một phần)": "part", "(phần còn lại)": "rest"}


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    former: tuple[tuple[str, str], ...]  # (name, part)


def parse_former(text: str) -> tuple[tuple[str, str], ...]:
    """'Xã A;Phường 7 (TP X) (một phần)' → (('Xã A', 'whole'), ('Phường 7 (TP X)', 'part'))."""
    entries = []
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        part = "whole"
        for marker, value in _PART_MARKERS.items():
            if entry.endswith(marker):
                entry, part = entry[: -len(marker)].strip(), value
        entries.append((entry, part))
    return tuple(entries)


def read_units_csv(path: Path) -> list[UnitRow]:
    """Read and check every row; the first bad row is refused with its line number."""
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise DataError(f"{path}: the header must be {','.join(CSV_COLUMNS)}, "
                            f"not {','.join(reader.fieldnames or ())}")
        rows = [_row(path, reader.line_num, record) for record in reader]
    except csv.Error as exc:  # strict: a quote opened and never closed, …
        raise DataError(f"{path}, line {reader.line_num}: {exc} (a quote opened and never "
                        "closed?)") from None
    codes = [r.code for r in rows]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DataError(f"{path}: codes repeat: {', '.join(duplicates)}")
    if sum(r.kind == "tinh" for r in rows) > 1:
        raise DataError(f"{path}: more than one province row (kind tinh)")
    return rows


def _row(path: Path, line: int, record: dict[str, str | None]) -> UnitRow:
    values = {k: (record.get(k) or "").strip() for k in CSV_COLUMNS}
    for column in ("code", "name", "kind"):
        if not values[column]:
            raise DataError(f"{path}, line {line}: the {column} is missing")
    if not re.fullmatch(r"[0-9]{2,5}", values["code"]):
        raise DataError(f"{path}, line {line}: code {values['code']!r} is not 2 to 5 digits")
    if values["kind"] not in UNIT_KINDS:
        raise DataError(f"{path}, line {line}: kind {values['kind']!r} is not one of "
                        f"{', '.join(UNIT_KINDS)}")
    return UnitRow(values["code"], values["name"], values["kind"],
                   parse_former(values["former_units"]))


def load_units(session: Session, rows: list[UnitRow]) -> list[str]:
    """Add or update every unit of `rows` under its province; returns one line per change."""
    changes = []
    province = next((r.code for r in rows if r.kind == "tinh"), None)
    existing = {u.code: u for u in session.scalars(
        select(AdminUnit).options(selectinload(AdminUnit.former)))}
    # Parents first, so the self-reference is satisfied at every flush.
    for row in sorted(rows, key=lambda r: r.kind != "tinh"):
        parent = None if row.kind == "tinh" else province
        former = [AdminUnitFormer(name=n, folded=fold(n), part=p) for n, p in row.former]
        unit = existing.get(row.code)
        if unit is None:
            session.add(AdminUnit(code=row.code, name=row.name, folded=fold(row.name),
                                  kind=row.kind, parent_code=parent, former=former))
            changes.append(f"unit {row.code} {row.name}: added")
            continue
        before = (unit.name, unit.kind, unit.parent_code, [(f.name, f.part) for f in unit.former])
        if before != (row.name, row.kind, parent, list(row.former)):
            unit.name, unit.folded, unit.kind, unit.parent_code = (
                row.name, fold(row.name), row.kind, parent)
            unit.former = former
            changes.append(f"unit {row.code} {row.name}: updated")
        session.flush()
    session.flush()
    return changes


@dataclass(frozen=True)
class UnitMatch:
    code: str
    name: str
    former_name: str | None = None  # the former unit the query matched, if any
    part: str | None = None


def search_units(session: Session, query: str, limit: int = 20) -> list[UnitMatch]:
    """Units whose current or former name contains the query, accents and case ignored.

    Current names rank before former ones, and exact names before partial matches.
    """
    q = fold(query)
    if not q:
        return []
    pattern = f"%{q}%"
    units = session.scalars(
        select(AdminUnit)
        .outerjoin(AdminUnitFormer)
        .where(or_(AdminUnit.folded.like(pattern), AdminUnitFormer.folded.like(pattern)))
        .options(selectinload(AdminUnit.former))
        .distinct()
    ).all()
    ranked: list[tuple[tuple[int, str], UnitMatch]] = []
    for unit in units:
        if q in unit.folded:
            rank = 0 if unit.folded == q or unit.folded.endswith(" " + q) else 1
            ranked.append(((rank, unit.folded), UnitMatch(unit.code, unit.name)))
            continue
        for former in unit.former:
            if q in former.folded:
                exact = former.folded == q or former.folded.startswith(q + " (")
                ranked.append(((2 if exact else 3, unit.folded),
                               UnitMatch(unit.code, unit.name, former.name, former.part)))
                break
    ranked.sort(key=lambda item: item[0])
    return [match for _, match in ranked[:limit]]
