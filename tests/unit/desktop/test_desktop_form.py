"""The case form generated from each shipped topic, driven like a nurse drives it (real widgets,
offscreen): field order, live triage and the 115 button, inline errors, the unit picker,
values round-tripping, English labels."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from db.topics import TopicSpec, read_topics_file
from db.units import read_units_csv
from desktop.forms import CaseForm, match_units, unit_entries
from desktop.forms.editors import MultiChoiceEditor
from desktop.forms.unit_picker import AdminUnitPicker
from rules.forms import form_errors, with_outcomes
from tests.conftest import ROOT, TOPICS_FILE, UNITS_FILE

TOPICS = {t.key: t for t in read_topics_file(TOPICS_FILE).topic}
UNITS = [{"code": r.code, "name": r.name, "kind": r.kind, "former": [n for n, _ in r.former]}
         for r in read_units_csv(UNITS_FILE)]
F0 = TOPICS["f0_home_care"]
# What a nurse records for a pregnant diabetic patient with normal vitals (yellow).
RECORD: dict[str, Any] = {
    "full_name": "Lê Thị Hoa", "birth_year": 1990, "sex": "female", "pregnant": True,
    "pregnancy_weeks": 28, "admin_unit": "32167", "address_detail": "Ấp 3",
    "positive_date": "2026-11-20", "test_type": "rapid_antigen", "illness_day": 5,
    "vaccine_doses": 3, "comorbidities": ["diabetes"], "spo2": 97, "respiratory_rate": 18,
    "pulse": 88, "temperature": 37.8, "bp_systolic": 120, "bp_diastolic": 80,
    "symptoms": ["fever", "cough"], "red_flags": [], "triage_level": "yellow",
    "advice": "Theo dõi SpO2 3 lần/ngày", "outcome": "follow_up", "follow_up_on": "2026-11-27",
}


def _form(qtbot: QtBot, topic: TopicSpec = F0, language: str = "vi") -> CaseForm:
    form = CaseForm(topic.form, topic.rules, [o.model_dump() for o in topic.outcomes], UNITS,
                    language)
    qtbot.addWidget(form)
    form.resize(700, 600)
    form.show()
    qtbot.waitExposed(form)
    return form


def _field(form: CaseForm, name: str, kind: type) -> Any:
    widget = form.findChild(kind, f"field_{name}")
    assert widget is not None, f"no {kind.__name__} for {name}"
    return widget


def _type(widget: QWidget, text: str) -> None:
    """Type any text, Vietnamese included, key by key (QTest.keyClicks is ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def test_f0_form_builds_every_field_in_x_order(qtbot: QtBot) -> None:
    form = _form(qtbot)
    order = F0.form["x-order"]
    assert form.fields() == order
    kinds = {"full_name": QLineEdit, "birth_year": QLineEdit, "sex": QComboBox,
             "pregnant": QCheckBox, "admin_unit": QLineEdit, "positive_date": QDateEdit,
             "spo2": QLineEdit, "advice": QPlainTextEdit, "outcome": QComboBox}
    for name, kind in kinds.items():
        _field(form, name, kind)
    assert _field(form, "positive_date", QDateEdit).calendarPopup()
    assert _field(form, "full_name", QLineEdit).maxLength() == 200
    sex = _field(form, "sex", QComboBox)
    assert [sex.itemText(i) for i in range(sex.count())] == ["", "Nam", "Nữ", "Khác"]
    comorbidities = form.editor("comorbidities")
    assert isinstance(comorbidities, MultiChoiceEditor)
    assert comorbidities.box("diabetes").text() == "Đái tháo đường"
    units = [w.text() for w in form.editor("spo2").findChildren(QLabel)]
    assert units == ["%"]
    rows = [form.editor(n) if n != "triage_level" else form.findChild(QLabel, "error_" + n)
            for n in order]
    tops = [w.mapTo(form, w.rect().topLeft()).y() for w in rows]
    assert tops == sorted(tops), "fields are laid out in x-order"


def test_typing_spo2_95_turns_triage_orange_and_shows_the_115_button(qtbot: QtBot) -> None:
    form = _form(qtbot)
    button = form.findChild(QPushButton, "escalate")
    assert form.triage() is not None and form.triage().level == "green"
    assert not button.isVisible()
    spo2 = _field(form, "spo2", QLineEdit)
    qtbot.keyClicks(spo2, "9")  # on the way to 95: below the field's minimum, not a flag
    assert form.triage().level == "green"
    with qtbot.waitSignal(form.triage_changed) as signal:
        qtbot.keyClicks(spo2, "5")
    assert signal.args[0].level == "orange" and signal.args[0].escalate
    assert button.isVisible() and button.text() == "Transfer to emergency 115"
    assert form.triage_bar is not None and "SpO2 ≤ 96%" in form.triage_bar.findings.text()
    assert form.values()["triage_level"] == "orange"
    qtbot.mouseClick(form.editor("red_flags").box("dyspnoea"), Qt.MouseButton.LeftButton)
    assert form.triage().level == "red"
    assert form.triage_bar.badge.text() == "Đỏ — nguy cơ rất cao"
    with qtbot.waitSignal(form.escalate_requested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    spo2.clear()
    qtbot.mouseClick(form.editor("red_flags").box("dyspnoea"), Qt.MouseButton.LeftButton)
    assert form.triage().level == "green" and not button.isVisible()


def test_a_red_flag_sign_alone_shows_the_button(qtbot: QtBot) -> None:
    form = _form(qtbot)
    qtbot.mouseClick(form.editor("red_flags").box("confusion"), Qt.MouseButton.LeftButton)
    assert form.triage().level == "orange"
    assert form.findChild(QPushButton, "escalate").isVisible()


def test_the_required_outcome_error_shows_inline(qtbot: QtBot) -> None:
    form = _form(qtbot)
    error = form.findChild(QLabel, "error_outcome")
    assert not error.isVisible(), "no error before the nurse has done anything"
    assert form.errors() == [("outcome", "Required")]
    assert error.isVisible() and error.text() == "Required" and "c62828" in error.styleSheet()
    outcome = _field(form, "outcome", QComboBox)
    (label,) = [label for label in form.findChildren(QLabel) if label.buddy() is outcome]
    assert label.text() == 'Kết quả xử lý <span style="color:#c62828">*</span>'
    outcome.setFocus()
    qtbot.keyClick(outcome, Qt.Key.Key_Down)
    assert form.values()["outcome"] == "advised_home"
    assert not error.isVisible(), "the error follows the nurse's edits"


def test_range_and_typing_errors_show_beside_their_field(qtbot: QtBot) -> None:
    form = _form(qtbot)
    qtbot.keyClicks(_field(form, "spo2", QLineEdit), "120")
    qtbot.keyClicks(_field(form, "temperature", QLineEdit), "37,")
    assert form.findChild(QLabel, "error_spo2").text() == "At most 100"
    assert form.findChild(QLabel, "error_temperature").text() == "Not a number"
    assert not form.findChild(QLabel, "error_outcome").isVisible(), "untouched: not yet"
    qtbot.keyClicks(_field(form, "temperature", QLineEdit), "5")
    assert form.values()["temperature"] == 37.5
    assert dict(form.errors()) == {"spo2": "At most 100", "outcome": "Required"}


def test_values_round_trip_through_set_values(qtbot: QtBot) -> None:
    form = _form(qtbot)
    with qtbot.assertNotEmitted(form.changed):
        form.set_values(RECORD)
    assert form.values() == RECORD
    assert form.errors() == []
    schema = with_outcomes(F0.form, [o.model_dump() for o in F0.outcomes])
    assert form_errors(schema, form.values()) == [], "the server accepts what the form gives"
    again = _form(qtbot)
    again.set_values(form.values())
    assert again.values() == RECORD
    form.set_values({"spo2": 95, "advice": None})  # None clears; the others keep their values
    kept = {k: v for k, v in RECORD.items() if k != "advice"}
    assert form.values() == {**kept, "spo2": 95, "triage_level": "orange"}


def test_a_draft_keeps_what_the_form_does_not_know(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.set_values({"outcome": "gone_code", "temperatur": 37, "triage_level": "red"})
    assert form.values() == {"outcome": "gone_code", "temperatur": 37}  # no vitals: no level
    assert dict(form.errors()) == {"": "Not fields of this form: temperatur",
                                   "outcome": "Choose one of the listed values"}


def test_every_edit_emits_changed_with_the_values(qtbot: QtBot) -> None:
    form = _form(qtbot)
    seen: list[dict[str, Any]] = []
    form.changed.connect(seen.append)
    _type(_field(form, "full_name", QLineEdit), "Đặng Thị Ánh")
    assert len(seen) == len("Đặng Thị Ánh")
    assert seen[-1] == {"full_name": "Đặng Thị Ánh"}  # no vitals yet: no level
    with qtbot.waitSignal(form.changed) as signal:
        qtbot.mouseClick(_field(form, "pregnant", QCheckBox), Qt.MouseButton.LeftButton)
    assert signal.args[0]["pregnant"] is True and signal.args[0]["triage_level"] == "yellow"


def test_the_unit_picker_finds_phuong_7_by_its_former_name(qtbot: QtBot) -> None:
    form = _form(qtbot)
    picker = form.editor("admin_unit")
    assert isinstance(picker, AdminUnitPicker)
    edit = _field(form, "admin_unit", QLineEdit)
    qtbot.keyClicks(edit, "phuong 7")  # no accents, as a hurried nurse types
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    model = picker.completer().model()
    shown = [model.index(i, 0).data() for i in range(model.rowCount())]
    assert [s.split(" — ")[0] for s in shown] == [
        "Phường Bạc Liêu", "Phường Hòa Thành", "Phường Tân Thành"]
    assert all(s.split(" — ")[1].startswith("Phường 7 (thành phố") for s in shown)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert edit.text() == "Phường Bạc Liêu"
    assert form.values()["admin_unit"] == "31825"
    assert not form.findChild(QLabel, "error_admin_unit").isVisible()


def test_the_unit_picker_resolves_an_exact_name_and_refuses_an_unknown_one(qtbot: QtBot) -> None:
    form = _form(qtbot)
    edit = _field(form, "admin_unit", QLineEdit)
    qtbot.keyClicks(edit, "xa tan thuan")
    assert form.values()["admin_unit"] == "32167"
    edit.clear()
    _type(edit, "Xã Không Có")
    assert "admin_unit" not in form.values()
    assert form.findChild(QLabel, "error_admin_unit").text() == (
        "Choose a commune or ward from the list")
    form.set_values({"admin_unit": "32025"})
    assert edit.text() == "Phường Tân Thành"


def test_unit_matching_ranks_current_names_first() -> None:
    entries = unit_entries(UNITS)
    assert all(e.code != "96" for e in entries), "the province is not a commune"
    assert [e.name for e in match_units(entries, "Tân Thành")][:1] == ["Phường Tân Thành"]
    assert [e.code for e in match_units(entries, "xa tan duc")] == ["32167"]
    csv_style = unit_entries([{"code": "1", "name": "Xã A", "former_units": "Xã B;Xã C"}])
    assert csv_style[0].display() == "Xã A — Xã B, Xã C"
    assert csv_style[0].display("xa c") == "Xã A — Xã C, Xã B", "what matched comes first"
    assert match_units(entries, "  ") == []


@pytest.mark.parametrize("key", ["epidemic_report", "public_services"])
def test_the_other_topics_build_and_validate(qtbot: QtBot, key: str) -> None:
    topic = TOPICS[key]
    form = _form(qtbot, topic)
    assert form.fields() == topic.form["x-order"]
    assert form.triage() is None and form.triage_bar is None
    required = topic.form["required"]
    assert [name for name, _ in form.errors()] == required
    outcome = _field(form, "outcome", QComboBox)
    assert [outcome.itemData(i) for i in range(1, outcome.count())] == [
        o.code for o in topic.outcomes]
    _field(form, topic.form["x-order"][1], QLineEdit if key == "epidemic_report"
           else QPlainTextEdit)


def test_english_labels(qtbot: QtBot) -> None:
    form = _form(qtbot, F0, "en")
    texts = {label.text() for label in form.findChildren(QLabel)}
    assert {"Patient's full name", "SpO2", "Home-treated COVID-19 patient (F0) advice form",
            'Outcome <span style="color:#c62828">*</span>'} <= texts
    assert "Họ và tên người bệnh" not in texts
    sex = _field(form, "sex", QComboBox)
    assert sex.itemText(2) == "Female"
    assert _field(form, "outcome", QComboBox).itemText(1) == "Advised, continues home treatment"
    qtbot.keyClicks(_field(form, "pulse", QLineEdit), "130")
    assert form.triage_bar is not None
    assert form.triage_bar.findings.text() == "Red flags: Pulse > 120/min"
    assert form.triage_bar.badge.text() == "Orange — high risk"


def test_dates_start_empty_and_round_trip(qtbot: QtBot) -> None:
    form = _form(qtbot)
    date = _field(form, "follow_up_on", QDateEdit)
    assert "follow_up_on" not in form.values() and date.text() == "—"
    form.set_values({"follow_up_on": "2026-12-24"})
    assert date.text() == "24/12/2026" and form.values()["follow_up_on"] == "2026-12-24"
    date.setFocus()
    qtbot.keyClick(date, Qt.Key.Key_Delete)
    assert "follow_up_on" not in form.values()
    qtbot.keyClicks(date, "01022027")  # typing into an empty date starts from today
    assert form.values()["follow_up_on"] == "2027-02-01"


_TODAY_SCRIPT = """
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from desktop.forms.editors import DateEditor
app = QApplication([])
editor = DateEditor()
key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier, "1")
editor.eventFilter(editor.focus_widget(), key)  # a digit into the empty date: today
print(editor.value())
"""


def test_today_in_an_empty_date_is_today_in_ca_mau_whatever_the_pcs_time_zone() -> None:
    vietnam = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    # A zone whose date differs from Cà Mau's right now: 7 hours ahead, or 19 behind.
    zone = "Etc/GMT-14" if vietnam.hour >= 17 else "Etc/GMT+12"
    done = subprocess.run([sys.executable, "-c", _TODAY_SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**os.environ, "TZ": zone, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    assert done.stdout.strip() == today


def test_a_schema_with_its_outcomes_filled_in_keeps_them(qtbot: QtBot) -> None:
    schema = with_outcomes(F0.form, [o.model_dump() for o in F0.outcomes])
    form = CaseForm(schema, F0.rules, [], UNITS)
    qtbot.addWidget(form)
    assert _field(form, "outcome", QComboBox).count() == 1 + len(F0.outcomes)


# -- what the form cannot know yet, and the rules between fields (the topic's data) ----------

def test_an_empty_form_is_not_assessed_until_its_vitals_are_in(qtbot: QtBot) -> None:
    form = _form(qtbot)
    assert form.triage_bar is not None
    assert not form.triage().assessed and form.triage_bar.badge.text() == "Not assessed"
    assert form.triage_bar.findings.text() == "Missing for the triage: SpO2, Nhịp thở"
    assert "triage_level" not in form.values()
    qtbot.keyClicks(_field(form, "spo2", QLineEdit), "97")
    assert form.triage_bar.findings.text() == "Missing for the triage: Nhịp thở"
    qtbot.keyClicks(_field(form, "respiratory_rate", QLineEdit), "18")
    assert form.triage().assessed and form.triage_bar.badge.text() == "Xanh — nguy cơ thấp"
    assert form.triage_bar.findings.text() == "" and form.values()["triage_level"] == "green"


def test_a_danger_sign_is_a_finding_whatever_is_missing(qtbot: QtBot) -> None:
    form = _form(qtbot)
    qtbot.mouseClick(form.editor("red_flags").box("confusion"), Qt.MouseButton.LeftButton)
    assert form.triage().assessed and form.values()["triage_level"] == "orange"
    assert "Missing" not in form.triage_bar.findings.text()


def _starred(form: CaseForm, name: str) -> bool:
    return name in form.required()


def test_a_follow_up_outcome_asks_for_its_date_as_the_daemon_does(qtbot: QtBot) -> None:
    form = _form(qtbot)
    assert not _starred(form, "follow_up_on")
    form.editor("outcome").set_value("follow_up")
    assert _starred(form, "follow_up_on")
    assert dict(form.errors())["follow_up_on"] == "Cần ngày hẹn khi hẹn gọi lại"
    assert ("follow_up_on", "A follow-up needs its date") in form_errors(
        with_outcomes(F0.form, [o.model_dump() for o in F0.outcomes]), form.values())
    form.editor("follow_up_on").set_value("2026-12-05")
    assert "follow_up_on" not in dict(form.errors())


def test_a_red_patient_kept_at_home_needs_a_follow_up_date(qtbot: QtBot) -> None:
    form = _form(qtbot)
    form.set_values({"spo2": 92, "respiratory_rate": 22, "outcome": "advised_home"})
    assert form.triage().level == "red" and _starred(form, "follow_up_on")
    assert "follow_up_on" in dict(form.errors())
    form.editor("outcome").set_value("escalated_115")  # sent on: no date to keep
    assert not _starred(form, "follow_up_on") and "follow_up_on" not in dict(form.errors())


def test_weeks_of_pregnancy_need_a_pregnant_woman(qtbot: QtBot) -> None:
    form = _form(qtbot, language="en")
    form.set_values({"sex": "male", "pregnancy_weeks": 20, "outcome": "info_only"})
    assert _starred(form, "pregnant")
    errors = dict(form.errors())
    assert errors["pregnant"] == "Required with Weeks of pregnancy"
    form.editor("pregnant").set_value(True)
    assert dict(form.errors())["pregnant"] == "Not for a male patient"
    form.editor("sex").set_value("female")
    assert "pregnant" not in dict(form.errors())
    server = form_errors(with_outcomes(F0.form, [o.model_dump() for o in F0.outcomes]),
                         {"sex": "male", "pregnant": True, "outcome": "info_only"})
    assert server == [("pregnant", "Not for a male patient")]


def test_a_rule_between_fields_must_name_fields_of_the_form(tmp_path: Any) -> None:
    from db.topics import read_topics_file as read
    from rules.errors import DataError

    text = TOPICS_FILE.read_text(encoding="utf-8").replace(
        'pregnancy_weeks = ["pregnant"]', 'pregnancy_weeks = ["pregnnat"]', 1)
    bad = tmp_path / "topics.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="'pregnnat', not a field of the form"):
        read(bad)
