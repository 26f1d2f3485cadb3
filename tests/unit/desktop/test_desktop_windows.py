"""The desktop's windows, real widgets offscreen, fed with the protocol's own message objects
(protocol.messages) as HubConnection's signals would deliver them."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from db.topics import read_topics_file
from db.units import read_units_csv
from desktop import app as desktop_app
from desktop.connection import HubConnection
from desktop.drafts import DraftStore
from desktop.forms.merge import merge_forms
from desktop.i18n import Translations
from desktop.i18n.__main__ import QM_FILE, TS_FILE, release, update
from desktop.models import format_time
from desktop.windows import AgentWindow, LoginWindow
from desktop.windows.labels import error_text
from desktop.windows.login import CERT_KEY, SERVER_KEY, USER_KEY
from desktop.windows.search import search_terms
from protocol import messages as m
from protocol.errors import ErrorCode, LocalCode
from tests.support.paths import ROOT_DIR
from tests.support.qt_windows import add_window

ROOT = ROOT_DIR
NOW = datetime(2026, 3, 12, 2, 41, 35, tzinfo=UTC)  # 09:41:35 in Cà Mau
CALL_UUID = "6f1c2a9e-5b1d-4c8e-9a57-0c3d2e1f4b7a"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture(scope="module")
def session_data() -> dict[str, Any]:
    """The login reply's data, with the shipped topics and units, as the hub sends them."""
    spec = read_topics_file(ROOT / "db" / "seed" / "topics.toml")
    topics = [{"key": t.key, "name_vi": t.name_vi, "name_en": t.name_en,
               "form_schema": t.form, "rules": t.rules, "acw_seconds": t.acw_seconds,
               "outcomes": [o.model_dump() for o in t.outcomes]} for t in spec.topic]
    units = [{"code": u.code, "name": u.name, "kind": u.kind,
              "former": [name for name, _ in u.former]}
             for u in read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv")]
    agent = agent_view("Available", since=iso(NOW - timedelta(minutes=12)), calls_today=7)
    return {"token": "t" * 32, "agent": agent.model_dump(), "expires_at": iso(NOW),
            "units": units, "topics": topics}


def agent_view(status: str, **fields: Any) -> m.AgentView:
    return m.AgentView(username="lan", full_name="Trần Ngọc Lan", role="nurse", status=status,
                       state=fields.pop("state", "Waiting"), topics=["f0_home_care"], **fields)


def screen_pop(session_data: dict[str, Any], seq: int = 2, uuid: str = CALL_UUID,
               **changes: Any) -> m.ScreenPop:
    topic = next(t for t in session_data["topics"] if t["key"] == "f0_home_care")
    call = m.CallView(uuid=uuid, call_id=5120, caller_number="0912345678",
                      caller_name="Nguyễn Thị Hồng Nhung", topic="f0_home_care",
                      answered_at=iso(NOW - timedelta(seconds=133)), waited_seconds=52)
    history = [  # deliberately not in order: the model sorts newest first
        {"kind": "call", "id": 4987, "at": iso(NOW - timedelta(days=2, hours=4)),
         "topic": "f0_home_care", "status": "abandoned", "summary": ""},
        {"kind": "case", "id": 311, "at": iso(NOW - timedelta(days=2)),
         "topic": "f0_home_care", "code": "F0-2026-000087", "status": "follow_up",
         "summary": "Nguyễn Thị Hồng Nhung · follow_up"},
        {"kind": "declaration", "id": 77, "at": iso(NOW - timedelta(days=3)), "status": None},
    ]
    declaration = {"id": 77, "received_at": iso(NOW - timedelta(days=3)), "source": "web",
                   "full_name": "Nguyễn Thị Hồng Nhung", "phone": "+84912345678",
                   "birth_year": 1987, "sex": "female", "admin_unit_code": "32152",
                   "address_detail": "Ấp Tân Long", "positive_date": "2026-03-09",
                   "test_type": "rapid_antigen", "symptoms": "sốt, ho", "case_id": None}
    fields: dict[str, Any] = {
        "seq": seq, "call": call, "topic": topic, "history": history,
        "declaration": declaration, "open_case": None,
        "draft": {"full_name": "Nguyễn Thị Hồng Nhung", "birth_year": 1987, "sex": "female",
                  "admin_unit": "32152", "spo2": 97}}
    return m.ScreenPop(**{**fields, **changes})


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desktop.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    translations = Translations(qapp)
    assert translations.apply("vi"), "desktop/i18n/hotline_vi.qm is missing"
    yield translations
    translations.apply("en")  # the application object outlives the test


@pytest.fixture
def connection(qapp: QApplication) -> Iterator[HubConnection]:
    connection = HubConnection()
    yield connection
    connection.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
           settings: QSettings, translations: Translations, clock: Clock) -> AgentWindow:
    window = AgentWindow(connection, session_data, settings, translations, clock=clock)
    add_window(qtbot, window)
    with qtbot.waitActive(window):  # shortcuts go to the active window
        window.show()
    return window


