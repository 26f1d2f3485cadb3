"""Local drafts: kept on disk, sent, restored, filed again. Real widgets offscreen, fed with the
protocol's own message objects (protocol.messages) as HubConnection's signals would deliver
them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from desktop import app as desktop_app
from desktop.connection import HubConnection
from desktop.drafts import DraftStore
from desktop.i18n import Translations
from desktop.windows import AgentWindow
from protocol import messages as m
from tests.support.desktop_windows import (
    CALL_UUID,
    NOW,
    Clock,
    agent_view,
    answer_dialog,
    iso,
    screen_pop,
    sent,
)
from tests.support.qt_windows import add_window

# -- local drafts ------------------------------------------------------------------------

@pytest.fixture
def drafts(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


def drafted_window(qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
                   settings: QSettings, translations: Translations, drafts: DraftStore
                   ) -> AgentWindow:
    window = AgentWindow(connection, session_data, settings, translations,
                         clock=Clock(), drafts=drafts)
    add_window(qtbot, window)
    return window


def test_what_the_nurse_types_is_kept_on_disk_sent_as_a_draft_and_restored(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.show_screen_pop(screen_pop(session_data))
    spo2 = window.screen_pop_view.form_host.form.editor("spo2").focus_widget()
    spo2.clear()
    qtbot.keyClicks(spo2, "93")
    qtbot.waitUntil(lambda: bool(sent(connection, m.CaseDraft)), timeout=3000)  # debounced
    (draft,) = sent(connection, m.CaseDraft)
    assert draft.form["spo2"] == 93 and draft.draft_id == CALL_UUID
    assert draft.topic == "f0_home_care" and draft.call_uuid == CALL_UUID
    local = drafts.load(CALL_UUID)
    assert local is not None and local.payload["form"]["spo2"] == 93
    assert not local.acknowledged  # offline: the hub has not got it yet
    # The desktop dies; a new one gets the same call back in the snapshot.
    again = drafted_window(qtbot, HubConnection(), session_data, settings, translations,
                           DraftStore(drafts.directory))
    with qtbot.waitSignal(again._drafts.restored, timeout=1000):
        again.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"),
                                        screen_pop=screen_pop(session_data).model_dump()))
    assert again.screen_pop_view.form_host.form.values()["spo2"] == 93


def test_a_second_call_keeps_the_first_calls_draft_as_its_own(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    """After-call work ran out (or the nurse said she was ready) with the form unsaved, and the
    next call pops: what she typed last for the first caller is kept as the first call's."""
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.show_screen_pop(screen_pop(session_data))
    view = window.screen_pop_view
    qtbot.keyClicks(view._notes, "ho nhieu ve dem")
    spo2 = view.form_host.form.editor("spo2").focus_widget()
    spo2.clear()
    qtbot.keyClicks(spo2, "93")  # the next call pops before the debounce is up
    second = m.CallView(uuid="9d0e1f2a-0000-4c8e-9a57-0c3d2e1f4b7b", call_id=5121,
                        caller_number="0946550128", topic="f0_home_care",
                        answered_at=iso(NOW))
    window.show_screen_pop(screen_pop(session_data, seq=5, call=second, draft={}))
    first = drafts.load(CALL_UUID)
    assert first is not None and first.payload["form"]["spo2"] == 93
    assert (first.payload["call_uuid"], first.payload["caller_phone"]) == \
        (CALL_UUID, "0912345678")
    assert first.payload["notes"] == "ho nhieu ve dem"
    sent_first = [d for d in sent(connection, m.CaseDraft) if d.draft_id == CALL_UUID]
    assert sent_first and sent_first[-1].call_uuid == CALL_UUID  # the hub files it right
    assert sent_first[-1].caller_phone == "0912345678"
    assert view.draft_id == second.uuid and view._notes.toPlainText() == ""


