"""The current call: who is calling, on which topic, how long they waited, the talk timer, and
after the call the after-call-work countdown."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QToolButton, QWidget

from desktop.models import Clock, format_duration, format_time, parse_time, utc_now
from desktop.windows.labels import plain_text
from protocol.messages import CallView
from rules.phone import display_phone


def caller_id_name(call: CallView) -> str:
    """The network's caller-ID name, unless it is only the number again (what trunks in
    Vietnam send) or a placeholder such as "unknown"."""
    name = (call.caller_name or "").strip()
    digits = re.sub(r"\D", "", name)
    if not name or (digits and len(digits) >= len(name.replace(" ", "")) - 1) or \
            name.lower() in ("unknown", "anonymous", "private", "unavailable"):
        return ""
    return name


class CallPanel(QFrame):
    """A band across the top of the agent window.

    Attributes:
        caller_label, name_label, topic_label, waited_label, talk_label, acw_label: its
            texts, for tests and screenshots.
    """

    def __init__(self, clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callPanel")
        self._clock = clock
        self._call: CallView | None = None
        self._topic = ""
        self._answered: datetime | None = None
        self._ended: datetime | None = None
        self._acw_until: datetime | None = None
        self._ringing = False
        self._name = ""
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#callPanel { background: #f3f6fa; }")
        self._build()
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.retranslate()

    def _build(self) -> None:
        self.caller_label = QLabel()
        self.caller_label.setObjectName("caller")
        self.caller_label.setStyleSheet("font-size: 20pt; font-weight: 700;")
        self.caller_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_label, self.topic_label = QLabel(), QLabel(wordWrap=True)
        self.topic_label.setStyleSheet("font-weight: 600;")
        for label in (self.caller_label, self.name_label, self.topic_label):
            plain_text(label)  # the caller's number and name come from outside: never markup
        self.waited_label, self.talk_label = QLabel(), QLabel()
        self.talk_label.setStyleSheet("font-size: 13pt;")
        self.acw_label = QLabel()
        self.acw_label.setObjectName("acw")
        self.acw_label.setVisible(False)
        self.acw_label.setStyleSheet("QLabel { background: #fff3cd; color: #6a4a00;"
                                     " font-weight: 700; padding: 4px 10px; }")
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.addWidget(self.caller_label, 0, 0, 2, 1)
        grid.addWidget(self.topic_label, 0, 1)
        grid.addWidget(self.name_label, 1, 1)
        grid.addWidget(self.waited_label, 0, 2)
        grid.addWidget(self.talk_label, 1, 2)
        self._buttons = QHBoxLayout()
        grid.addLayout(self._buttons, 0, 3, 2, 1)
        grid.addWidget(self.acw_label, 2, 0, 1, 4)  # a banner across: hard to miss
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(0, 220)

    def add_action(self, action: QAction) -> QToolButton:
        """A button for one of the window's call actions (escalate, hold, hang up)."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumHeight(36)
        self._buttons.addWidget(button)
        return button

    @property
    def call(self) -> CallView | None:
        return self._call

    def show_call(self, call: CallView, topic_name: str, known_name: str = "") -> None:
        """The call answered; `known_name`: who the hotline's records say is calling (a
        declaration, an open case), shown instead of the network's caller-ID name."""
        self._call, self._topic, self._ringing = call, topic_name, False
        self._name = known_name or caller_id_name(call)
        self._answered = parse_time(call.answered_at) or self._clock()
        self._ended, self._acw_until = None, None
        self.retranslate()

    def set_topic_name(self, topic_name: str) -> None:
        self._topic = topic_name
        self.retranslate()

    def show_ended(self, acw_until: str | None, acw_seconds: float | None = None) -> None:
        """The call is over: freeze the talk timer, count down after-call work (again after
        a reconnect: the end stays where it was)."""
        if self._ended is None:
            ended = parse_time(self._call.ended_at) if self._call else None
            self._ended = ended or self._clock()
        until = parse_time(acw_until)
        if until is None and acw_seconds:
            until = self._ended + timedelta(seconds=acw_seconds)
        self._acw_until = until
        self.retranslate()

    def end_acw(self) -> None:
        """After-call work is over (the case was saved, or the hub returned the agent)."""
        self._acw_until = None
        self.retranslate()

    @property
    def ended(self) -> bool:
        return self._ended is not None

    def show_ringing(self) -> None:
        """The next call rings: the last caller leaves the header (their form stays below
        until the new one pops)."""
        self.clear()
        self._ringing = True
        self.retranslate()

    def clear(self) -> None:
        """No call: back to waiting."""
        self._call, self._topic, self._ringing, self._name = None, "", False, ""
        self._answered = self._ended = self._acw_until = None
        self.retranslate()

    def acw_seconds_left(self) -> float | None:
        if self._acw_until is None:
            return None
        return max(0.0, (self._acw_until - self._clock()).total_seconds())

    def retranslate(self) -> None:
        call = self._call
        if call is None:
            self.caller_label.setText(self.tr("Incoming call…") if self._ringing
                                      else self.tr("No call"))
            for label in (self.name_label, self.topic_label, self.waited_label,
                          self.talk_label):
                label.clear()
        else:
            self.caller_label.setText(display_phone(call.caller_number))  # +84… → 0912 …
            self.name_label.setText(self._name)
            self.topic_label.setText(self._topic or self.tr("Topic not chosen"))
            waited = format_duration(call.waited_seconds) if call.waited_seconds is not None \
                else "—"
            self.waited_label.setText(self.tr("Waited: %1").replace("%1", waited))
        self._tick()

    def _tick(self) -> None:
        if self._call is not None and self._answered is not None:
            end = self._ended or self._clock()
            talk = format_duration((end - self._answered).total_seconds())
            started = format_time(self._answered, date=False)
            text = self.tr("Talk: %1 (since %2)") if self._ended is None \
                else self.tr("Call ended after %1 (from %2)")
            self.talk_label.setText(text.replace("%1", talk).replace("%2", started))
        left = self.acw_seconds_left()
        self.acw_label.setVisible(left is not None)
        if left is not None:
            text = self.tr("After-call work: %1 left") if left > 0 \
                else self.tr("After-call work time is up")
            self.acw_label.setText(text.replace("%1", format_duration(left)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