def sent(connection: HubConnection, kind: type) -> list[Any]:
    return [r for r in connection.pending_requests() if isinstance(r, kind)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- login -------------------------------------------------------------------------------

def test_login_checks_the_fields_before_connecting(qtbot: Any, connection: HubConnection,
                                                   settings: QSettings,
                                                   translations: Translations) -> None:
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    assert login.windowTitle() == "Đường dây nóng 1022 — đăng nhập"
    login.fill(server="127.0.0.1:8443", username="", password="")
    login.submit()
    assert login.error_text == "Nhập tên đăng nhập."
    login.fill(username="lan")
    login.submit()
    assert login.error_text == "Nhập mật khẩu."
    login.fill(server="ws://10.1.2.3:8443", password="mat-khau-dai-1")
    login.submit()
    assert "ws://" in login.error_text and "127.0.0.1" in login.error_text
    assert connection.state == "offline" and settings.value(SERVER_KEY) is None


def test_login_remembers_the_server_and_says_why_it_failed(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations) -> None:
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    address = f"127.0.0.1:{closed_port()}"  # nothing listens there
    login.fill(server=address, username="lan", password="mat-khau-dai-1")
    with qtbot.waitSignal(connection.login_failed, timeout=5000) as failed:
        login.submit()
    assert failed.args[0].code == "offline"
    assert login.error_text.startswith("Không kết nối được máy chủ:")
    assert settings.value(SERVER_KEY) == address and settings.value(USER_KEY) == "lan"
    assert "mat-khau" not in Path(settings.fileName()).read_text(encoding="utf-8") \
        if Path(settings.fileName()).exists() else True
    settings.sync()
    again = LoginWindow(HubConnection(), settings, translations)
    qtbot.addWidget(again)
    again.fill(password="x")
    assert again._server.text() == address and again._username.text() == "lan"
    assert again._password.hasFocus() or not again.isVisible()


def test_login_refuses_a_certificate_file_without_a_certificate(
        qtbot: Any, connection: HubConnection, settings: QSettings,
        translations: Translations, tmp_path: Path) -> None:
    bogus = tmp_path / "hub.crt"
    bogus.write_text("not a certificate\n")
    settings.setValue(CERT_KEY, str(bogus))
    login = LoginWindow(connection, settings, translations)
    qtbot.addWidget(login)
    login.fill(server="127.0.0.1:8443", username="lan", password="mat-khau-dai-1")
    login.submit()
    assert login.error_text == "Tệp chứng chỉ không chứa chứng chỉ PEM nào."
    assert connection.state == "offline"


# -- status ------------------------------------------------------------------------------

def test_status_changes_update_the_bar_and_time_in_status_ticks(
        qtbot: Any, window: AgentWindow, clock: Clock) -> None:
    bar = window.status_bar
    assert bar.status_label.text() == "Sẵn sàng"
    assert bar.calls_label.text() == "Cuộc gọi hôm nay: 7"
    assert bar.time_label.text() == "Thời gian trạng thái: 12:00"
    window.apply_agent_status(m.AgentStatus(seq=3, agent=agent_view(
        "On Break", reason="meal", since=iso(NOW), calls_today=7)))
    assert bar.status_label.text() == "Tạm nghỉ — Nghỉ ăn"
    assert "#b26a00" in bar.status_label.styleSheet()
    assert window.status_actions.on_break.isChecked()
    assert not window.status_actions.available.isChecked()
    clock.advance(65)
    qtbot.waitUntil(lambda: bar.time_label.text() == "Thời gian trạng thái: 1:05",
                    timeout=3000)


def test_status_keys_ask_the_hub(qtbot: Any, window: AgentWindow,
                                 connection: HubConnection) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    assert [(r.status, r.reason) for r in sent(connection, m.SetStatus)] == \
        [("Logged Out", None)]  # offline, only the newest status waits for the link
    qtbot.keyClick(window, Qt.Key.Key_F3)
    menu = window.status_actions.reasons_menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    assert [a.text() for a in menu.actions()][:2] == ["Nghỉ ăn", "Nghỉ giải lao"]
    menu.actions()[2].trigger()  # Họp
    assert [(r.status, r.reason) for r in sent(connection, m.SetStatus)] == \
        [("On Break", "meeting")]
    assert window.status_actions.available.isChecked()  # until the hub says otherwise


def test_the_session_menu_logs_out(qtbot: Any, window: AgentWindow) -> None:
    session_menu = window.menuBar().actions()[-1].menu()
    assert window.logout_action in session_menu.actions()
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        window.logout_action.trigger()


def test_f4_in_a_list_opens_the_list_and_does_not_log_the_agent_out(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        connection: HubConnection) -> None:
    """F4 is Qt's key for a combo box's list (and Windows'); F4 elsewhere is Logged Out."""
    window.show_screen_pop(screen_pop(session_data))
    view = window.screen_pop_view
    outcome = view.form_host.form.findChild(QComboBox, "field_outcome")
    for combo in (outcome, view._status):
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus)
        qtbot.keyClick(combo, Qt.Key.Key_F4)
        assert combo.view().isVisible()
        combo.hidePopup()
    assert sent(connection, m.SetStatus) == []  # still taking calls
    name = view.form_host.form.editor("full_name").focus_widget()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    qtbot.keyClick(name, Qt.Key.Key_F4)
    assert [r.status for r in sent(connection, m.SetStatus)] == ["Logged Out"]


