"""The screen-pop: the caller's home-monitoring episode (a banner that opens its chart), history
(newest first), a matching declaration, an open case, and the topic's case form with its save
(Ctrl+S in the agent window)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
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
from desktop.models import HistoryModel, format_time, state_label
from desktop.windows.declaration_box import DeclarationBox, choice_title
from desktop.windows.drafting import DraftKeeper
from desktop.windows.episode import EpisodeOpener
from desktop.windows.episode_parts import EpisodeBanner
from desktop.windows.form_host import FormHost, make_form
from desktop.windows.labels import error_text, plain_text
from desktop.windows.tables import history_table
from protocol.messages import Error, Reply, ScreenPop

CASE_STATUSES = ("open", "follow_up", "escalated", "closed")
def draft_id_of(call_uuid: str) -> str:
    """The call's uuid as a draft id (letters, digits, _ . -; up to 64): the same after a
    restart, so the hub and the local draft store recognise it."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", call_uuid)[:64]
    return cleaned if cleaned[:1].isalnum() else f"d{cleaned[:63]}"


def known_name(pop: ScreenPop) -> str:
    """Who the hotline's records say is calling: the draft's, the open case's or the
    declaration's full name ("" if none)."""
    case_form = (pop.open_case or {}).get("form") or {}
    for source in (pop.draft, case_form, pop.declaration or {}):
        name = source.get("full_name") if isinstance(source, dict) else None
        if name:
            return str(name)
    return ""


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
        case_requested(int): a case's row of the history was opened (double click, Enter).
    """

    saved = Signal(dict)
    escalate_requested = Signal()
    case_requested = Signal(int)

    def __init__(self, connection: HubConnection, topic_name: Callable[[str | None], str],
                 unit_name: Callable[[str | None], str], drafts: DraftKeeper | None = None,
                 parent: QWidget | None = None,
                 summary: Callable[[dict[str, Any]], str] | None = None) -> None:
        super().__init__(parent)
        self._connection, self.drafts = connection, drafts
        self.history = HistoryModel(topic_name, self, summary)
        self.pop: ScreenPop | None = None
        self.saved_call: str | None = None  # the call whose case was saved (during it)
        self._call_live = False
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
        self.history_view.setWordWrap(True)  # the summary in words, on two lines if need be
        self.history_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.history_view.activated.connect(self._open_history_row)
        self.history_view.doubleClicked.connect(self._open_history_row)
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
        self._status.activated.connect(self._status_chosen)
        self._status_by_hand = False  # the nurse chose it: an outcome no longer moves it
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
        current = self._status.currentData() or "open"
        self._status.clear()
        for code in CASE_STATUSES:  # the words the history and the case viewer use
            self._status.addItem(state_label(code), code)
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
        self.history.set_rows([row for row in pop.history  # not the call on screen
                               if not (row.get("kind") == "call" and
                                       row.get("id") == pop.call.call_id)])
        self.declaration_box.set_declaration(
            pop.declaration, lambda field, code: choice_title(pop.topic, field, code, language))
        case = pop.open_case or {}  # a follow-up: the save updates that case
        self.case_id, self.version = case.get("id"), case.get("version")
        self._base = dict(case.get("form") or {})
        self.draft_id = draft_id_of(pop.call.uuid)
        self.saved_call = None
        form = make_form(pop.topic, units, language)
        form.set_values(dict(pop.draft))  # the hub's draft: the form's values, flat
        form.escalate_requested.connect(self.escalate_requested)
        form.changed.connect(self._follow_outcome)
        self._notes.setPlainText(str(case.get("notes") or ""))
        if self.drafts is not None:  # what this desk typed for this call before, if anything
            local = self.drafts.attach(self.draft_id, form, self._draft_extra)
            if local and local.get("notes"):
                self._notes.setPlainText(str(local["notes"]))
        self.form_host.set_form(form)
        self._call_live = True
        self._status_by_hand = bool(case)  # a follow-up keeps the case's status
        self.set_case_status(str(case.get("status") or "open"))
        if not case:
            self._follow_outcome(form.values())
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
        form.changed.connect(self._follow_outcome)
        if self.drafts is not None:
            self.drafts.attach(self.draft_id, form, self._draft_extra)
        self.form_host.set_form(form)
        self._show_call_live()

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

    def call_over(self) -> None:
        """The caller hung up: the form's 115 button has nobody to transfer."""
        self._call_live = False
        self._show_call_live()

    def _show_call_live(self) -> None:
        form = self.form_host.form
        if form is not None and form.triage_bar is not None:
            form.triage_bar.set_call_live(self._call_live)

    def _open_history_row(self, index: QModelIndex) -> None:
        row = self.history.row(index.row()) if index.isValid() else {}
        if row.get("kind") == "case" and isinstance(row.get("id"), int):
            self.case_requested.emit(row["id"])

    def _status_chosen(self, _index: int) -> None:
        self._status_by_hand = True

    def _follow_outcome(self, values: dict[str, Any]) -> None:
        """The case status the chosen outcome leads to (the topic's data: each outcome's
        `status`), open while there is none; unless the nurse chose the status herself."""
        if self._status_by_hand or self.pop is None:
            return
        outcome = next((values.get(name) for name, spec in
                        self.pop.topic.get("form_schema", {}).get("properties", {}).items()
                        if isinstance(spec, dict) and spec.get("x-outcomes")), None)
        status = next((str(o.get("status") or "closed") for o in self.pop.topic.get(
            "outcomes", []) if o.get("code") == outcome), "open")
        self.set_case_status(status)

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
        if self.pop is not None:
            self.saved_call = self.pop.call.uuid
            self._add_to_history(case)
        self.case_id = case.get("id", self.case_id)
        self.version = case.get("version", self.version)
        self._base = dict(case.get("form") or self._sending)
        self.say(self.tr("Case %1 saved.").replace("%1", str(case.get("code", ""))))
        if self.drafts is not None:
            self.drafts.case_saved(self.draft_id)
        self.saved.emit(dict(case))

    def _add_to_history(self, case: dict[str, Any]) -> None:
        """The case just saved, at the top of the caller's history (or its row updated)."""
        form = case.get("form") or self._sending
        row = {"kind": "case", "id": case.get("id"), "at": case.get("updated_at"),
               "topic": case.get("topic"), "code": case.get("code"),
               "status": case.get("status"), "person_name": form.get("full_name"),
               "outcome": form.get("outcome"), "triage_level": form.get("triage_level")}
        rows = [r for r in self.history.rows
                if not (r.get("kind") == "case" and r.get("id") == row["id"])]
        self.history.set_rows([row, *rows])

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
