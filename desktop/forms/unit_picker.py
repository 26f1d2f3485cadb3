"""The administrative-unit picker: type part of a current or former name, pick, store the code.

Callers still name the ward they knew before the 2025 merger ("Phường 7"), so the search covers
the former names too, accents and case ignored (the same folding as db.units.search_units).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop.forms.editors import FieldEditor
from rules.text import fold

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
_NOT_A_UNIT = {"tinh", "province"}  # the province itself is not a commune or ward


@dataclass(frozen=True)
class UnitEntry:
    code: str
    name: str
    former: tuple[str, ...]
    folded: str
    folded_former: tuple[str, ...]

    def display(self, query: str = "") -> str:
        """'name — former names', those matching `query` first (a long list is cut off at the
        popup's edge); the unit's own name is left out of the former ones."""
        q = fold(query)
        others = sorted((f for f in self.former if fold(f) != self.folded),
                        key=lambda f: not q or q not in fold(f))
        return f"{self.name} — {', '.join(others)}" if others else self.name


def unit_entries(units: Sequence[Mapping[str, Any]]) -> list[UnitEntry]:
    """Units as the hub sends them: {"code", "name", "kind"?, "former": [name, ...]}.

    `former` items may also be {"name": …}; a CSV-style `former_units` string ("A;B") is read too.
    """
    entries = []
    for unit in units:
        if unit.get("kind") in _NOT_A_UNIT:
            continue
        former_raw = unit.get("former")
        if former_raw is None:
            former_raw = [p for p in str(unit.get("former_units", "")).split(";") if p.strip()]
        former = tuple(str(f["name"] if isinstance(f, Mapping) else f).strip() for f in former_raw)
        entries.append(UnitEntry(str(unit["code"]), str(unit["name"]), former,
                                 fold(str(unit["name"])), tuple(fold(f) for f in former)))
    return entries


def match_units(entries: Sequence[UnitEntry], query: str, limit: int = 20) -> list[UnitEntry]:
    """Entries whose current or former name contains `query`; current-name matches first, then
    whole-word former names ("Phường 7" before "Phường 70"), then other partial matches."""
    q = fold(query)
    if not q:
        return []
    ranked: list[tuple[int, str, UnitEntry]] = []
    for entry in entries:
        if q in entry.folded:
            exact = entry.folded == q or entry.folded.endswith(" " + q)
            ranked.append((0 if exact else 1, entry.folded, entry))
        else:
            former = [f for f in entry.folded_former if q in f]
            if former:
                exact = any(f == q or f.startswith(q + " ") for f in former)
                ranked.append((2 if exact else 3, entry.folded, entry))
    ranked.sort(key=lambda item: item[:2])
    return [entry for _, _, entry in ranked[:limit]]


class AdminUnitPicker(FieldEditor):
    """A line edit with a popup of matching units; the value is the chosen unit's code.

    Typing a unit's exact name (accents optional) also chooses it. Text that matches no unit
    stays as typed, with an inline error, so nothing the nurse wrote is thrown away.
    """

    def __init__(self, units: Sequence[Mapping[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries = unit_entries(units)
        self._by_code = {e.code: e for e in self._entries}
        self._code: str | None = None
        self._edit = QLineEdit()
        self._edit.setPlaceholderText(self.tr("Search by current or former name"))
        self._model = QStandardItemModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setWidget(self._edit)
        # activated is overloaded (str, QModelIndex); PySide6's SignalInstance picks one with
        # [type] at run time, but its stub has no __getitem__.
        self._completer.activated[QModelIndex].connect(self._chosen)  # type: ignore[index]
        self._edit.textEdited.connect(self._typed)
        self._row(self).addWidget(self._edit)

    def _typed(self, text: str) -> None:
        matches = match_units(self._entries, text)
        self._model.clear()
        for entry in matches:
            item = QStandardItem(entry.display(text))
            item.setData(entry.code, CODE_ROLE)
            item.setData(entry.name, NAME_ROLE)
            item.setToolTip(entry.display())
            self._model.appendRow(item)
        exact = [e for e in self._entries if e.folded == fold(text)]
        self._code = exact[0].code if len(exact) == 1 else None
        if matches:
            popup = self._completer.popup()
            if popup is not None:  # always, in a popup mode: Qt makes the list on demand
                popup.setMinimumWidth(max(self._edit.width(), 460))
            self._completer.complete()
        self.edited.emit()

    def _chosen(self, index: QModelIndex) -> None:
        self._code = index.data(CODE_ROLE)
        self._edit.setText(index.data(NAME_ROLE))
        self.edited.emit()

    def completer(self) -> QCompleter:
        return self._completer

    def text(self) -> str:
        return self._edit.text()

    def value(self) -> str | None:
        return self._code

    def set_value(self, value: Any) -> None:
        self._code = None if value in (None, "") else str(value)
        entry = self._by_code.get(self._code or "")
        self._edit.setText(entry.name if entry else self._code or "")
        self.edited.emit()

    def local_error(self) -> str | None:
        if self._edit.text().strip() and self._code is None:
            return self.tr("Choose a commune or ward from the list")
        return None

    def focus_widget(self) -> QWidget:
        return self._edit