# -- the call ----------------------------------------------------------------------------

def test_screen_pop_fills_the_call_panel_history_declaration_and_form(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=[]))
    window.show_screen_pop(screen_pop(session_data))
    panel = window.call_panel
    assert panel.caller_label.text() == "0912345678"
    assert panel.name_label.text() == "Nguyễn Thị Hồng Nhung"
    assert panel.topic_label.text() == "Tư vấn và hỗ trợ điều trị F0 tại nhà"
    assert panel.waited_label.text() == "Đã chờ: 0:52"
    assert panel.talk_label.text() == "Đàm thoại: 2:13 (từ 09:39:22)"
    history = window.screen_pop_view.history
    assert [row["kind"] for row in history.rows] == ["case", "call", "declaration"]
    assert history.data(history.index(0, 0)) == format_time(NOW - timedelta(days=2))
    assert history.data(history.index(0, 1)) == "Hồ sơ"
    assert history.data(history.index(0, 3)) == "F0-2026-000087"
    assert history.data(history.index(0, 4)) == "Theo dõi"
    assert history.headerData(0, Qt.Orientation.Horizontal) == "Thời gian"
    box = window.screen_pop_view.declaration_box
    texts = [label.text() for label in box.findChildren(QWidget) if hasattr(label, "text")]
    assert box.isVisible() and "Xã Đầm Dơi" in texts and "09/03/2026" in texts
    assert "Test nhanh kháng nguyên" in texts and "Nữ" in texts  # codes named as the form does
    form = window.screen_pop_view.form_host.form
    assert form is not None and form.values()["full_name"] == "Nguyễn Thị Hồng Nhung"
    assert window.tabs.currentWidget() is window.screen_pop_view
    assert window.escalate_action.isEnabled() and window.save_action.isEnabled()


def test_a_snapshot_of_the_same_call_keeps_what_the_nurse_typed(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    pop = screen_pop(session_data)
    window.show_screen_pop(pop)
    form = window.screen_pop_view.form_host.form
    form.set_values({**form.values(), "spo2": 93})
    window.apply_snapshot(m.Snapshot(seq=9, agent=agent_view("Available"), call=pop.call,
                                     screen_pop=pop.model_dump()))
    assert window.screen_pop_view.form_host.form is form and form.values()["spo2"] == 93


def test_call_ended_counts_down_after_call_work(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any], clock: Clock) -> None:
    window.show_screen_pop(screen_pop(session_data))
    panel = window.call_panel
    assert not panel.acw_label.isVisible()
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=180))))
    assert panel.acw_label.isVisible()
    assert panel.acw_label.text() == "Hoàn tất sau cuộc gọi: còn 3:00"
    assert panel.talk_label.text() == "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    assert not window.escalate_action.isEnabled() and window.save_action.isEnabled()
    assert window.wrap_up_action.isEnabled()
    clock.advance(30)
    qtbot.waitUntil(lambda: panel.acw_label.text() == "Hoàn tất sau cuộc gọi: còn 2:30",
                    timeout=3000)
    clock.advance(200)
    qtbot.waitUntil(lambda: panel.acw_label.text() == "Đã hết thời gian hoàn tất sau cuộc gọi",
                    timeout=3000)
    window.apply_agent_status(m.AgentStatus(seq=4, agent=agent_view("Available")))
    assert not panel.acw_label.isVisible() and not window.wrap_up_action.isEnabled()


