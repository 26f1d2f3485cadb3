"""Screenshots of the nurse's window on the live hotline, nothing staged: `callcenter demo`'s
switch simulator, daemon, hub (over TLS) and public declaration form in a process of their own
(at 1×, so that the clock on the calls is the wall clock), steered on its standard input
(--control: `call NUMBER KEY TALK`), and the real AgentWindow logged in to its hub as the
end-to-end tests log it in (tests/support/demo_backend.py), driven with scripted input at
1366×768. Each picture is taken once what it shows is on the screen:

  live_pop_empty.png      a key-1 call has just popped: the caller's number, the form empty,
                          the triage "not assessed" with what it is missing, the case open
  live_pop_rules.png      name, SpO2 93 and breathing 26 typed (red, the 115 button), the
                          outcome "follow-up call" chosen and a save tried: the date required
  live_saved_history.png  the date given, the case saved during the call, then the hang-up:
                          the case at the top of the caller's history, no after-call work
  live_case_viewer.png    that case opened from the history (a double click), read-only
  live_callbacks.png      the callbacks owed: declarations sent through the public web form,
                          and the check-in the saved case's home-monitoring plan owes
  live_pop_english.png    another caller, in English, a few numbers typed beside their units

    .venv/bin/python scripts/screenshots_live.py [--out docs/screenshots] [--keep DIR]

Without a display it runs itself again under xvfb-run on a 1366×768 screen. It prints what it
checked on each picture; the exit code is 1 if a check failed (the pictures are written all
the same), 2 if the hotline or the window did not come up."""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import importlib
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from xvfb_rerun import rerun_under_xvfb  # noqa: E402 - scripts/ is on the path

if TYPE_CHECKING:
    from desktop.windows import AgentWindow

SCREEN = "1366x768x24"
WIDTH, HEIGHT = 1366, 768
TOPIC_FORM = "/khai-bao/f0_home_care"
CALLER = "0912345678"  # the call of the first four pictures
CALLER_EN = "0987123456"  # the English one
COLLEAGUE_CALLER = "02903834112"  # a long call the nurse's colleague (Mai, simulated) takes
TALK = 3600  # simulated seconds the caller would talk: the nurse hangs up first
READY_SECONDS = 90.0


class Hotline(Protocol):
    """The running demo as tests.support.demo_backend.Demo holds it (what is used here)."""

    address: str
    ca: str
    database: str
    web: str | None

    def call(self, number: str, key: str, talk: float = 30.0) -> None: ...


def demo_backend() -> Any:
    """tests/support/demo_backend.py, the tests' own way to the demo and its window: imported
    by name, as the project type-checks its packages and not tests/."""
    return importlib.import_module("tests.support.demo_backend")


class Failed(Exception):
    """The live hotline or the window did not do what the pictures need."""


# -- waiting, as the tests wait: for a condition, the Qt loop running ----------------------