def test_logging_out_saves_what_was_just_typed(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.show_screen_pop(screen_pop(session_data))
    spo2 = window.screen_pop_view.form_host.form.editor("spo2").focus_widget()
    spo2.clear()
    qtbot.keyClicks(spo2, "93")
    answer_dialog("Đăng xuất")  # a call is up: the nurse confirms
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        window.logout_action.trigger()  # before the debounce is up; the app may quit next
    local = drafts.load(CALL_UUID)
    assert local is not None and local.payload["form"]["spo2"] == 93


def test_a_window_replaced_by_another_agents_saves_its_draft_first(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    desktop = desktop_app.DesktopApp(connection, settings, translations, drafts)
    qtbot.addWidget(desktop.login_window)
    connection.username = "lan"
    connection.logged_in.emit(session_data)
    first = desktop.agent_window
    assert first is not None
    add_window(qtbot, first)
    first.show_screen_pop(screen_pop(session_data))
    spo2 = first.screen_pop_view.form_host.form.editor("spo2").focus_widget()
    spo2.clear()
    qtbot.keyClicks(spo2, "93")
    connection.username = "binh"  # the session was lost; a colleague logs in at this desk
    connection.logged_in.emit({**session_data, "agent": m.AgentView(
        username="binh", full_name="Lê Văn Bình", role="nurse", status="Logged Out",
        state="Waiting").model_dump()})
    assert desktop.agent_window is not first
    add_window(qtbot, desktop.agent_window)
    local = drafts.load(CALL_UUID)
    assert local is not None and local.payload["form"]["spo2"] == 93


def test_the_notes_are_saved_soon_after_typing_as_the_fields_are(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.show_screen_pop(screen_pop(session_data))
    qtbot.keyClicks(window.screen_pop_view._notes, "goi lai luc 14h")

    def saved_notes() -> Any:
        local = drafts.load(CALL_UUID)
        return local.payload.get("notes") if local else None

    qtbot.waitUntil(lambda: saved_notes() == "goi lai luc 14h", timeout=2000)  # not 5 s


def test_a_saved_case_forgets_its_draft(connection: HubConnection, qtbot: Any,
                                        session_data: dict[str, Any], settings: QSettings,
                                        translations: Translations, drafts: DraftStore,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.show_screen_pop(screen_pop(session_data))
    form = window.screen_pop_view.form_host.form
    form.set_values({**form.values(), "outcome": "advised_home"})
    window.screen_pop_view.drafts.save_now()
    assert drafts.load(CALL_UUID) is not None
    answers: list[Any] = []
    monkeypatch.setattr(connection, "case_save",
                        lambda callback, **fields: answers.append(callback) or "r")
    window.save_case()
    answers[0](m.Reply(type="case_save", id="r", data={"case": {"id": 9, "code": "F0-2026-9",
                                                                 "version": 1}}))
    assert drafts.load(CALL_UUID) is None


def test_drafts_left_by_an_earlier_session_are_saved_as_follow_ups(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    drafts.save("old-call", {"topic": "f0_home_care", "call_uuid": "old-call", "case_id": None,
                             "caller_phone": "0918223447", "notes": "chưa xong",
                             "form": {"full_name": "Lê Văn Tám", "spo2": 96}})
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available")))
    (save,) = sent(connection, m.CaseSave)
    assert save.draft_id == "old-call" and save.status == "follow_up"
    assert save.form == {"full_name": "Lê Văn Tám", "spo2": 96, "outcome": "follow_up"}
    assert save.notes == "chưa xong" and save.caller_phone == "0918223447"
    window.apply_snapshot(m.Snapshot(seq=5, agent=agent_view("Available")))
    assert len(sent(connection, m.CaseSave)) == 1  # once per login, not per snapshot


def test_a_left_over_draft_the_hub_refuses_is_opened_for_the_nurse_to_complete(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore,
        monkeypatch: pytest.MonkeyPatch) -> None:
    drafts.save("old-call", {"topic": "f0_home_care", "call_uuid": "old-call", "case_id": None,
                             "caller_phone": "0918223447", "notes": None, "agent": "lan",
                             "form": {"spo2": 96}})
    answers: list[Any] = []
    saves: list[dict[str, Any]] = []
    monkeypatch.setattr(connection, "case_save", lambda callback, **fields: (
        answers.append(callback), saves.append(fields)) and "r")
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available")))
    answers[0](m.Error(id="r", code="invalid", message="the form has errors",
                       fields=[("full_name", "is required")]))
    view = window.screen_pop_view
    assert view.pop is not None and view.pop.call.uuid == "old-call"
    assert view.form_host.form.values()["spo2"] == 96
    assert view.message.text().startswith("Bản nháp của một cuộc gọi trước chưa lưu được")
    assert window.busy_with() is None and not window.escalate_action.isEnabled()
    view.form_host.form.set_values({"full_name": "Lê Văn Tám", "outcome": "advised_home"})
    window.save_case()
    assert saves[-1]["draft_id"] == "old-call" and saves[-1]["form"]["spo2"] == 96
    answers[1](m.Reply(type="case_save", id="r", data={"case": {"id": 9, "code": "F0-2026-9",
                                                                 "version": 1}}))
    assert drafts.load("old-call") is None


def test_left_over_drafts_are_filed_again_at_the_next_login_of_the_same_window(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    drafts.save("old-call", {"topic": "f0_home_care", "call_uuid": "old-call", "case_id": None,
                             "caller_phone": "0918223447", "notes": None,
                             "form": {"full_name": "Lê Văn Tám"}})
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    snapshot = m.Snapshot(seq=1, agent=agent_view("Available"))
    window.apply_snapshot(snapshot)
    assert [save.draft_id for save in sent(connection, m.CaseSave)] == ["old-call"]
    connection.logged_in.emit(session_data)  # the session was lost: she logs in again
    window.apply_snapshot(snapshot)
    assert len(sent(connection, m.CaseSave)) == 1  # the first is still waiting: not twice
    connection.logout()  # it never got through (answered "closed"): still on the disk
    assert sent(connection, m.CaseSave) == [] and drafts.load("old-call") is not None
    connection.logged_in.emit(session_data)  # the same nurse, the same window
    window.apply_snapshot(snapshot)
    assert [save.draft_id for save in sent(connection, m.CaseSave)] == ["old-call"]


def test_left_over_drafts_of_another_agent_at_this_desk_are_left_to_them(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    left = {"topic": "f0_home_care", "case_id": None, "caller_phone": "0918223447",
            "notes": None, "form": {"full_name": "Lê Văn Tám"}}
    drafts.save("binh-call", {**left, "call_uuid": "binh-call", "agent": "binh"})
    drafts.save("lan-call", {**left, "call_uuid": "lan-call", "agent": "lan"})
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available")))  # lan
    assert [save.draft_id for save in sent(connection, m.CaseSave)] == ["lan-call"]
    assert drafts.load("binh-call") is not None  # for Bình's next login
    window.show_screen_pop(screen_pop(session_data))
    window.screen_pop_view.drafts.save_now()
    local = drafts.load(CALL_UUID)
    assert local is not None and local.payload["agent"] == "lan"  # whose draft it is


def _age(drafts: DraftStore, draft_id: str, days: float) -> None:
    """As if the draft had been saved `days` ago."""
    path = drafts.directory / f"{draft_id}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["saved_at"] = iso(datetime.now(UTC) - timedelta(days=days))
    path.write_text(json.dumps(record), encoding="utf-8")


def test_acknowledged_drafts_are_forgotten_at_a_login_a_day_later(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    """The hub took them and after-call work is long over: health data does not pile up on
    the desk (each call the nurse did not save herself left one behind, for good)."""
    for draft_id in ("done-call", "fresh-call", "unsent-call"):
        drafts.save(draft_id, {"topic": "f0_home_care", "call_uuid": draft_id, "case_id": None,
                               "caller_phone": "0918223447", "notes": None, "agent": "lan",
                               "form": {"full_name": "Lê Văn Tám"}})
    assert drafts.acknowledge("done-call") and drafts.acknowledge("fresh-call")
    _age(drafts, "done-call", days=2)
    _age(drafts, "unsent-call", days=2)
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available")))
    assert drafts.load("done-call") is None
    assert drafts.load("fresh-call") is not None  # the hub may still be wrapping it up
    assert drafts.load("unsent-call") is not None  # never got through: filed, kept till then
    assert [save.draft_id for save in sent(connection, m.CaseSave)] == ["unsent-call"]


def test_a_draft_the_hub_took_long_ago_is_filed_again_in_case_the_hub_lost_it(
        qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
        settings: QSettings, translations: Translations, drafts: DraftStore) -> None:
    """The hub keeps a draft in memory until after-call work ends: a daemon restart in
    between loses its copy, so the desk files it again (the hub updates the case it made)."""
    drafts.save("taken-call", {"topic": "f0_home_care", "call_uuid": "taken-call",
                               "case_id": None, "caller_phone": "0918223447", "notes": None,
                               "agent": "lan", "form": {"full_name": "Lê Văn Tám"}})
    assert drafts.acknowledge("taken-call")
    _age(drafts, "taken-call", days=0.05)  # an hour ago: after-call work is long over
    window = drafted_window(qtbot, connection, session_data, settings, translations, drafts)
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available")))
    assert [save.draft_id for save in sent(connection, m.CaseSave)] == ["taken-call"]
