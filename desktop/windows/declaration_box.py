"""The web declaration that matches the caller, shown beside the history: who declared, where,
when, what they reported — the form's coded answers named as the form names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from desktop.models import format_date
from desktop.windows.labels import plain_text
from rules.phone import display_phone

# Two to a row (label, value, label, value); None: the field has the row to itself.
DECLARATION_ROWS = (("received_at", "phone"), ("full_name", "birth_year"),
                    ("sex", "positive_date"), ("admin_unit", "test_type"),
                    ("address_detail", None), ("symptoms", None))


def choice_title(topic: dict[str, Any], field: str, code: Any, language: str) -> str | None:
    """The label the topic's form gives a coded value (oneOf const/title), in `language`."""
    spec = ((topic.get("form_schema") or {}).get("properties") or {}).get(field) or {}
    for choice in spec.get("oneOf") or []:
        if isinstance(choice, dict) and choice.get("const") == code:
            title = choice.get("x-title-en") if language == "en" else None
            return str(title or choice.get("title") or code)
    return None


class DeclarationBox(QGroupBox):
    """The web declaration matching the caller's number, field by field."""

    def __init__(self, unit_name: Callable[[str | None], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unit_name = unit_name
        self._declaration: dict[str, Any] | None = None
        self._choices: Callable[[str, Any], str | None] | None = None
        self._layout = QGridLayout(self)
        self._layout.setHorizontalSpacing(10)
        self._layout.setVerticalSpacing(3)
        self._layout.setColumnStretch(1, 1)
        self._layout.setColumnStretch(3, 1)
        self.retranslate()

    def _labels(self) -> dict[str, str]:
        return {"received_at": self.tr("Received"), "full_name": self.tr("Full name"),
                "phone": self.tr("Phone"), "birth_year": self.tr("Year of birth"),
                "sex": self.tr("Sex"), "admin_unit": self.tr("Commune or ward"),
                "address_detail": self.tr("Address"), "positive_date": self.tr("Positive on"),
                "test_type": self.tr("Test"), "symptoms": self.tr("Symptoms")}

    def set_declaration(self, declaration: dict[str, Any] | None,
                        choices: Callable[[str, Any], str | None] | None = None) -> None:
        """Show `declaration`; `choices(field, code)` names a coded value (a test type) as
        the topic's form does, or None."""
        self._declaration, self._choices = declaration, choices
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Matching declaration"))
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        declaration = self._declaration
        self.setVisible(bool(declaration))
        if not declaration:
            return
        labels = self._labels()
        for row, keys in enumerate(DECLARATION_ROWS):
            for column, key in enumerate(keys):
                if key is None:
                    continue
                name = QLabel(labels[key] + ":")
                name.setStyleSheet("color: #555;")
                value = plain_text(QLabel(self._value(declaration, key), wordWrap=True))
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._layout.addWidget(name, row, 2 * column)
                self._layout.addWidget(value, row, 2 * column + 1, 1, 3 if keys[1] is None
                                       else 1)

    def _value(self, declaration: dict[str, Any], key: str) -> str:
        value = declaration.get(key)
        if key == "admin_unit":
            code = declaration.get("admin_unit_code") or value
            return self._unit_name(str(code)) if code else ""
        if key in ("received_at", "positive_date"):
            return format_date(value)
        if key == "phone":
            return display_phone(str(value or ""))
        named = self._choices(key, value) if self._choices and value is not None else None
        if named:
            return named
        if key == "sex":
            return {"male": self.tr("Male"), "female": self.tr("Female"),
                    "other": self.tr("Other")}.get(str(value), str(value or ""))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)
