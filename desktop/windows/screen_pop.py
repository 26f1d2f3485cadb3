"""The screen-pop: the caller's home-monitoring episode (a banner that opens its chart), history
(newest first), a matching declaration, an open case, and the topic's case form with its save
(Ctrl+S in the agent window)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.connection import HubConnection
from desktop.forms.editors import keeps_list_key
from desktop.forms.merge import merge_forms
from desktop.models import HistoryModel, format_date, format_time, state_label
from desktop.windows.drafting import DraftKeeper
from desktop.windows.episode import EpisodeOpener
from desktop.windows.episode_parts import EpisodeBanner
from desktop.windows.form_host import FormHost, make_form
from desktop.windows.labels import error_text, plain_text
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply, ScreenPop

CASE_STATUSES = ("closed", "follow_up", "open", "escalated")
# Two to a row (label, value, label, value); None: the field has the row to itself.
DECLARATION_ROWS = (("received_at", "phone"), ("full_name", "birth_year"),
                    ("sex", "positive_date"), ("admin_unit", "test_type"),
                    ("address_detail", None), ("symptoms", None))


def draft_id_of(call_uuid: str) -> str:
    """The call's uuid as a draft id (letters, digits, _ . -; up to 64): the same after a
    restart, so the hub and the local draft store recognise it."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", call_uuid)[:64]
    return cleaned if cleaned[:1].isalnum() else f"d{cleaned[:63]}"


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
        named = self._choices(key, value) if self._choices and value is not None else None
        if named:
            return named
        if key == "sex":
            return {"male": self.tr("Male"), "female": self.tr("Female"),
                    "other": self.tr("Other")}.get(str(value), str(value or ""))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)


