"""The case form a nurse or clerk fills during a call, generated from the topic's JSON Schema."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.forms.editors import (
    BoolEditor,
    ChoiceEditor,
    DateEditor,
    FieldEditor,
    MultiChoiceEditor,
    NumberEditor,
    TextAreaEditor,
    TextEditor,
    label_of,
)
from desktop.forms.triage_view import TriageBadge, TriageBar
from desktop.forms.unit_picker import AdminUnitPicker
from desktop.forms.validation import FORM_LEVEL, schema_errors
from rules.forms import required_now, with_outcomes
from rules.triage import Triage, triage

Spec = Mapping[str, Any]
_ERROR_STYLE = "color: #c62828;"


def make_editor(spec: Spec, language: str, units: Sequence[Mapping[str, Any]]) -> FieldEditor:
    """The editor for one property: by `x-widget` first, then by its type and choices."""
    widget, kind = spec.get("x-widget"), spec.get("type")
    if widget == "admin_unit":
        return AdminUnitPicker(units)
    if widget == "textarea":
        return TextAreaEditor()
    if kind == "array":
        return MultiChoiceEditor(spec, language)
    if "oneOf" in spec or "enum" in spec:
        return ChoiceEditor(spec, language)
    if kind == "boolean":
        return BoolEditor()
    if kind in ("integer", "number"):
        return NumberEditor(spec, language)
    if spec.get("format") == "date":
        return DateEditor()
    return TextEditor(spec)


def field_order(schema: Spec) -> list[str]:
    """`x-order`, then any property it forgets (so no field is ever hidden)."""
    properties = schema.get("properties", {})
    order = [name for name in schema.get("x-order", []) if name in properties]
    return order + [name for name in properties if name not in order]


class CaseForm(QWidget):
    """A topic's case form: one editor per property in `x-order`, inline errors, live triage.

    The schema's `x-outcomes` field takes its choices from `outcomes`. When the rules have
    triage levels, the level field is computed (a read-only badge), and a bar above the form
    shows the level, the red flags and, when escalation is due, the 115 button.

    Attributes:
        triage_bar: the level, red flags and 115 button above the form; None without triage.

    Signals:
        changed(dict): values() after every edit by the nurse (not after set_values).
        triage_changed(object): the new Triage whenever it differs from the last one.
        escalate_requested(): the nurse asked to transfer the caller to emergency.
    """

    changed = Signal(dict)
    triage_changed = Signal(object)
    escalate_requested = Signal()

    def __init__(self, schema: Spec, rules: Spec, outcomes: Sequence[Mapping[str, str]],
                 units: Sequence[Mapping[str, Any]], language: str = "vi",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A schema from the server already has its outcomes; an empty list must not erase them.
        self._schema = (with_outcomes(dict(schema), outcomes) if outcomes
                        else dict(schema))
        self._rules = rules
        self._language = language
        properties = self._schema.get("properties", {})
        self._order = field_order(self._schema)
        self._required = set(self._schema.get("required", []))
        triage_rules = rules.get("triage", {})
        level_field = triage_rules.get("level_field")
        computed = bool(triage_rules.get("levels")) and level_field in properties
        self._level_field: str | None = level_field if computed else None
        self._editors: dict[str, FieldEditor] = {}
        self._error_labels: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._show_all = False  # after errors() every error stays in sight
        self._setting = False
        self._extra: dict[str, Any] = {}  # values of a draft that are not fields of this form
        self._triage: Triage | None = None
        self._build(properties, units)
        self._refresh_triage()
        self._mark_required()

    # -- building ------------------------------------------------------------------------
    def _build(self, properties: Mapping[str, Spec], units: Sequence[Mapping[str, Any]]) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.triage_bar: TriageBar | None = None
        self._level_badge: TriageBadge | None = None
        if self._level_field:
            self.triage_bar = TriageBar(properties[self._level_field], self._language)
            self.triage_bar.escalate_requested.connect(self.escalate_requested)
            outer.addWidget(self.triage_bar)
        self._form_error = QLabel()
        self._form_error.setStyleSheet(_ERROR_STYLE)
        self._form_error.setWordWrap(True)
        self._form_error.hide()
        outer.addWidget(self._form_error)
        content = QWidget()
        # The form on top, spare height below it: rows never stretch when the panel is tall.
        stack = QVBoxLayout(content)
        form = QFormLayout()
        stack.addLayout(form)
        stack.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        title = QLabel(label_of(self._schema, self._language))
        title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        title.setWordWrap(True)
        form.addRow(title)
        for name in self._order:
            label, field = self._make_row(name, properties[name], units)
            form.addRow(label, field)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(content)
        outer.addWidget(self._scroll, 1)

    def _make_row(self, name: str, spec: Spec, units: Sequence[Mapping[str, Any]]
                  ) -> tuple[QLabel, QWidget]:
        label = self._labels[name] = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        self._mark(name, name in self._required)
        label.setWordWrap(True)
        label.setMinimumWidth(150)
        label.setMaximumWidth(190)
        field = QWidget()
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        if name == self._level_field:
            self._level_badge = TriageBadge(spec, self._language)
            column.addWidget(self._level_badge, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            editor = self._editors[name] = make_editor(spec, self._language, units)
            editor.focus_widget().setObjectName(f"field_{name}")
            editor.edited.connect(partial(self._edited, name))
            label.setBuddy(editor.focus_widget())
            column.addWidget(editor)
        error = self._error_labels[name] = QLabel()
        error.setObjectName(f"error_{name}")
        error.setStyleSheet(_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self._rows[name] = field
        return label, field

    # -- public API ------------------------------------------------------------------------
    def fields(self) -> list[str]:
        """The fields in the order they are shown."""
        return list(self._order)

    def editor(self, name: str) -> FieldEditor:
        return self._editors[name]

    def label(self, name: str) -> str:
        """The field's label in the form's language (its name if it is not in the form)."""
        spec = self._schema.get("properties", {}).get(name)
        return label_of(spec, self._language) if isinstance(spec, dict) else name

    def triage(self) -> Triage | None:
        """The current triage, or None when the topic has no triage levels."""
        return self._triage

    def values(self) -> dict[str, Any]:
        """The filled fields as JSON values (the computed level included), in field order."""
        data = self._entered()
        if self._level_field and self._triage and self._triage.assessed:
            data[self._level_field] = self._triage.level
        ordered = {name: data[name] for name in self._order if name in data}
        return {**ordered, **self._extra}

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set the fields given (a draft, an open case, the outcome after a transfer); a None
        clears one, the others keep what they hold. The level is computed, never taken from
        `values`. Emits no `changed` (the nurse did not edit), but `triage_changed` if due."""
        self._setting = True
        try:
            for name, value in values.items():
                if name in self._editors:
                    self._editors[name].set_value(value)
        finally:
            self._setting = False
        self._extra.update({k: v for k, v in values.items() if k not in self._rows})
        self._touched |= {name for name in self._editors if values.get(name) is not None}
        self._refresh_triage()
        self._mark_required()
        self._show_errors(self._collect_errors())

    def errors(self) -> list[tuple[str, str]]:
        """Validate (the schema with outcomes, as the server does) and show every error inline.

        Returns (field, message) in field order; a problem of no one field has field "".
        From now on every error stays shown and follows the nurse's edits.
        """
        found = self._collect_errors()
        self._show_all = True
        self._show_errors(found)
        first = next((name for name in self._order if name in found), None)
        if first is not None:
            self._scroll.ensureWidgetVisible(self._rows[first])
        keys = [FORM_LEVEL, *self._order]
        return [(name, found[name]) for name in keys if name in found]

    # -- behaviour ---------------------------------------------------------------------------
    def _entered(self) -> dict[str, Any]:
        return {name: value for name, editor in self._editors.items()
                if name != self._level_field and (value := editor.value()) is not None}

    def _edited(self, name: str) -> None:
        if self._setting:
            return
        self._touched.add(name)
        self._refresh_triage()
        self._mark_required()
        self._show_errors(self._collect_errors())
        self.changed.emit(self.values())

    def _refresh_triage(self) -> None:
        if not self._level_field:
            return
        result = triage(self._rules, self._triage_input(), schema=self._schema)
        if result == self._triage:
            return
        self._triage = result
        if self.triage_bar is not None:
            self.triage_bar.show_triage(result, [self.label(name) for name in result.missing])
        if self._level_badge is not None:
            self._level_badge.set_level(result.level if result.assessed else None)
        self.triage_changed.emit(result)

    def _triage_input(self) -> dict[str, Any]:
        """What was entered, less numbers outside their field's range: "9" on the way to "95"
        must not flash a red flag."""
        properties = self._schema.get("properties", {})
        data = self._entered()
        for name, value in list(data.items()):
            spec = properties.get(name, {})
            if isinstance(value, int | float) and not isinstance(value, bool) and (
                    value < spec.get("minimum", value) or value > spec.get("maximum", value)):
                del data[name]
        return data

    def _collect_errors(self) -> dict[str, str]:
        found = {name: error for name, editor in self._editors.items()
                 if (error := editor.local_error())}
        labels = {name: self.label(name) for name in self._order}
        for name, text in schema_errors(self._schema, self.values(), self._language,
                                        labels).items():
            found.setdefault(name, text)
        return found

    def _mark(self, name: str, required: bool) -> None:
        text = html.escape(self.label(name), quote=False)
        if required:
            text += ' <span style="color:#c62828">*</span>'
        self._labels[name].setText(text)
        self._labels[name].setProperty("required", required)

    def _mark_required(self) -> None:
        """A star on each field required now: the form's own, and those a rule between fields
        asks for given what is entered (a follow-up's date once the outcome is follow-up)."""
        needed = required_now(self._schema, self.values())
        for name, label in self._labels.items():
            if bool(label.property("required")) != (name in needed):
                self._mark(name, name in needed)

    def required(self) -> list[str]:
        """The fields marked required now, in field order."""
        return [name for name in self._order if self._labels[name].property("required")]

    def _show_errors(self, found: Mapping[str, str]) -> None:
        for name, label in self._error_labels.items():
            text = found.get(name) if self._show_all or name in self._touched else None
            label.setText(text or "")
            label.setVisible(bool(text))
        form_level = found.get(FORM_LEVEL)
        self._form_error.setText(form_level or "")
        self._form_error.setVisible(bool(form_level))
