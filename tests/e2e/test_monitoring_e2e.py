"""End to end, on the demo (its switch simulator, daemon and hub over TLS) with the nurse's real
window: a person declares an F0 case treated at home → the daemon opens a monitoring plan whose
first check-in is the declaration's callback → three days of check-ins, each dialled from the
nurse's list through the switch and saved from the case form (the plans' clock moved a day at a
time) → the third, ten days after the positive test with a negative test, ends the plan as
recovered. And a patient who reports a danger sign on day 2: their check-in jumps to the top of
the list, the nurse calls, sees the worsening, and escalates to 115: the plan ends at a
facility."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from db import declarations, monitoring
from db.engine import transaction
from db.models import Callback, CheckIn, Episode, Topic
from desktop.windows.agent import AgentWindow
from tests.e2e.test_desktop_e2e import _choose, _type
from tests.support.demo_backend import Demo

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")


def _sessions(demo: Demo) -> sessionmaker[Session]:
    return sessionmaker(create_engine(demo.database), expire_on_commit=False)


def _declare(demo: Demo, phone: str, name: str) -> str:
    """What the web process does with a declaration (db.declarations), into the demo's
    database: the daemon finds it there."""
    today = datetime.now(CA_MAU).date()
    data = {"full_name": name, "birth_year": 1985, "sex": "male", "phone": phone,
            "admin_unit": "32167", "positive_date": (today - timedelta(days=8)).isoformat(),
            "test_type": "rapid_antigen", "spo2": 98}
    with transaction(_sessions(demo)) as s:
        form = declarations.declaration_form(s, "f0_home_care")
        assert declarations.problems(s, form, data, today) == []
        return declarations.receive(s, form, data, source="web", now=datetime.now(UTC),
                                    today=today).receipt_code


def _row(window: AgentWindow, name: str) -> dict[str, Any] | None:
    """The patient's open check-in on the nurse's list (with their episode)."""
    return next((row for row in window.callbacks_view.model.rows
                 if row.get("episode") and row["episode"]["state"] == "active"
                 and row["episode"]["person_name"] == name), None)


def _check_in(qtbot: Any, window: AgentWindow, demo: Demo, name: str,
              readings: dict[str, str], outcome: str = "follow_up",
              negative_test: date | None = None, check_ins_before: int = 1) -> dict[str, Any]:
    """The nurse dials the patient's check-in from her list, sees the episode on the pop,
    types the readings, saves, hangs up and ends her after-call work."""
    qtbot.waitUntil(lambda: (row := _row(window, name)) is not None and
                    row["state"] == "open" and
                    row["episode"]["check_ins"] == check_ins_before, timeout=40_000)
    row = _row(window, name)
    assert row is not None
    before = window.screen_pop_view.pop
    window.callbacks_view.dial(row["id"])
    qtbot.waitUntil(lambda: window.screen_pop_view.form_host.form is not None and
                    window.screen_pop_view.pop not in (None, before), timeout=30_000)
    pop = window.screen_pop_view.pop
    assert pop is not None and pop.call.caller_number == row["phone"]
    assert pop.episode is not None and pop.episode["check_ins"] == check_ins_before
    form = window.screen_pop_view.form_host.form
    for field, text in readings.items():  # over the last check-in's, from the open case
        form.editor(field).set_value(None)
        _type(qtbot, window, field, text)
    if negative_test is not None:
        window.screen_pop_view.form_host.form.editor("negative_test_on").set_value(
            negative_test.isoformat())
    _choose(window, "outcome", outcome)
    if outcome == "follow_up":  # the topic's rule: a follow-up has its date
        window.screen_pop_view.form_host.form.editor("follow_up_on").set_value(
            (date.today() + timedelta(days=1)).isoformat())
    window.call_actions.save_case()
    qtbot.waitUntil(lambda: window.screen_pop_view.message.text().startswith("Case F0-"),
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.call_actions.hangup.isEnabled(), timeout=10_000)
    window.call_actions.hang_up()
    sessions = _sessions(demo)

    def ended() -> bool:
        with sessions() as s:
            return s.get_one(Callback, row["id"]).state != "dialing"
    qtbot.waitUntil(ended, timeout=20_000)
    with sessions() as s:
        reached = s.get_one(Callback, row["id"]).state == "done"
    if reached:  # saved during the call: no after-call work, back to the queues at once
        qtbot.waitUntil(lambda: window.call_panel.ended, timeout=10_000)
        assert window.call_panel.acw_seconds_left() is None
        assert not window.call_actions.wrap_up.isEnabled()
    return row


def _episode(demo: Demo, phone: str) -> Episode:
    with _sessions(demo)() as s:
        return s.scalars(select(Episode).where(Episode.phone == phone)).one()


def _readings(demo: Demo, episode_id: int) -> list[CheckIn]:
    with _sessions(demo)() as s:
        return list(s.scalars(select(CheckIn).where(CheckIn.episode_id == episode_id)
                              .order_by(CheckIn.at)))


def test_three_days_of_check_ins_to_recovery(qtbot: Any, window: AgentWindow,
                                            demo: Demo) -> None:
    _declare(demo, "0918 111 222", "Phạm Văn Sơn")
    # day 1: the declaration's callback is the first check-in
    _check_in(qtbot, window, demo, "Phạm Văn Sơn",
              {"spo2": "97", "respiratory_rate": "18", "temperature": "37.8"})
    episode = _episode(demo, "+84918111222")
    assert episode.state == "active" and episode.case_id is not None
    demo.clock(1)  # day 2
    _check_in(qtbot, window, demo, "Phạm Văn Sơn",
              {"spo2": "98", "respiratory_rate": "17", "temperature": "37.2"},
              check_ins_before=2)
    assert _episode(demo, "+84918111222").state == "active"  # 9 days: not yet
    demo.clock(2)  # day 3: ten days after the positive test, and a negative test
    _check_in(qtbot, window, demo, "Phạm Văn Sơn",
              {"spo2": "98", "respiratory_rate": "16", "temperature": "36.8"},
              negative_test=datetime.now(CA_MAU).date(), check_ins_before=3)
    episode = _episode(demo, "+84918111222")
    assert episode.state == "recovered"
    taken = _readings(demo, episode.id)
    assert [r.source for r in taken] == ["declaration", "call", "call", "call"]
    assert [r.spo2 for r in taken] == [98, 97, 98, 98]
    assert (taken[-1].at - taken[1].at).days == 2  # three days of the plans' clock
    qtbot.waitUntil(lambda: _row(window, "Phạm Văn Sơn") is None, timeout=10_000)
    with _sessions(demo)() as s:
        assert s.scalar(select(Callback.id).where(
            Callback.phone == "+84918111222", Callback.state == "open")) is None


def test_a_danger_sign_on_day_two_is_called_first_and_escalated_to_115(
        qtbot: Any, window: AgentWindow, demo: Demo) -> None:
    receipt = _declare(demo, "0918 333 444", "Võ Thị Mai")
    _check_in(qtbot, window, demo, "Võ Thị Mai", {"spo2": "97", "respiratory_rate": "18"})
    demo.clock(1)
    # day 2: she reports on the web that she is short of breath (what the page writes)
    with transaction(_sessions(demo)) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        code = declarations.normalise_receipt(receipt)
        assert code is not None
        checked = monitoring.web_check_in(
            s, topic, code, "0918333444", {"spo2": 92, "red_flags": ["dyspnoea"]},
            datetime.now(UTC) + timedelta(days=1), CA_MAU)
    assert checked is not None and checked.alert and checked.level == "red"
    # the nurse's list: her check-in at the top, alerting, due now
    qtbot.waitUntil(lambda: (row := _row(window, "Võ Thị Mai")) is not None and
                    row["episode"]["alert"], timeout=15_000)
    assert window.callbacks_view.model.rows[0]["phone"] == "+84918333444"
    _check_in(qtbot, window, demo, "Võ Thị Mai", {"spo2": "91", "respiratory_rate": "28"},
              outcome="escalated_115", check_ins_before=3)
    triage = window.screen_pop_view.form_host.form.triage()
    assert triage is not None and triage.level == "red" and triage.escalate
    episode = _episode(demo, "+84918333444")
    assert episode.state == "facility"
    taken = _readings(demo, episode.id)
    assert [(r.source, r.level) for r in taken] == [
        ("declaration", "green"), ("call", "green"), ("web", "red"), ("call", "red")]
    assert episode.level == "red" and episode.alert_at is None  # ended: nothing to alert
