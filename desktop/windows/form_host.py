"""Where the topic's case form sits in the screen-pop: desktop.forms.CaseForm, built from the
topic's JSON Schema, rules and outcomes as the hub sends them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.forms import CaseForm


def make_form(topic: dict[str, Any], units: list[Any], language: str) -> CaseForm:
    """The topic's case form, from the schema, rules and outcomes the hub sent."""
    return CaseForm(topic.get("form_schema") or {}, topic.get("rules") or {},
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