def wait_until(condition: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
    """Run the Qt loop until `condition()` holds; Failed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failed(f"not within {timeout:g} s: {what or condition}")
        run_loop()


def run_loop() -> None:
    """One turn of the Qt loop, as app.exec() would make it: the events, then the widgets
    deleteLater() let go (processEvents alone never deletes them: a replaced form would stay
    painted under the new one)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    time.sleep(0.01)


def settle(seconds: float = 0.4) -> None:
    """A moment for layouts and painting (what is shown is already there: waited for)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        run_loop()


class Bot:
    """What tests.support.demo_backend.window_on asks of pytest-qt's qtbot."""

    def __init__(self) -> None:
        self.widgets: list[tuple[Any, Callable[[Any], object] | None]] = []

    def waitUntil(self, condition: Callable[[], object], timeout: int = 5000) -> None:
        wait_until(condition, timeout / 1000, "the login")

    def addWidget(self, widget: Any,
                  before_close_func: Callable[[Any], object] | None = None) -> None:
        self.widgets.append((widget, before_close_func))

    def close_all(self) -> None:
        for widget, before in self.widgets:
            if before is not None:
                before(widget)
            widget.close()


class Checks:
    """What each picture must show, checked on the live widgets and printed."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: bool, what: str, seen: object = "") -> None:
        mark = "ok " if ok else "BAD"
        print(f"    [{mark}] {what}" + (f" (seen: {seen!r})" if not ok and seen != "" else ""))
        if not ok:
            self.failed.append(what)


# -- the live hotline ------------------------------------------------------------------------

@contextlib.contextmanager
def live_hotline(folder: Path) -> Iterator[Hotline]:
    """`callcenter demo` as the desktop demo starts it (callcenter.demo_desktop's command: no
    simulated callers, the nurse "lan" left to this window, its web form), at 1×, steered on
    standard input; stopped at the end of the block (the end of its input)."""
    from callcenter.demo_desktop import backend_command

    ready = folder / "ready.json"
    command = [*backend_command(ready, rate=0.0, speed=1.0, seed=1, history=False),
               "--control"]
    log_path = folder / "demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, text=True,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "TMPDIR": str(folder)})
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not (ready.exists() and ready.stat().st_size):
            if process.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"the demo did not start; its log: {log_path}")
            time.sleep(0.05)
        data = json.loads(ready.read_text())
        yield demo_backend().Demo(process, data["host"], data["port"], data["ca"],
                                  data["username"], data["password"], data["database"],
                                  data.get("web"))
    finally:
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()  # the end of its input stops the demo
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def declare(web: str, ca: str, fields: list[tuple[str, str]]) -> str:
    """A person sends the public declaration form, as a browser would (its page, its token,
    its cookie); the receipt code the page then shows."""
    context = ssl.create_default_context(cafile=ca)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = web.rstrip("/") + TOPIC_FORM
    if not page.startswith("https://"):
        raise Failed(f"the web form is not on https: {web}")
    with opener.open(page, timeout=15) as answer:
        token = re.search(r'name="csrf_token" value="([^"]+)"', answer.read().decode())
    if token is None:
        raise Failed("the declaration form has no token")
    body = urllib.parse.urlencode([("csrf_token", token.group(1)), *fields]).encode()
    request = urllib.request.Request(page, data=body, headers={  # noqa: S310 - https, checked
        "Content-Type": "application/x-www-form-urlencoded", "Referer": page})
    try:
        with opener.open(request, timeout=15) as answer:
            text = answer.read().decode()
    except urllib.error.HTTPError as refused:
        raise Failed(f"the declaration was refused ({refused.code}): "
                     f"{refused.read().decode()[:2000]}") from None
    receipt = re.search(r"KB-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    if receipt is None:
        raise Failed(f"no receipt code after the declaration: {text[:2000]}")
    return receipt.group(0)


def today() -> date:
    """Today in Cà Mau (the hotline's day, whatever this computer's zone)."""
    from desktop.models import LOCAL_TZ

    return datetime.now(LOCAL_TZ).date()


def declarations() -> list[list[tuple[str, str]]]:
    """Three people declaring on the web: danger signs (red), a risk factor (yellow), well."""
    ago = {n: (today() - timedelta(days=n)).isoformat() for n in (2, 3, 4)}
    return [
        [("full_name", "Đỗ Minh Khoa"), ("birth_year", "1951"), ("sex", "male"),
         ("phone", "0918 765 432"), ("admin_unit", "Xã Tân Thuận"),
         ("address_detail", "Ấp Tân Long"), ("positive_date", ago[3]),
         ("test_type", "rapid_antigen"), ("symptoms", "fever"), ("symptoms", "cough"),
         ("red_flags", "dyspnoea"), ("red_flags", "chest_pain"), ("spo2", "92")],
        [("full_name", "Lê Thị Ánh Tuyết"), ("birth_year", "1972"), ("sex", "female"),
         ("phone", "0946 550 128"), ("admin_unit", "Xã Đất Mũi"), ("positive_date", ago[2]),
         ("test_type", "pcr"), ("symptoms", "fever"), ("comorbidities", "diabetes"),
         ("spo2", "97")],
        [("full_name", "Trần Văn Bảy"), ("birth_year", "1996"), ("sex", "male"),
         ("phone", "0387 612 940"), ("admin_unit", "Xã Sông Đốc"), ("positive_date", ago[4]),
         ("test_type", "rapid_antigen"), ("symptoms", "sore_throat"), ("vaccine_doses", "3"),
         ("spo2", "98")],
    ]


# -- the nurse's hands -------------------------------------------------------------------------

def type_into(window: AgentWindow, field: str, text: str) -> None:
    """Key by key into a field of the form, as the nurse types (Vietnamese included)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QLineEdit

    form = window.screen_pop_view.form_host.form
    editor = form.findChild(QLineEdit, f"field_{field}") if form is not None else None
    if editor is None:
        raise Failed(f"no field {field} in the form")
    editor.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(editor, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def choose(window: AgentWindow, field: str, code: str) -> None:
    """A choice picked in a field's list."""
    from PySide6.QtWidgets import QComboBox

    form = window.screen_pop_view.form_host.form
    combo = form.findChild(QComboBox, f"field_{field}") if form is not None else None
    if combo is None or combo.findData(code) < 0:
        raise Failed(f"no choice {code} in the field {field}")
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(code))


def tick(window: AgentWindow, field: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QCheckBox

    form = window.screen_pop_view.form_host.form
    box = form.findChild(QCheckBox, f"field_{field}") if form is not None else None
    if box is None:
        raise Failed(f"no check box {field} in the form")
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)


def set_date(window: AgentWindow, field: str, day: date) -> None:
    form = window.screen_pop_view.form_host.form
    if form is None:
        raise Failed("no form")
    form.editor(field).set_value(day.isoformat())


def press(window: AgentWindow, key: Any) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(window, key)


def grab(widget: Any, path: Path) -> None:
    """The widget as it paints itself (the window: 1366×768 with its menus and status bar)."""
    settle()
    widget.grab().save(str(path))
    print(f"  {path.name}: {widget.width()}×{widget.height()}")


def text_of(widget: Any) -> str:
    return str(widget.text()) if widget is not None else ""


# -- the pictures ------------------------------------------------------------------------------

def keep_colleague_busy(window: AgentWindow, demo: Hotline) -> None:
    """Mai, the other nurse on the topic (simulated), takes a long call while this nurse is on
    a break: every call of the pictures then comes to this nurse, whoever has been idle
    longest."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from db.models import Agent, Call

    window.status_actions.reason_actions["meeting"].trigger()  # F3's menu: a meeting
    wait_until(lambda: window.agent.status == "On Break", 20, "the nurse on a break")
    demo.call(COLLEAGUE_CALLER, "1", TALK * 10)
    engine = create_engine(demo.database)

    def taken() -> bool:
        with Session(engine) as session:
            return session.scalar(select(Agent.username).join(Call, Call.agent_id == Agent.id)
                                  .where(Call.caller_number.like(f"%{COLLEAGUE_CALLER[1:]}"),
                                         Call.answered_at.is_not(None))) is not None

    try:
        wait_until(taken, 30, "the colleague's call answered")
    finally:
        engine.dispose()


def topic_width(model: Any, row: int, column: int = 3) -> int:
    """The pixels a callback's topic needs in its cell: in the row's font (an overdue row's is
    bold), with the cell's margins."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QApplication

    index = model.index(row, column)
    font = model.data(index, Qt.ItemDataRole.FontRole)
    metrics = QFontMetrics(font if isinstance(font, QFont) else QApplication.font())
    return metrics.horizontalAdvance(str(model.data(index))) + 12


def take_call(window: AgentWindow, demo: Hotline, number: str) -> None:
    """The nurse makes herself available (F2) and a caller dials 1022, presses 1: wait for
    the pop on her screen."""
    from PySide6.QtCore import Qt

    press(window, Qt.Key.Key_F2)
    wait_until(lambda: window.agent.status == "Available" and window.agent.state == "Waiting",
               20, "the nurse available")
    before = window.screen_pop_view.pop
    demo.call(number, "1", TALK)
    wait_until(lambda: window.screen_pop_view.pop is not before and
               window.screen_pop_view.form_host.form is not None, 60, "the screen-pop")


def shoot(out: Path, folder: Path, checks: Checks) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.drafts import DraftStore
    from desktop.i18n import Translations
    from desktop.windows import AgentWindow

    app = QApplication.instance() or QApplication(["screenshots-live"])
    translations = Translations(app)
    translations.apply("vi")
    started = time.monotonic()
    with live_hotline(folder) as demo:
        print(f"  the hotline is up in {time.monotonic() - started:.1f} s "
              f"(hub {demo.address}, web form {demo.web})")
        bot = Bot()

        def make(connection: Any, data: dict[str, Any], settings: QSettings) -> AgentWindow:
            return AgentWindow(connection, data, settings, translations,
                               drafts=DraftStore(folder / "drafts"))

        with demo_backend().window_on(bot, demo, folder / "desktop.ini", make) as window:
            try:
                window.move(0, 0)
                window.resize(WIDTH, HEIGHT)
                window.activateWindow()
                wait_until(lambda: window.agent.username == "lan", 20, "the nurse's session")
                pictures(out, window, demo, checks)
            finally:
                bot.close_all()
                settle(0.2)


def pictures(out: Path, window: AgentWindow, demo: Hotline, checks: Checks) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLabel

    from desktop.windows.case_viewer import CaseViewer

    # The public form: three people declare (the daemon picks them up within a second or so).
    if demo.web is None:
        raise Failed("the demo has no web form")
    for fields in declarations():
        print(f"  declared on the web: {declare(demo.web, demo.ca, fields)}")

    keep_colleague_busy(window, demo)
    pop = window.screen_pop_view

    # 1. The pop of a key-1 call: the form empty.
    take_call(window, demo, CALLER)
    form = pop.form_host.form
    assert form is not None and form.triage_bar is not None
    bar = form.triage_bar
    wait_until(lambda: window.call_panel.caller_label.text() != "", 5, "the caller's number")
    grab(window, out / "live_pop_empty.png")
    checks(window.call_panel.caller_label.text() == "0912 345 678",
           "the caller's number as 0912 345 678", window.call_panel.caller_label.text())
    checks(bar.badge.text() == "Chưa đánh giá", "triage: Chưa đánh giá", bar.badge.text())
    checks(bar.findings.text() == "Thiếu để phân loại: SpO2, Nhịp thở",
           "missing for the triage: SpO2, Nhịp thở", bar.findings.text())
    checks(pop.case_status() == "open" and "mở" in pop._status.currentText().lower(),
           "case status open (Mở)", pop._status.currentText())
    checks(not any(form.values().get(name) for name in form.fields()), "the form empty",
           form.values())

    # 2. What she types: the triage turns red; a follow-up without its date cannot be saved.
    type_into(window, "full_name", "Phạm Thị Thu Hà")
    type_into(window, "spo2", "93")
    type_into(window, "respiratory_rate", "26")
    choose(window, "outcome", "follow_up")
    window.save_action.trigger()
    error = form.findChild(QLabel, "error_follow_up_on")
    wait_until(lambda: error is not None and error.isVisible(), 5, "the follow-up date's error")
    grab(window, out / "live_pop_rules.png")
    checks(bar.badge.text().startswith("Đỏ"), "triage red", bar.badge.text())
    checks(bar.escalate_button.isVisible() and "115" in bar.escalate_button.text(),
           "the 115 button", bar.escalate_button.text())
    checks("follow_up_on" in form.required(), "the follow-up date marked required (*)",
           form.required())
    checks(text_of(error) == "Cần ngày hẹn khi hẹn gọi lại",
           "its message: Cần ngày hẹn khi hẹn gọi lại", text_of(error))
    checks(pop.case_status() == "follow_up", "the case status follows the outcome",
           pop._status.currentText())
    checks(pop.message.text().startswith("Kiểm tra"), "the save refused", pop.message.text())

    # 3. The date given, saved during the call; then the caller is hung up on.
    set_date(window, "follow_up_on", today() + timedelta(days=1))
    set_date(window, "positive_date", today() - timedelta(days=2))
    uuid = pop.pop.call.uuid if pop.pop is not None else ""
    window.save_action.trigger()
    wait_until(lambda: pop.saved_call == uuid, 15, "the case saved")
    case_id = pop.case_id
    window.hangup_action.trigger()
    wait_until(lambda: window.call_panel.ended, 15, "the end of the call")
    history = pop.history
    wait_until(lambda: bool(history.rows) and history.rows[0].get("id") == case_id, 5,
               "the case in the history")
    grab(window, out / "live_saved_history.png")
    first = [history.data(history.index(0, column)) for column in range(
        history.columnCount())]
    checks(history.rows[0].get("kind") == "case", "the new case at the top of the history",
           history.rows[0])
    shown = " | ".join(str(cell) for cell in first if cell)
    checks("follow_up" not in shown and "Hẹn gọi lại theo dõi" in shown and
           "Phạm Thị Thu Hà" in shown, "its row in words, not codes", shown)
    checks(not bar.escalate_button.isEnabled(), "the form's 115 button off after the hang-up")
    checks(not window.call_panel.acw_label.isVisible(), "no after-call-work countdown",
           window.call_panel.acw_label.text())
    checks(pop.message.text().startswith("Đã lưu"), "the save said", pop.message.text())

    # 4. The case opened from the history: a double click on its row.
    view = pop.history_view
    spot = view.visualRect(history.index(0, 1)).center()
    for click in (QTest.mouseClick, QTest.mouseDClick):  # the view wants its press first
        click(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)

    def viewer() -> CaseViewer | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, CaseViewer) and w.isVisible()), None)

    try:
        wait_until(lambda: (shown_case := viewer()) is not None and shown_case.case is not None,
                   10, "the case viewer with its case")
    except Failed:
        said = [w.message.text() for w in QApplication.topLevelWidgets()
                if isinstance(w, CaseViewer)]
        raise Failed(f"the case viewer did not show the case: {said}") from None
    dialog = viewer()
    assert dialog is not None
    grab(dialog, out / "live_case_viewer.png")  # (no window manager: no frame to show)
    labels = dict(dialog.fields)
    checks((dialog.case or {}).get("id") == case_id, "the saved case", dialog.case)
    checks(labels.get("SpO2") == "93 %" and labels.get("Kết quả xử lý") ==
           "Hẹn gọi lại theo dõi", "its values in words and units", labels)
    dialog.close()

    # 5. The callbacks owed: the declarations, and the saved case's first check-in.
    callbacks = window.callbacks_view

    def owed() -> list[str]:
        return sorted(str(row.get("reason")) for row in callbacks.model.rows)

    wait_until(lambda: len(callbacks.model.rows) >= 4, 30,
               "the declarations' and the check-in's callbacks")
    bar_of_tabs = window.tabs.tabBar()
    QTest.mouseClick(bar_of_tabs, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     bar_of_tabs.tabRect(window.tabs.indexOf(callbacks)).center())
    wait_until(lambda: window.tabs.currentWidget() is callbacks, 5, "the callbacks tab")
    grab(window, out / "live_callbacks.png")
    model = callbacks.model
    phones = [str(model.data(model.index(row, 2))) for row in range(model.rowCount())]
    topics = [str(model.data(model.index(row, 3))) for row in range(model.rowCount())]
    checks(all(re.fullmatch(r"0\d{2,3} \d{3,4} \d{3}", p) for p in phones),
           "phones as 09xx xxx xxx", phones)
    checks(set(topics) == {"F0 điều trị tại nhà"}, "the topic's short name", topics)
    header = callbacks.view.horizontalHeader()
    needed = max(topic_width(model, row) for row in range(model.rowCount()))
    checks(header.sectionSize(3) >= needed, "the topic column not cut (bold rows too)",
           f"{header.sectionSize(3)} px for {needed} px")
    print(f"    callbacks: {owed()}")

    # 6. Another caller, in English, a few numbers beside their units.
    window.set_language("en")
    take_call(window, demo, CALLER_EN)
    form = pop.form_host.form
    assert form is not None
    type_into(window, "birth_year", "1994")
    choose(window, "sex", "female")
    tick(window, "pregnant")
    type_into(window, "pregnancy_weeks", "24")
    type_into(window, "illness_day", "3")
    type_into(window, "vaccine_doses", "2")
    wait_until(lambda: form.values().get("vaccine_doses") == 2, 5, "the numbers typed")
    grab(window, out / "live_pop_english.png")
    data = {window.call_panel.name_label, window._who}  # names: the caller-ID's, the nurse's
    texts = [re.sub(r"<[^>]+>", "", w.text()).strip() for w in window.findChildren(QLabel)
             if w.isVisible() and w.window() is window and w.text() and w not in data]
    for unit in ("weeks", "days", "doses"):
        checks(unit in texts, f"the unit {unit!r} beside its number")
    vietnamese = [t for t in texts if re.search(
        r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
        t.lower())]
    checks(not vietnamese, "no Vietnamese labels", vietnamese)
    window.hangup_action.trigger()
    wait_until(lambda: window.call_panel.ended, 15, "the end of the English call")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the demo's folder (its log, ready file, database) here")
    args = parser.parse_args(argv)
    rerun = rerun_under_xvfb(SCREEN, offscreen_ok=False)  # a real X screen of that size
    if rerun is not None:
        return rerun
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    args.out.mkdir(parents=True, exist_ok=True)
    checks = Checks()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="hotline1022-live-shots-")))
        try:
            shoot(args.out, folder, checks)
        except Failed as failure:
            print(f"screenshots: {failure}", file=sys.stderr)
            log = folder / "demo.log"
            if log.exists():
                print("".join(log.read_text().splitlines(keepends=True)[-30:]), file=sys.stderr)
            return 2
    print(f"screenshots: {time.monotonic() - started:.0f} s, "
          f"{len(checks.failed)} check(s) failed → {args.out}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
