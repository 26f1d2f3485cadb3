"""One editor per kind of JSON Schema property, each with the same small interface.

An editor shows one field of a case form and converts between what the nurse typed and the JSON
value the schema wants. `None` means "not filled": the form leaves such fields out of its values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from desktop.models import LOCAL_TZ

Spec = Mapping[str, Any]


class _ListKey(QObject):
    """Gives a combo box its own F4 (Qt's key for the list, as on Windows) over the window's
    shortcut on F4 (Logged Out, which takes the nurse out of the queue)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_F4 and not event.modifiers():
            event.accept()  # the key press goes to the combo box, which opens its list
            return True
        return super().eventFilter(watched, event)


def keeps_list_key(combo: QComboBox) -> QComboBox:
    """`combo`, its F4 opening its list whatever the window's shortcuts."""
    combo.installEventFilter(_ListKey(combo))
    return combo


def label_of(spec: Spec, language: str) -> str:
    """The field's or choice's label: `x-title-en` in English, `title` otherwise."""
    title = str(spec.get("title", spec.get("const", "")))
    return str(spec.get("x-title-en", title)) if language == "en" else title


def unit_of(spec: Spec, language: str) -> str:
    """The unit shown beside a number: `x-unit-en` in English (`x-unit` if the same in both)."""
    unit = str(spec.get("x-unit", ""))
    return str(spec.get("x-unit-en", unit)) if language == "en" else unit


def choices_of(spec: Spec, language: str) -> list[tuple[Any, str]]:
    """(value, label) of a choice field (`oneOf` of `const`s, or `enum`) in schema order."""
    if "oneOf" in spec:
        return [(c["const"], label_of(c, language)) for c in spec["oneOf"] if "const" in c]
    return [(v, str(v)) for v in spec.get("enum", [])]


class FieldEditor(QWidget):
    """Base of the editors.

    Signals:
        edited: the nurse changed the value (also fires on set_value; the form tells them apart).
    """

    edited = Signal()

    def value(self) -> Any:
        """The JSON value, or None when the field is empty."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def local_error(self) -> str | None:
        """What was typed but cannot become a value (e.g. "3," in a number); None if fine."""
        return None

    def focus_widget(self) -> QWidget:
        """The widget a label's buddy and the error scroll go to."""
        return self

    @staticmethod
    def _row(parent: QWidget) -> QHBoxLayout:
        layout = QHBoxLayout(parent)
        layout.setContentsMargins(0, 0, 0, 0)
        return layout


class TextEditor(FieldEditor):
    def __init__(self, spec: Spec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = QLineEdit()
        if "maxLength" in spec:
            self._edit.setMaxLength(int(spec["maxLength"]))
        self._edit.textChanged.connect(self.edited)
        self._row(self).addWidget(self._edit)

    def value(self) -> str | None:
        return self._edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self._edit.setText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self._edit


class TextAreaEditor(FieldEditor):
    """Several lines; its `maxLength` is the schema's to enforce (QPlainTextEdit has none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = QPlainTextEdit()
        self._edit.setTabChangesFocus(True)  # keyboard-first: Tab moves on, as everywhere else
        self._edit.setFixedHeight(self._edit.fontMetrics().lineSpacing() * 4 + 12)
        self._edit.textChanged.connect(self.edited)
        self._row(self).addWidget(self._edit)

    def value(self) -> str | None:
        return self._edit.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self._edit.setPlainText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self._edit


class NumberEditor(FieldEditor):
    """A line edit rather than a spin box: a spin box cannot be empty, and "not measured" is
    not 0. Accepts a comma as the decimal mark, as Vietnamese writes it. The range is shown as
    a placeholder and enforced by the schema's own minimum/maximum (the form shows the error)."""

    def __init__(self, spec: Spec, language: str = "vi", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._integer = spec.get("type") == "integer"
        low, high = spec.get("minimum"), spec.get("maximum")
        digits = len(str(int(max(abs(low or 0), abs(high or 0))))) if high is not None else 9
        sign = "-?" if low is None or low < 0 else ""
        decimals = "" if self._integer else r"([.,]\d{0,2})?"
        self._edit = QLineEdit()
        self._edit.setValidator(QRegularExpressionValidator(
            QRegularExpression(rf"^{sign}\d{{0,{digits}}}{decimals}$"), self._edit))
        if low is not None and high is not None:
            self._edit.setPlaceholderText(f"{_number_text(low)}–{_number_text(high)}")
        self._edit.setMaximumWidth(110)
        self._edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._edit.textChanged.connect(self.edited)
        layout = self._row(self)
        layout.addWidget(self._edit)
        unit = unit_of(spec, language)
        if unit:
            layout.addWidget(QLabel(unit))
        layout.addStretch(1)

    def value(self) -> int | float | None:
        text = self._edit.text().strip().replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            return None
        if self._integer or "." not in text:
            return int(float(text))
        return float(text)

    def set_value(self, value: Any) -> None:
        self._edit.setText("" if value is None else _number_text(value))

    def local_error(self) -> str | None:
        text = self._edit.text().strip()
        if text and self.value() is None:
            return self.tr("Not a number")
        return None

    def focus_widget(self) -> QWidget:
        return self._edit


def today() -> QDate:
    """Today in Cà Mau (Asia/Ho_Chi_Minh), whatever time zone the PC is set to."""
    now = datetime.now(LOCAL_TZ)
    return QDate(now.year, now.month, now.day)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class BoolEditor(FieldEditor):
    """A check box. Once touched (or set), unticked is a real `false`; untouched is not filled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QCheckBox()
        self._filled = False
        self._box.toggled.connect(self._toggled)
        layout = self._row(self)
        layout.addWidget(self._box)
        layout.addStretch(1)

    def _toggled(self) -> None:
        self._filled = True
        self.edited.emit()

    def value(self) -> bool | None:
        return self._box.isChecked() if self._filled else None

    def set_value(self, value: Any) -> None:
        self._box.setChecked(bool(value))
        self._filled = value is not None

    def focus_widget(self) -> QWidget:
        return self._box


class DateEditor(FieldEditor):
    """QDateEdit with its minimum as "no date" (shown as a dash), a calendar popup that opens on
    today's month when empty, typing a digit into an empty date starting from today, and a clear
    button (Delete also clears)."""

    NULL = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = QDateEdit()
        self._edit.setCalendarPopup(True)
        self._edit.setDisplayFormat("dd/MM/yyyy")
        self._edit.setMinimumDate(self.NULL)
        self._edit.setSpecialValueText("—")
        self._edit.setDate(self.NULL)
        self._calendar = self._edit.calendarWidget()
        self._calendar.installEventFilter(self)
        self._edit.installEventFilter(self)
        self._edit.dateChanged.connect(self.edited)
        clear = QToolButton()
        clear.setText("×")
        clear.setToolTip(self.tr("Clear the date"))
        clear.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        clear.clicked.connect(lambda: self._edit.setDate(self.NULL))
        layout = self._row(self)
        layout.addWidget(self._edit)
        layout.addWidget(clear)
        layout.addStretch(1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and watched is self._calendar and self._empty():
            now = today()
            self._calendar.setCurrentPage(now.year(), now.month())
        elif event.type() == QEvent.Type.KeyPress and watched is self._edit:
            if not isinstance(event, QKeyEvent):
                raise RuntimeError("expected isinstance(event, QKeyEvent)")
            if event.key() == Qt.Key.Key_Delete:
                self._edit.setDate(self.NULL)
                return True
            if self._empty() and event.text().isdigit():
                self._edit.setDate(today())
                self._edit.setSelectedSection(QDateEdit.Section.DaySection)
        return super().eventFilter(watched, event)

    def _empty(self) -> bool:
        return self._edit.date() == self.NULL

    def value(self) -> str | None:
        date = self._edit.date()
        return None if date == self.NULL else date.toString(Qt.DateFormat.ISODate)

    def set_value(self, value: Any) -> None:
        date = QDate.fromString(str(value), Qt.DateFormat.ISODate) if value else self.NULL
        self._edit.setDate(date if date.isValid() else self.NULL)

    def focus_widget(self) -> QWidget:
        return self._edit


class ChoiceEditor(FieldEditor):
    """A combo box whose first item is empty (not chosen). A value that is not a choice (an old
    draft, a changed form) is kept as an extra item rather than dropped."""

    def __init__(self, spec: Spec, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._combo = keeps_list_key(QComboBox())
        self._combo.addItem("", None)
        for value, label in choices_of(spec, language):
            self._combo.addItem(label, value)
        self._combo.currentIndexChanged.connect(self.edited)
        layout = self._row(self)
        layout.addWidget(self._combo, 1)

    def value(self) -> Any:
        return self._combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self._combo.findData(value) if value is not None else 0
        if index < 0:
            self._combo.addItem(f"{value} (?)", value)
            index = self._combo.count() - 1
        self._combo.setCurrentIndex(index)

    def focus_widget(self) -> QWidget:
        return self._combo


class MultiChoiceEditor(FieldEditor):
    """An array of choices as check boxes in two columns (one when the labels are long)."""

    def __init__(self, spec: Spec, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._boxes: dict[Any, QCheckBox] = {}
        self._unknown: list[Any] = []  # values that are not choices, kept rather than dropped
        self._filled = False
        choices = choices_of(spec.get("items", {}), language)
        columns = 2 if all(len(label) <= 30 for _, label in choices) else 1
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for i, (value, label) in enumerate(choices):
            box = self._boxes[value] = QCheckBox(label)
            box.toggled.connect(self._toggled)
            grid.addWidget(box, i // columns, i % columns)

    def _toggled(self) -> None:
        self._filled = True
        self.edited.emit()

    def value(self) -> list[Any] | None:
        ticked = [v for v, box in self._boxes.items() if box.isChecked()] + self._unknown
        return ticked if ticked or self._filled else None

    def set_value(self, value: Any) -> None:
        chosen = list(value) if isinstance(value, list) else []
        for code, box in self._boxes.items():
            box.setChecked(code in chosen)
        self._unknown = [v for v in chosen if v not in list(self._boxes)]
        self._filled = value is not None

    def box(self, value: Any) -> QCheckBox:
        return self._boxes[value]

    def focus_widget(self) -> QWidget:
        return next(iter(self._boxes.values()), self)