class ScreenPopView(QWidget):
    """History and declaration on the left, the case form on the right.

    Attributes:
        history: the caller history's model (newest first).
        episode_banner, episodes: the caller's home-monitoring episode, and its window.
        pop: the screen-pop on show, or None.
        case_id, version: the case the next save updates (None: a new case).
        draft_id: names this call's case to the hub (a resend, the after-call-work draft).

    Signals:
        saved(dict): the hub stored the case (the reply's case: id, code, version, …).
        escalate_requested(): the form asked for the emergency transfer (a red flag).
    """

    saved = Signal(dict)
    escalate_requested = Signal()

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 unit_name: Callable[[str | None], str], drafts: DraftKeeper | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connection, self.drafts = connection, drafts
        self.history = HistoryModel(topic_name, self)
        self.pop: ScreenPop | None = None
        self.case_id: int | None = None
        self.version: int | None = None
        self.draft_id = ""
        self._base: dict[str, Any] = {}  # the case's form as last read or saved (for a merge)
        self._sending: dict[str, Any] = {}
        self._build(unit_name)
        self.retranslate()

    def _build(self, unit_name: Callable[[str | None], str]) -> None:
        self._history_title = QLabel()
        self._history_title.setObjectName("sectionTitle")
        self._history_title.setStyleSheet("font-weight: 600;")
        self.history_view = history_table(self.history, narrow=(2,))
        self.episode_banner, self.episodes = EpisodeBanner(), EpisodeOpener(self._connection, self)
        self.episode_banner.open_requested.connect(lambda e: self.episodes.open(episode_id=e))
        self.declaration_box = DeclarationBox(unit_name)
        self._open_case = plain_text(QLabel(wordWrap=True))
        self._open_case.setObjectName("openCase")
        self._open_case.setVisible(False)
        self._open_case.setStyleSheet("background: #e8f0fe; padding: 4px;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 4, 0)
        for widget in (self.episode_banner, self._history_title, self.history_view,
                       self._open_case, self.declaration_box):
            left_layout.addWidget(widget)
        left_layout.setStretch(2, 1)
        self.form_host = FormHost()
        self._notes = QPlainTextEdit()
        self._notes.setFixedHeight(54)
        self._notes.textChanged.connect(self._notes_edited)
        self._status = keeps_list_key(QComboBox())
        self._save = QPushButton()
        self._save.clicked.connect(self.save)
        self._save.setEnabled(False)
        self._save.setStyleSheet("font-weight: 600;")
        self.message = plain_text(QLabel(wordWrap=True))  # may quote the hub's words
        self.message.setObjectName("saveMessage")
        row = QHBoxLayout()
        self._status_label = QLabel()
        row.addWidget(self._status_label)
        row.addWidget(self._status)
        row.addWidget(self.message, 1)
        row.addWidget(self._save)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addWidget(self.form_host, 1)
        right_layout.addWidget(self._notes)
        right_layout.addLayout(row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([660, 700])  # at 1366 pixels: history summaries readable
        outer = QVBoxLayout(self)
        outer.addWidget(self.splitter)
        outer.setContentsMargins(0, 0, 0, 0)

    def retranslate(self) -> None:
        self._history_title.setText(self.tr("Caller history (newest first)"))
        self._notes.setPlaceholderText(self.tr("Notes for the case (not part of the form)"))
        self._status_label.setText(self.tr("Case status:"))
        labels = {"closed": self.tr("Closed"), "follow_up": self.tr("Needs follow-up"),
                  "open": self.tr("Open"), "escalated": self.tr("Escalated to 115")}
        current = self._status.currentData() or "closed"
        self._status.clear()
        for code in CASE_STATUSES:
            self._status.addItem(labels[code], code)
        self.set_case_status(str(current))
        self._save.setText(self.tr("Save case (Ctrl+S)"))
        self.history.retranslate()
        self.form_host.retranslate()
        self._show_open_case()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- showing a pop ----------------------------------------------------------------

    def show_pop(self, pop: ScreenPop, units: list[Any], language: str) -> None:
        """Fill every part from the pop: history, declaration, open case, the draft form."""
        if self.drafts is not None:  # the last of the call on screen, saved as that call's
            self.drafts.detach()
        self.pop = pop
        self.episode_banner.set_episode(pop.episode)
        self.history.set_rows(pop.history)
        self.declaration_box.set_declaration(
            pop.declaration, lambda field, code: choice_title(pop.topic, field, code, language))
        case = pop.open_case or {}  # a follow-up: the save updates that case
        self.case_id, self.version = case.get("id"), case.get("version")
        self._base = dict(case.get("form") or {})
        self.draft_id = draft_id_of(pop.call.uuid)
        form = make_form(pop.topic, units, language)
        form.set_values(dict(pop.draft))  # the hub's draft: the form's values, flat
        form.escalate_requested.connect(self.escalate_requested)
        self._notes.setPlainText(str(case.get("notes") or ""))
        if self.drafts is not None:  # what this desk typed for this call before, if anything
            local = self.drafts.attach(self.draft_id, form, self._draft_extra)
            if local and local.get("notes"):
                self._notes.setPlainText(str(local["notes"]))
        self.form_host.set_form(form)
        self.set_case_status(str(case.get("status") or "closed"))
        self._save.setEnabled(True)
        self.message.clear()
        self._show_open_case()

    def set_language(self, units: list[Any], language: str) -> None:
        """Build the form again in `language`, keeping every value typed so far."""
        old = self.form_host.form
        if self.pop is None or old is None:
            return
        form = make_form(self.pop.topic, units, language)
        form.set_values(old.values())
        form.escalate_requested.connect(self.escalate_requested)
        if self.drafts is not None:
            self.drafts.attach(self.draft_id, form, self._draft_extra)
        self.form_host.set_form(form)

    def _draft_extra(self) -> dict[str, Any]:
        """What a draft holds besides the form (the fields of case_draft)."""
        call = self.pop.call if self.pop else None
        return {"topic": str(self.pop.topic.get("key", "")) if self.pop else None,
                "call_uuid": call.uuid if call else None, "case_id": self.case_id,
                "caller_phone": call.caller_number if call else None,
                "notes": self._notes.toPlainText().strip() or None}

    def _notes_edited(self) -> None:
        if self.drafts is not None:
            self.drafts.edited()

    def _show_open_case(self) -> None:
        case = self.pop.open_case if self.pop else None
        self._open_case.setVisible(bool(case))
        if case:
            text = self.tr("Open case %1 (%2), last changed %3")
            self._open_case.setText(text.replace("%1", str(case.get("code", "")))
                                    .replace("%2", state_label(str(case.get("status", ""))))
                                    .replace("%3", format_time(case.get("updated_at"))))

    def set_case_status(self, status: str) -> None:
        index = self._status.findData(status)
        self._status.setCurrentIndex(max(0, index))

    def case_status(self) -> str:
        return str(self._status.currentData())

    def clear(self) -> None:
        if self.drafts is not None:
            self.drafts.detach()
        self.pop, self.case_id, self.version = None, None, None
        self.episode_banner.set_episode(None)
        self.history.set_rows([])
        self.declaration_box.set_declaration(None)
        self.form_host.set_form(None)
        self._notes.clear()
        self._save.setEnabled(False)
        self._show_open_case()

    # -- saving -----------------------------------------------------------------------

    def save(self) -> str | None:
        """Send the case to the hub (queued while offline); the request's id, or None."""
        form = self.form_host.form
        if self.pop is None or form is None:
            return None
        problems = form.errors()
        if problems:
            self.say(self.tr("Check the form: %1 field(s) need attention.").replace(
                "%1", str(len(problems))), error=True)
            return None
        call = self.pop.call
        self._sending = form.values()
        request_id = self._connection.case_save(
            self._on_saved, topic=str(self.pop.topic.get("key", "")), case_id=self.case_id,
            version=self.version, call_uuid=call.uuid, caller_phone=call.caller_number,
            status=self.case_status(), form=self._sending,
            notes=self._notes.toPlainText().strip() or None, draft_id=self.draft_id)
        self.say(self.tr("Saving…") if self._connection.ready
                  else self.tr("Offline: the case will be sent when the link is back."))
        return request_id

    def _on_saved(self, answer: Reply | Error) -> None:
        if isinstance(answer, Error) and answer.code == "conflict" and self.case_id:
            self.say(self.tr("Someone else saved this case meanwhile: reading their "
                              "version…"), error=True)
            self._connection.case_get(self.case_id, self._merge_newer)
            return
        if isinstance(answer, Error):
            text = error_text(answer.code, answer.message)
            if answer.fields:
                text += " " + "; ".join(f"{path}: {problem}" for path, problem in answer.fields)
            self.say(text, error=True)
            return
        case = answer.data.get("case") or {}
        self.case_id = case.get("id", self.case_id)
        self.version = case.get("version", self.version)
        self._base = dict(case.get("form") or self._sending)
        self.say(self.tr("Case %1 saved.").replace("%1", str(case.get("code", ""))))
        if self.drafts is not None:
            self.drafts.case_saved(self.draft_id)
        self.saved.emit(dict(case))

    def _merge_newer(self, answer: Reply | Error) -> None:
        """The version saved meanwhile, merged into the form on screen (merge_forms): the
        nurse checks the fields both changed, then saves again over that version."""
        form = self.form_host.form
        if isinstance(answer, Error) or form is None:
            if isinstance(answer, Error):
                self.say(error_text(answer.code, answer.message), error=True)
            return
        case = answer.data.get("case") or {}
        theirs = dict(case.get("form") or {})
        merged, both = merge_forms(self._base, form.values(), theirs)
        form.set_values(merged)
        self._base, self.version = theirs, case.get("version", self.version)
        if self.drafts is not None:
            self.drafts.edited()
        text = self.tr("Someone else saved this case at %1; their changes are now in the form.")
        text = text.replace("%1", format_time(case.get("updated_at")))
        if both:
            text += " " + self.tr("You both changed: %1 (yours kept). Check them.").replace(
                "%1", ", ".join(form.label(name) for name in both))
        self.say(text + " " + self.tr("Save again to record it."), error=True)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "color: #1b5e20;")
        self.message.setText(text)