def test_a_call_that_ended_while_the_link_was_down_stops_its_talk_timer(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any], clock: Clock) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.apply_snapshot(m.Snapshot(seq=7, agent=agent_view("Available")))  # no call now
    panel = window.call_panel
    assert panel.ended and panel.talk_label.text() == \
        "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    clock.advance(600)
    qtbot.wait(1100)  # a tick of the panel's timer
    assert panel.talk_label.text() == "Cuộc gọi kết thúc sau 2:13 (bắt đầu 09:39:22)"
    assert not panel.acw_label.isVisible() and not window.wrap_up_action.isEnabled()
    assert not window.hangup_action.isEnabled() and window.save_action.isEnabled()


def test_a_call_ended_for_another_call_changes_nothing(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid="another-call"))
    assert window.escalate_action.isEnabled() and not window.call_panel.acw_label.isVisible()


def test_ctrl_s_saves_the_case_and_waits_for_the_link_when_offline(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))
    form = window.screen_pop_view.form_host.form
    form.set_values({**form.values(), "outcome": "advised_home"})
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    (save,) = sent(connection, m.CaseSave)
    assert save.topic == "f0_home_care" and save.call_uuid == CALL_UUID
    assert save.caller_phone == "0912345678" and save.status == "closed"
    assert save.form["outcome"] == "advised_home" and save.draft_id == CALL_UUID
    assert window.screen_pop_view.message.text() == \
        "Mất kết nối: hồ sơ sẽ được gửi khi kết nối trở lại."
    assert window.status_bar.pending_label.text() == "Chờ gửi: 1"


def test_a_form_with_errors_is_not_sent(window: AgentWindow, session_data: dict[str, Any],
                                        connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))  # no outcome yet: required
    assert window.save_case() is None
    assert sent(connection, m.CaseSave) == []
    assert window.screen_pop_view.message.text().startswith("Kiểm tra lại phiếu:")


