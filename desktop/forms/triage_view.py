"""How the triage shows: a coloured level badge, the red flags found, and the 115 button."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.forms.editors import choices_of
from rules.triage import Triage

# Background and text colours of each level (the Ministry's four colours).
LEVEL_COLOURS = {
    "green": ("#2e7d32", "#ffffff"),
    "yellow": ("#fbc02d", "#000000"),
    "orange": ("#ef6c00", "#ffffff"),
    "red": ("#c62828", "#ffffff"),
}
_NO_LEVEL = ("#e0e0e0", "#424242")


class TriageBadge(QLabel):
    """The level as a coloured, read-only badge, labelled by the level field's choices."""

    def __init__(self, level_spec: Mapping[str, Any], language: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels = dict(choices_of(level_spec, language))
        self.level: str | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.set_level(None)

    def set_level(self, level: str | None) -> None:
        self.level = level
        background, text = LEVEL_COLOURS.get(level or "", _NO_LEVEL)
        self.setText(self._labels.get(level, level) if level else self.tr("Not assessed"))
        self.setStyleSheet(f"QLabel {{ background: {background}; color: {text}; "
                           "border-radius: 4px; padding: 3px 10px; font-weight: bold; }")


class TriageBar(QWidget):
    """Always in sight above the form: the level, what caused it, and, when escalation is due,
    a big red button to transfer the caller to emergency (the window does the transfer).

    Signals:
        escalate_requested: the nurse pressed the transfer button.
    """

    escalate_requested = Signal()

    def __init__(self, level_spec: Mapping[str, Any], language: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self.badge = TriageBadge(level_spec, language)
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.escalate_button = QPushButton()
        self.escalate_button.setObjectName("escalate")
        self.escalate_button.setStyleSheet(
            "QPushButton#escalate { background: #c62828; color: white; font-weight: bold; "
            "font-size: 12pt; padding: 6px 14px; border-radius: 4px; }"
            "QPushButton#escalate:focus { border: 2px solid #000000; }"
            "QPushButton#escalate:disabled { background: #d9a3a3; color: #f4f4f4; }")
        self.escalate_button.clicked.connect(self.escalate_requested)
        self.escalate_button.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Triage:")))
        top.addWidget(self.badge)
        top.addStretch(1)
        top.addWidget(self.escalate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.findings)

    def set_call_live(self, live: bool) -> None:
        """After the hang-up there is no caller to transfer: the button stays in sight
        (the level still calls for 115) but cannot be pressed, and says why."""
        self.escalate_button.setEnabled(live)
        self.escalate_button.setToolTip("" if live else self.tr(
            "The call has ended: there is no caller to transfer."))

    def show_triage(self, result: Triage, missing: Sequence[str] = ()) -> None:
        """The level, what made it, and (`missing`: the labels of the fields the triage needs
        that are empty) "not assessed" instead of the lowest level on a form not filled in."""
        self.badge.set_level(result.level if result.assessed else None)
        if result.red_flags:
            text = self.tr("Red flags: %1").replace("%1", "; ".join(
                f.label(self._language) for f in result.red_flags))
        elif result.reasons:
            text = "; ".join(r.label(self._language) for r in result.reasons)
        else:
            text = ""
        if missing and not result.escalate:
            more = self.tr("Missing for the triage: %1").replace("%1", ", ".join(missing))
            text = f"{text}; {more}" if text else more
        self.findings.setText(text)
        self.findings.setStyleSheet("color: #b71c1c; font-weight: bold;" if result.red_flags
                                    else "")
        number = result.escalation_number or "115"
        self.escalate_button.setText(self.tr("Transfer to emergency %1").replace("%1", number))
        self.escalate_button.setVisible(result.escalate)
