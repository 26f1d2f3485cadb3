"""Where the topic's case form sits in the screen-pop: the form built
from the topic's JSON Schema (desktop.forms.CaseForm), or a plain stand-in until it exists."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

try:  # the form widget is built by another part of the project
    from desktop.forms import CaseForm  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on what is checked in
    CaseForm = None


class PlaceholderForm(QWidget):
    """Stands where the case form goes while desktop.forms is not there: it shows the draft's
    values as JSON and hands them back unchanged, with the same API as CaseForm.

    Signals:
        changed(dict): the values changed.
        triage_changed(object): never (no triage without the real form).
        escalate_requested(): never.
    """

    changed = Signal(dict)
    triage_changed = Signal(object)
    escalate_requested = Signal()

    def __init__(self, schema: dict[str, Any], rules: dict[str, Any], outcomes: list[Any],
                 units: list[Any], language: str = "vi", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: dict[str, Any] = {}
        title = schema.get("title" if language == "vi" else "x-title-en") or ""
        self._title = QLabel(str(title), wordWrap=True)
        self._title.setStyleSheet("font-weight: 600;")
        self._text = QPlainTextEdit(readOnly=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._text)

    def values(self) -> dict[str, Any]:
        return dict(self._values)

    def set_values(self, values: dict[str, Any]) -> None:
        self._values.update(values)
        self._text.setPlainText(json.dumps(self._values, ensure_ascii=False, indent=2))
        self.changed.emit(self.values())

    def errors(self) -> list[tuple[str, str]]:
        return []


def make_form(topic: dict[str, Any], units: list[Any], language: str) -> QWidget:
    """The topic's case form: CaseForm when the project has it, else the stand-in."""
    factory = CaseForm if CaseForm is not None else PlaceholderForm
    return factory(topic.get("form_schema") or {}, topic.get("rules") or {},
                   topic.get("outcomes") or [], units, language=language)


class FormHost(QWidget):
    """Holds the current form (which scrolls itself, so a long form never pushes the window
    past 768 pixels), or a note while no call is up.

    Attributes:
        form: the form widget, or None when no call is up.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form: Any = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel(wordWrap=True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet("color: #6b6b6b;")
        self._layout.addWidget(self._empty)
        self.retranslate()

    def retranslate(self) -> None:
        self._empty.setText(self.tr("The case form of the caller's topic appears here when "
                                    "a call is put through."))

    def set_form(self, form: QWidget | None) -> None:
        if self.form is not None:
            self._layout.removeWidget(self.form)
            self.form.deleteLater()
        self.form = form
        self._empty.setVisible(form is None)
        if form is not None:
            self._layout.addWidget(form)