def test_the_hubs_answer_to_a_save(window: AgentWindow, session_data: dict[str, Any],
                                   connection: HubConnection,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A save refused because a colleague saved first: their version is read and merged in
    (their changes taken, the nurse's kept, the fields both changed named), then saved."""
    answers: list[Any] = []
    saves: list[dict[str, Any]] = []
    monkeypatch.setattr(connection, "case_save", lambda callback, **fields: (
        answers.append(callback), saves.append(fields)) and "r1")
    monkeypatch.setattr(connection, "case_get",
                        lambda case_id, callback: answers.append(callback) or "r2")
    base = screen_pop(session_data).draft
    window.show_screen_pop(screen_pop(session_data, open_case={
        "id": 311, "code": "F0-2026-000087", "status": "follow_up", "version": 2,
        "form": base}))
    view = window.screen_pop_view
    assert (view.case_id, view.version, view.case_status()) == (311, 2, "follow_up")
    form = view.form_host.form
    form.set_values({"outcome": "advised_home", "spo2": 95})
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    window.save_case()
    answers[0](m.Error(id="r1", code="conflict", message="case F0-2026-000087 was changed"))
    assert view.message.text().startswith("Người khác vừa lưu hồ sơ này")
    theirs = {**base, "birth_year": 1986, "spo2": 93}
    answers[1](m.Reply(type="case_get", id="r2", data={"case": {
        "id": 311, "code": "F0-2026-000087", "version": 4, "form": theirs,
        "updated_at": iso(NOW - timedelta(minutes=1))}}))
    values = form.values()
    assert (values["birth_year"], values["spo2"], values["outcome"]) == (
        1986, 95, "advised_home")  # theirs taken, the nurse's kept
    assert form.label("spo2") in view.message.text() and view.version == 4
    window.save_case()
    assert saves[-1]["version"] == 4 and saves[-1]["form"]["spo2"] == 95
    answers[2](m.Reply(type="case_save", id="r1", data={"case": {
        "id": 311, "code": "F0-2026-000087", "version": 5}}))
    assert view.message.text() == "Đã lưu hồ sơ F0-2026-000087." and view.version == 5
    assert not window.call_panel.acw_label.isVisible()


def test_merge_forms_takes_theirs_keeps_mine_and_names_both() -> None:
    base = {"a": 1, "b": 2, "c": 3, "d": 4}
    mine = {"a": 1, "b": 20, "c": 30, "e": 5}  # d cleared, e new
    theirs = {"a": 10, "b": 2, "c": 31, "d": 4, "f": 6}
    merged, both = merge_forms(base, mine, theirs)
    assert merged == {"a": 10, "b": 20, "c": 30, "d": None, "e": 5, "f": 6}
    assert both == ["c"]
    assert merge_forms(base, base, theirs) == (theirs, [])


def answer_dialog(button: str) -> list[str]:
    """Click `button` of the next modal dialog (its exec() would wait for a person); the
    list gets the dialog's text."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, click)
    return seen


def test_ctrl_e_transfers_to_115_and_records_the_escalation(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch, connection: HubConnection) -> None:
    transfers: list[tuple[str, str]] = []
    monkeypatch.setattr(connection, "call_transfer",
                        lambda uuid, to, target, callback: transfers.append((uuid, to)) or "r")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert transfers == []  # no call, nothing to transfer (and nothing asked)
    window.show_screen_pop(screen_pop(session_data))
    asked = answer_dialog("Ở lại cuộc gọi")  # a slip of the fingers: the nurse stays
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Chuyển 0912345678 sang cấp cứu 115 ngay?"] and transfers == []
    assert window.screen_pop_view.case_status() != "escalated"
    with qtbot.waitActive(window):  # the dialog had the focus
        window.activateWindow()
    answer_dialog("Chuyển cấp cứu 115")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert transfers == [(CALL_UUID, "emergency")]
    assert window.screen_pop_view.case_status() == "escalated"
    assert window.screen_pop_view.form_host.form.values()["outcome"] == "escalated_115"


def test_a_transfer_asked_offline_fails_at_once(qtbot: Any, window: AgentWindow,
                                                session_data: dict[str, Any],
                                                connection: HubConnection) -> None:
    window.show_screen_pop(screen_pop(session_data))
    answer_dialog("Chuyển cấp cứu 115")
    with qtbot.waitSignal(connection.reply_received, timeout=2000) as answer:
        window.escalate()
    assert answer.args[0].code == "offline"
    assert window.statusBar().currentMessage() == "Chưa kết nối được với máy chủ. " \
        "(not connected to the hub)"


def test_logging_out_or_closing_mid_call_asks_first(
        qtbot: Any, window: AgentWindow, session_data: dict[str, Any]) -> None:
    left: list[bool] = []
    window.logout_requested.connect(lambda: left.append(True))
    window.show_screen_pop(screen_pop(session_data))
    asked = answer_dialog("Ở lại")
    window.logout_action.trigger()
    assert asked[0].startswith("Đang có cuộc gọi.") and left == []
    answer_dialog("Ở lại")
    window.close()  # the window's close button
    assert window.isVisible() and left == []
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    asked = answer_dialog("Đăng xuất")
    window.close()
    assert asked[0].startswith("Hồ sơ của cuộc gọi vừa rồi chưa được lưu.") and left == [True]


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


# -- callbacks and search ----------------------------------------------------------------

def callback_rows() -> list[dict[str, Any]]:
    return [
        {"id": 43, "phone": "0946550128", "topic": "f0_home_care", "reason": "follow_up",
         "due_at": iso(NOW + timedelta(minutes=40)), "attempts": 0, "note": None},
        {"id": 41, "phone": "0918223447", "topic": "f0_home_care", "reason": "abandoned",
         "due_at": iso(NOW - timedelta(minutes=25)), "attempts": 1, "note": "chờ 2 phút",
         "last_result": "USER_BUSY", "last_attempt_at": iso(NOW - timedelta(minutes=40))},
    ]


def test_callbacks_tab_highlights_overdue_and_dials_with_one_click(
        qtbot: Any, window: AgentWindow, connection: HubConnection) -> None:
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"),
                                     callbacks=callback_rows()))
    view = window.callbacks_view
    assert window.tabs.currentWidget() is view  # between calls the callbacks are in front
    assert window.tabs.tabText(1) == "Gọi lại (2) — 1 quá hạn"
    model = view.model
    assert [row["id"] for row in model.rows] == [41, 43]  # the overdue one first
    assert model.data(model.index(0, 0)).endswith("— quá hạn")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(0, 3)) == "Gác máy khi đang chờ"
    assert model.data(model.index(0, 5)).startswith("Máy bận · ")  # how the last try went
    assert model.data(model.index(1, 5)) == ""
    button = view.buttons[41]
    assert isinstance(button, QPushButton) and button.text() == "Gọi lại"
    with qtbot.waitSignal(connection.reply_received, timeout=2000) as answer:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert answer.args[0].code == "offline"  # a dial is never queued for later
    assert view.message.text().startswith("Chưa kết nối được với máy chủ.")
    window.show_callbacks(m.Callbacks(seq=2, callbacks=callback_rows()[:1]))
    assert window.tabs.tabText(1) == "Gọi lại (1)"
    new = {**callback_rows()[1], "id": 44, "phone": "0907111222", "state": "open"}
    window.show_callbacks(m.Callbacks(seq=3, changed_only=True, callbacks=[
        {**callback_rows()[0], "state": "dialing"}, new]))  # a colleague dials 43; 44 is owed
    assert [row["id"] for row in model.rows] == [44] and 44 in view.buttons


def test_history_search_by_phone_or_case_code(window: AgentWindow,
                                              connection: HubConnection,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert search_terms(" f0-2026-000087 ") == {"case_code": "F0-2026-000087"}
    assert search_terms("0912 345.678") == {"phone": "0912345678"}
    view = window.search_view
    view.field.setText("0912 345 678")
    view.search()
    (asked,) = sent(connection, m.HistorySearch)
    assert asked.phone == "0912345678" and asked.case_code is None
    answers: list[Any] = []
    monkeypatch.setattr(connection, "history_search",
                        lambda callback, **terms: answers.append(callback) or "r")
    view.field.setText("F0-2026-000087")
    view.search()
    answers[0](m.Reply(type="history_search", id="r", data={"items": [
        {"kind": "case", "id": 1, "at": iso(NOW - timedelta(days=9)), "code": "F0-2026-000001"},
        {"kind": "case", "id": 2, "at": iso(NOW), "code": "F0-2026-000087"}]}))
    assert [row["code"] for row in view.results.rows] == ["F0-2026-000087", "F0-2026-000001"]
    assert view.message.text() == "2 kết quả"


# -- the link, the language, the layout ----------------------------------------------------

def test_connection_state_is_always_shown_in_colour(window: AgentWindow,
                                                    connection: HubConnection) -> None:
    label = window.status_bar.connection_label
    assert label.text() == "● Mất kết nối" and "#c62828" in label.styleSheet()
    for state, text, colour in (("connecting", "● Đang kết nối…", "#b26a00"),
                                ("connected", "● Đã kết nối", "#1b7f3b"),
                                ("reconnecting", "● Đang kết nối lại…", "#b26a00"),
                                ("offline", "● Mất kết nối", "#c62828")):
        connection.state_changed.emit(state)
        assert label.text() == text and colour in label.styleSheet()
        assert label.isVisible()


def test_every_error_code_reads_in_the_agents_language(translations: Translations) -> None:
    """Every code of protocol.errors, the hub's and the connection's own (but `superseded`,
    which is never shown): a sentence in Vietnamese, the hub's English words at most in
    brackets after it."""
    shown = [*ErrorCode, *(c for c in LocalCode if c is not LocalCode.SUPERSEDED)]
    for code in shown:
        text = error_text(code, "the hub's words")
        assert not text.startswith("the hub's words"), code
    assert error_text("internal", "") == "Máy chủ gặp sự cố nên chưa làm được; vui lòng thử lại."


def test_what_callers_send_shows_as_text_never_as_markup(
        window: AgentWindow, session_data: dict[str, Any]) -> None:
    """An outside caller chooses their caller-ID name, and the web form's fields are typed by
    anyone: `<b style=…>` must be shown as it was sent, not restyle the pop (QLabel's default
    AutoText would render it)."""
    markup = "<b style='font-size:60pt;color:red'>ĐỎ</b>"
    pop = screen_pop(session_data)
    call = pop.call.model_copy(update={"caller_name": markup})
    declaration = {**(pop.declaration or {}), "address_detail": markup}
    window.apply_snapshot(m.Snapshot(seq=1, agent=agent_view("Available"), callbacks=[]))
    window.show_screen_pop(screen_pop(session_data, call=call, declaration=declaration))
    shown = [window.call_panel.name_label] + [
        label for label in window.screen_pop_view.declaration_box.findChildren(QLabel)
        if label.text() == markup]
    assert window.call_panel.name_label.text() == markup and len(shown) == 2
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in shown)


def test_english_can_be_chosen_and_vietnamese_comes_back(
        window: AgentWindow, session_data: dict[str, Any], settings: QSettings) -> None:
    window.show_screen_pop(screen_pop(session_data))
    window.language_actions["en"].trigger()
    assert window.status_bar.status_label.text() == "Available"
    assert window.tabs.tabText(0) == "Current call"
    assert window.call_panel.topic_label.text() == \
        "Advice and support for COVID-19 patients (F0) treated at home"
    assert window.screen_pop_view.history.headerData(0, Qt.Orientation.Horizontal) == "Time"
    assert window.save_action.text() == "Save case (Ctrl+S)"
    assert window.screen_pop_view.form_host.form.values()["full_name"] == \
        "Nguyễn Thị Hồng Nhung"  # the form is rebuilt in English with what was typed
    assert settings.value("ui/language") == "en"
    window.set_language("vi")
    assert window.status_bar.status_label.text() == "Sẵn sàng"
    assert window.menuBar().actions()[0].text() == "&Trạng thái"


def _inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def test_the_screen_pop_fits_1366_by_768(qtbot: Any, window: AgentWindow,
                                         session_data: dict[str, Any]) -> None:
    window.show_screen_pop(screen_pop(session_data, open_case={
        "id": 311, "code": "F0-2026-000087", "status": "follow_up", "version": 2}))
    window.apply_call_ended(m.CallEnded(seq=3, call_uuid=CALL_UUID,
                                        acw_until=iso(NOW + timedelta(seconds=60))))
    window.resize(1366, 768)
    qtbot.wait(50)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert (window.width(), window.height()) == (1366, 768)
    bar, panel, view = window.status_bar, window.call_panel, window.screen_pop_view
    for widget in (bar.status_label, bar.time_label, bar.calls_label, bar.connection_label,
                   panel.caller_label, panel.acw_label, view.history_view, view.form_host,
                   view.message, view.declaration_box):
        assert widget.isVisible() and _inside(widget, window), widget
    save = next(b for b in view.findChildren(QPushButton) if "Ctrl+S" in b.text())
    assert _inside(save, window) and save.width() >= save.sizeHint().width()
    assert panel.caller_label.width() >= panel.caller_label.sizeHint().width()


# -- the application and its translation files --------------------------------------------

def test_the_app_says_so_when_there_is_no_display() -> None:
    if not desktop_app.sys.platform.startswith("linux"):
        pytest.skip("only Linux needs a display server")
    assert not desktop_app.display_available({})
    assert desktop_app.display_available({"DISPLAY": ":0"})
    assert desktop_app.display_available({"QT_QPA_PLATFORM": "offscreen"})


def test_every_string_is_translated_and_the_qm_is_up_to_date(tmp_path: Path) -> None:
    """The committed .ts has every tr() string of desktop/ translated, and the committed .qm
    is what pyside6-lrelease makes of it (`python -m desktop.i18n update` fixes both)."""
    ts = tmp_path / "hotline_vi.ts"
    ts.write_bytes(TS_FILE.read_bytes())
    update(ts)
    text = ts.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "new strings: run python -m desktop.i18n update"
    assert text == TS_FILE.read_text(encoding="utf-8"), "the .ts is not lupdate's output"
    qm = tmp_path / "hotline_vi.qm"
    release(ts, qm)
    assert qm.read_bytes() == QM_FILE.read_bytes(), "run python -m desktop.i18n release"


def test_lupdate_and_lrelease_come_with_pyside6() -> None:
    from desktop.i18n.__main__ import tool

    for name in ("pyside6-lupdate", "pyside6-lrelease"):
        assert subprocess.run([tool(name), "-version"], capture_output=True).returncode == 0
