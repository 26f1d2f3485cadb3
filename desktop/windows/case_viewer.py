"""A case read from the hub and shown as the form showed it (labels, choices, units, the
commune's name), read-only: what a double click on a history or search row opens."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.forms.case_form import field_order
from desktop.forms.editors import choices_of, label_of, unit_of
from desktop.models import format_date, format_time, state_label
from desktop.windows.labels import error_text, plain_text
from protocol.messages import Error, Reply

Topic = Mapping[str, Any]


def value_text(spec: Mapping[str, Any], value: Any, language: str,
               unit_name: Callable[[str | None], str], yes_no: tuple[str, str]) -> str:
    """One field's value in words: a choice's title, a list of them, a date, a number with
    its unit, a commune's name, yes or no."""
    if spec.get("x-widget") == "admin_unit":
        return unit_name(str(value))
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    items = spec.get("items") if spec.get("type") == "array" else None
    titles = dict(choices_of(items if isinstance(items, Mapping) else spec, language))
    if isinstance(value, list):
        return ", ".join(str(titles.get(v, v)) for v in value)
    if value in titles:
        return str(titles[value])
    if spec.get("format") == "date":
        return format_date(value)
    unit = unit_of(spec, language)
    return f"{value} {unit}".strip() if isinstance(value, int | float) else str(value)


class CaseViewer(QDialog):
    """One case, asked of the hub (case_get) when opened.

    Attributes:
        case: the hub's case, once it answered (None before, or after a refusal).
        message: what is being done, or why the case cannot be shown.
        fields: the form's (label, value) rows, as shown.
    """

    def __init__(self, connection: HubConnection, case_id: int,
                 topic_of: Callable[[str], Topic], unit_name: Callable[[str | None], str],
                 language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._topic_of, self._unit_name, self._language = topic_of, unit_name, language
        self.case: dict[str, Any] | None = None
        self.fields: list[tuple[str, str]] = []
        self.setMinimumSize(560, 480)
        self.message = plain_text(QLabel(wordWrap=True))
        self._header = plain_text(QLabel(wordWrap=True))
        self._header.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self._body = QWidget()
        self._form = QFormLayout(self._body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._header)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.setWindowTitle(self.tr("Case"))
        self.message.setText(self.tr("Reading the case…"))
        connection.case_get(case_id, self._on_case)

    def _on_case(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error):
            self.message.setText(error_text(answer.code, answer.message))
            return
        self.case = dict(answer.data.get("case") or {})
        self._show()

    def _show(self) -> None:
        case = self.case or {}
        topic = self._topic_of(str(case.get("topic") or ""))
        name = topic.get("name_en" if self._language == "en" else "name_vi") or case.get("topic")
        self.setWindowTitle(self.tr("Case %1").replace("%1", str(case.get("code") or "")))
        self._header.setText(f"{case.get('code', '')} · {name} · "
                             f"{state_label(str(case.get('status') or ''))}")
        self.message.setText(self.tr("Opened %1, last changed %2").replace(
            "%1", format_time(case.get("created_at"))).replace(
            "%2", format_time(case.get("updated_at"))))
        while self._form.rowCount():
            self._form.removeRow(0)
        schema = topic.get("form_schema") or {}
        properties = schema.get("properties") or {}
        form = case.get("form") or {}
        yes_no = (self.tr("Yes"), self.tr("No"))
        self.fields = []
        for name in field_order(schema):
            value = form.get(name)
            if value is None or value == [] or value == "":
                continue
            spec = properties.get(name) or {}
            row = (label_of(spec, self._language),
                   value_text(spec, value, self._language, self._unit_name, yes_no))
            self.fields.append(row)
        if case.get("notes"):
            self.fields.append((self.tr("Notes"), str(case["notes"])))
        for label, text in self.fields:
            shown = plain_text(QLabel(text, wordWrap=True))
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._form.addRow(plain_text(QLabel(label + ":")), shown)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.case is not None:
            self._show()
        super().changeEvent(event)
