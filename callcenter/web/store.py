"""The web side's database work, each function one transaction run off the event loop (the
caller passes it to `Intake.db`): a declaration checked and received, a status looked up,
the units the form offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit, declarations
from db.declarations import Form, Received
from db.models import AdminUnit, ApiSource
from db.units import search_units
from rules.declaration import FieldError
from rules.text import fold

PLACE_KINDS = ("xa", "phuong", "dac_khu")  # what a person lives in (not the province)


@dataclass(frozen=True)
class UnitOption:
    code: str
    label: str  # "Xã Tân Thuận (trước đây: Xã Tân Đức, Xã Tân Thuận)"


def unit_options(session: Session, former_word: str) -> list[UnitOption]:
    """The province's communes and wards, each with its former names, by name."""
    rows = session.scalars(select(AdminUnit).where(AdminUnit.kind.in_(PLACE_KINDS))
                           .order_by(AdminUnit.folded)).all()
    options = []
    for unit in rows:
        former = [f.name for f in unit.former if fold(f.name) != unit.folded]
        label = f"{unit.name} ({former_word}: {', '.join(former)})" if former else unit.name
        options.append(UnitOption(unit.code, label))
    return options


def resolve_unit(session: Session, typed: str, options: list[UnitOption]
                 ) -> str | FieldError:
    """What the person typed or picked in the unit field, as a unit code: a label from the
    list, a code, or a current or former name matching one unit."""
    typed = typed.strip()
    for option in options:
        if typed == option.label or typed == option.code:
            return option.code
    matches = search_units(session, typed, limit=6)
    exact = [m for m in matches if fold(m.name) == fold(typed)]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0].code
    if matches:
        names = [m.name for m in matches[:5]]
        return FieldError("admin_unit", "admin_unit_many", "several units match", names)
    return FieldError("admin_unit", "admin_unit", f"no unit matches {typed!r}")


def unit_codes(session: Session) -> frozenset[str]:
    """Every unit's code (what a declaration's unit is checked against)."""
    return frozenset(session.scalars(select(AdminUnit.code)))


def submit(session: Session, form: Form, data: dict[str, Any], unit_typed: str | None,
           units: list[UnitOption], codes: frozenset[str], *, source: str, now: datetime,
           today: date, idempotency_key: str | None = None, client: str | None = None
           ) -> Received | list[FieldError]:
    """Check and, if nothing is wrong, receive a declaration. From the web form the unit is
    what was typed (`unit_typed`, resolved among `units`); from the API it is a code in
    `data`, one of `codes`."""
    unit_error = None
    if unit_typed:
        resolved = resolve_unit(session, unit_typed, units)
        if isinstance(resolved, FieldError):
            unit_error = resolved
        else:
            data = {**data, "admin_unit": resolved}
    errors = declarations.problems(session, form, data, today, codes)
    if unit_error is not None:
        errors = [e for e in errors if e.field != "admin_unit"] + [unit_error]
    if errors:  # refused: audited too, with what was wrong (not what was typed)
        audit.record(session, f"source:{source}", "declaration_refused", None, client=client,
                     topic=form.topic_key, errors=[f"{e.field}:{e.code}" for e in errors])
        return errors
    return declarations.receive(session, form, data, source=source, now=now, today=today,
                                idempotency_key=idempotency_key, client=client)


def source_of_key(session: Session, key_sha256: str) -> str | None:
    """The active API source whose key has this hash."""
    return session.scalar(select(ApiSource.name).where(
        ApiSource.key_sha256 == key_sha256, ApiSource.active))
