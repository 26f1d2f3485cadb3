"""Every string a user sees is in their language, both ways, checked on the live widgets:
in Vietnamese, no text asked of Qt's translators goes without a translation (pyside6-lupdate
cannot see a string passed to tr() through a variable; this sees every one that is asked for);
in English, no widget shows Vietnamese words (the data here is ASCII, so any Vietnamese letter
on screen is an untranslated label or unit)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from desktop.forms.unit_picker import AdminUnitPicker
from desktop.i18n import DIRECTORY, Translations, qt_strings
from desktop.windows import AgentWindow, LeadWindow
from protocol import messages as m
from tests.support.desktop_windows import (
    CALL_UUID,
    NOW,
    STAFF_NAMES,
    iso,
    lead_session,
    screen_pop,
)

# Letters of Vietnamese that English never writes (so a name like "Lan" passes).
VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụ"
                        "ừứửữựỳýỷỹỵ]")


class RecordingTranslator(QTranslator):
    """The Vietnamese catalogue, noting each text Qt asked for and it did not have: ours, and
    Qt's own that desktop/i18n/qt_strings.py marks (its other words are never on screen:
    accessibility names, error strings, QT_LAYOUT_DIRECTION)."""

    def __init__(self, parent: QCoreApplication) -> None:
        super().__init__(parent)
        self.missed: set[tuple[str, str]] = set()

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        text = super().translate(context, source, disambiguation, n)
        ours = not context.startswith("Q") or context in qt_strings.CONTEXTS
        if ours and not text and re.search("[A-Za-z]{2}", source or ""):
            self.missed.add((context, source))
        return text


@pytest.fixture
def recorder(qapp: QApplication, translations: Translations) -> Iterator[RecordingTranslator]:
    translator = RecordingTranslator(qapp)
    assert translator.load("hotline_vi", str(DIRECTORY))
    qapp.installTranslator(translator)  # asked first; a miss falls through to the app's own
    yield translator
    qapp.removeTranslator(translator)


def _ascii_pop(session_data: dict[str, Any]) -> m.ScreenPop:
    """A call whose data has no Vietnamese letter (the caller's, the history's, the draft's)."""
    pop = screen_pop(session_data)
    call = pop.call.model_copy(update={"caller_name": "Nguyen Van Minh"})
    history = [{**row, "summary": "Nguyen Van Minh", "person_name": "Nguyen Van Minh"}
               for row in pop.history]
    declaration = {**(pop.declaration or {}), "full_name": "Nguyen Van Minh",
                   "address_detail": "Hamlet 3", "symptoms": "fever"}
    return pop.model_copy(update={"call": call, "history": history, "declaration": declaration,
                                  "draft": {"full_name": "Nguyen Van Minh", "spo2": 97}})


def _a_shift(window: AgentWindow, session_data: dict[str, Any]) -> None:
    """Through the screens of a call: the pop, a save refused (field errors), the call's end
    (after-call work), the callbacks and the search tabs."""
    window.show_screen_pop(_ascii_pop(session_data))
    assert window.save_case() is None  # no outcome: errors beside the fields
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    window.tabs.setCurrentIndex(0)


def _untranslated(root: QWidget, people: set[str],
                  skip: tuple[type, ...] = ()) -> set[tuple[str, str]]:
    """The texts on screen with a Vietnamese letter once people's names (data) are taken out."""
    found = set()
    for kind, text in _visible_texts(root, skip):
        rest = text
        for name in people:
            rest = rest.replace(name, "")
        if VIETNAMESE.search(rest):
            found.add((kind, text))
    return found


def _visible_texts(root: QWidget, skip: tuple[type, ...] = ()) -> Iterator[tuple[str, str]]:
    """(widget class, text) for every text a visible widget under `root` shows."""
    skipped = [w for kind in skip for w in root.findChildren(kind)]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or any(s is widget or s.isAncestorOf(widget)
                                         for s in skipped):
            continue
        name = type(widget).__name__
        if isinstance(widget, (QLabel, QAbstractButton)):
            yield name, widget.text()
        elif isinstance(widget, QLineEdit):
            yield name, widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield name, widget.title()
        elif isinstance(widget, QComboBox):
            yield from ((name, widget.itemText(i)) for i in range(widget.count()))
        elif isinstance(widget, QTabWidget):
            yield from ((name, widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _model_texts(name, widget.model())


def _model_texts(name: str, model: Any) -> Iterator[tuple[str, str]]:
    for section in range(model.columnCount()):
        yield name, str(model.headerData(section, Qt.Orientation.Horizontal) or "")
    for row in range(model.rowCount(QModelIndex())):
        for column in range(model.columnCount()):
            yield name, str(model.data(model.index(row, column)) or "")


def test_the_nurses_screens_ask_for_no_text_the_catalogue_lacks(
        recorder: RecordingTranslator, window: AgentWindow,
        session_data: dict[str, Any]) -> None:
    _a_shift(window, session_data)
    window.set_language("en")
    window.set_language("vi")
    assert not recorder.missed, "\n".join(map(repr, sorted(recorder.missed)))


def test_the_leads_screens_ask_for_no_text_the_catalogue_lacks(
        recorder: RecordingTranslator, lead_window: LeadWindow) -> None:
    for index in range(lead_window.tabs.count()):
        lead_window.tabs.setCurrentIndex(index)
    lead_window.set_language("en")
    lead_window.set_language("vi")
    assert not recorder.missed, "\n".join(map(repr, sorted(recorder.missed)))


def test_in_english_the_nurses_screens_show_no_vietnamese(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.set_language("en")
    _a_shift(window, session_data)
    found = set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        # the commune picker lists places by their (Vietnamese) names: data, not labels
        found |= _untranslated(window, {session_data["agent"]["full_name"]}, (AdminUnitPicker,))
    assert not found, "\n".join(map(repr, sorted(found)))


def test_in_english_the_leads_screens_show_no_vietnamese(lead_window: LeadWindow) -> None:
    lead_window.set_language("en")
    people = {*STAFF_NAMES, lead_session()["agent"]["full_name"]}
    found = set()
    for index in range(lead_window.tabs.count()):
        lead_window.tabs.setCurrentIndex(index)
        found |= _untranslated(lead_window, people)
    assert not found, "\n".join(map(repr, sorted(found)))
