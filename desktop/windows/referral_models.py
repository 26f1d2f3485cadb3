"""Forwarded reports as the desktops read them: the agencies a report goes to, the words for
a report's state and severity, how long until (or since) it is due, and the table model of the
reports (desktop/windows/referrals.py shows it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.i18n import QT_TRANSLATE_NOOP
from desktop.models import Column, DictTableModel, field_text, parse_time, short_time
from desktop.windows.badges import bold_font
from rules.referral import OPEN_STATES, forwarding_rules, is_overdue

Agencies = tuple[tuple[str, str], ...]  # (code, name): the hub's login data says which


OVERDUE_TEXT, OVERDUE_BACKGROUND = QColor("#c62828"), QColor("#fde2e1")
_STATES = {
    "forwarded": QT_TRANSLATE_NOOP("Models", "Forwarded"),
    "in_progress": QT_TRANSLATE_NOOP("Models", "In progress"),
    "resolved": QT_TRANSLATE_NOOP("Models", "Resolved"),
    "caller_informed": QT_TRANSLATE_NOOP("Models", "Caller informed"),
}
_SEVERITIES = {
    "low": QT_TRANSLATE_NOOP("Models", "Low"),
    "medium": QT_TRANSLATE_NOOP("Models", "Medium"),
    "high": QT_TRANSLATE_NOOP("Models", "High"),
    "urgent": QT_TRANSLATE_NOOP("Models", "Urgent"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Models", text)  # DictTableModel's headers' context


def referral_state_label(state: object) -> str:
    return _tr(_STATES[state]) if isinstance(state, str) and state in _STATES else str(state or "")


def severity_label(severity: object) -> str:
    return _tr(_SEVERITIES[severity]) if isinstance(severity, str) and severity in _SEVERITIES \
        else str(severity or "")


def span_text(span: timedelta) -> str:
    """2 d 4 h, 3 h 12 min, 12 min: how long until a report is due, or since it was."""
    minutes = max(0, int(span.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _tr(QT_TRANSLATE_NOOP("Models", "%1 d %2 h")).replace(
            "%1", str(days)).replace("%2", str(hours))
    if hours:
        return _tr(QT_TRANSLATE_NOOP("Models", "%1 h %2 min")).replace(
            "%1", str(hours)).replace("%2", str(minutes))
    return _tr(QT_TRANSLATE_NOOP("Models", "%1 min")).replace("%1", str(minutes))


def forwards(topic: Mapping[str, Any]) -> bool:
    """Whether the topic's reports are forwarded to an agency (its rules say how)."""
    rules = topic.get("rules")
    return forwarding_rules(rules if isinstance(rules, dict) else {}) is not None


def agencies_of(session: Mapping[str, Any]) -> Agencies:
    """The agencies a report can be forwarded to, from the login reply (data, not code)."""
    rows = session.get("agencies")
    return tuple((str(a["code"]), str(a["name"])) for a in rows
                 if isinstance(a, dict) and a.get("code")) if isinstance(rows, list) else ()


def agency_named(text: object, agencies: Agencies) -> str | None:
    """The code of the one agency a form's free text names (its code, its name or the start
    of it: "Sở Y tế"), if it names exactly one."""
    said = str(text or "").strip().casefold()
    found = [code for code, name in agencies if re.search(rf"\b{code.casefold()}\b", said) or
             (len(said) >= 4 and (said in name.casefold() or name.casefold() in said))]
    return found[0] if len(found) == 1 else None


def agency_of(session: Mapping[str, Any]) -> int | None:
    """The user's agency id, from the login reply (None: no agency — the agency's steps are
    offered on every report and the hub refuses those that are not theirs)."""
    agent = session.get("agent") if isinstance(session.get("agent"), dict) else {}
    found = session.get("agency_id", (agent or {}).get("agency_id"))
    return found if isinstance(found, int) and not isinstance(found, bool) else None


class ReferralsModel(DictTableModel):
    """The forwarded reports: the open ones first, each by the earliest due.

    Each row is the hub's (callcenter/hub/referrals.py referral_rows): id, case_id, case_code,
    topic, agency_id, agency, agency_name, state, due_at, forwarded_at, forwarded_by, place,
    unit, severity, description, note, resolution, updated_at, updated_by."""

    PLACE, DUE = 1, 6

    def __init__(self, now: Callable[[], datetime], parent: QObject | None = None) -> None:
        super().__init__([
            Column(QT_TRANSLATE_NOOP("Models", "Code"), field_text("case_code")),
            Column(QT_TRANSLATE_NOOP("Models", "Place reported"), field_text("place")),
            Column(QT_TRANSLATE_NOOP("Models", "Commune or ward"), field_text("unit")),
            Column(QT_TRANSLATE_NOOP("Models", "Severity"),
                   lambda row: severity_label(row.get("severity"))),
            Column(QT_TRANSLATE_NOOP("Models", "Agency"), field_text("agency")),
            Column(QT_TRANSLATE_NOOP("Models", "State"),
                   lambda row: referral_state_label(row.get("state"))),
            Column(QT_TRANSLATE_NOOP("Models", "Answer due"), self._due_text),
            Column(QT_TRANSLATE_NOOP("Models", "Updated by"), self._updated_text),
        ], parent)
        self._now = now

    def is_overdue(self, row: Mapping[str, Any]) -> bool:
        due = parse_time(row.get("due_at"))
        return due is not None and is_overdue(str(row.get("state")), due, self._now())

    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if self.is_overdue(row))

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        latest = datetime.max.replace(tzinfo=UTC)
        super().set_rows(sorted(
            (row for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)),
            key=lambda row: (row.get("state") not in OPEN_STATES,
                             parse_time(row.get("due_at")) or latest)))

    def merge(self, changed: Sequence[dict[str, Any]]) -> None:
        """Rows changed lately: each replaces the row of its id; a caller_informed one (the
        caller was told: the report is closed) leaves the list."""
        rows = {row["id"]: row for row in self.rows}
        for row in changed:
            if not isinstance(row, dict) or not isinstance(row.get("id"), int):
                continue
            if row.get("state") == "caller_informed":
                rows.pop(row["id"], None)
            else:
                rows[row["id"]] = row
        self.set_rows(list(rows.values()))

    def tick(self) -> None:
        """The due column again: it counts on the clock."""
        if self.rows:
            self.dataChanged.emit(self.index(0, self.DUE),
                                  self.index(len(self.rows) - 1, self.DUE))

    def _due_text(self, row: dict[str, Any]) -> str:
        now, due = self._now(), parse_time(row.get("due_at"))
        at = short_time(row.get("due_at"), now)
        if due is None or row.get("state") not in OPEN_STATES:
            return at
        if due < now:
            late = _tr(QT_TRANSLATE_NOOP("Models", "overdue by %1"))
            return f"{at} · " + late.replace("%1", span_text(now - due))
        return f"{at} · " + _tr(QT_TRANSLATE_NOOP("Models", "%1 left")).replace(
            "%1", span_text(due - now))

    def _updated_text(self, row: dict[str, Any]) -> str:
        at = short_time(row.get("updated_at"), self._now())
        who = str(row.get("updated_by") or "")
        return f"{who} · {at}" if who and at else who or at

    def style_data(self, row: dict[str, Any], column: int, role: int) -> Any:
        if not self.is_overdue(row):
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(OVERDUE_BACKGROUND)
        if column == self.DUE and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OVERDUE_TEXT)
        if column == self.DUE and role == Qt.ItemDataRole.FontRole:
            return bold_font(QFont())
        return None
