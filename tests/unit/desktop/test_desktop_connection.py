"""HubConnection over real sockets.

Against the real hub: `callcenter demo` (simulator → daemon → hub, TLS with its development
certificate) in a subprocess, reached directly or through a TCP proxy the test can cut. And
against a scripted QWebSocketServer for what the real hub never does on purpose: malformed
messages, gaps in seq."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from callcenter.hub.tls import make_self_signed
from desktop.app import DesktopApp
from desktop.connection import HubConnection, hub_url
from desktop.drafts import DraftStore
from desktop.i18n import Translations
from desktop.windows import AgentWindow
from protocol import messages as m
from rules.retry import Backoff
from tests.support.demo_backend import Demo, running_demo
from tests.support.paths import ROOT_DIR
from tests.support.qt_windows import add_window
from tests.support.scripted_hub import ScriptedHub

ROOT = ROOT_DIR
F0_FORM = {"full_name": "Nguyễn Thị Hồng Nhung", "birth_year": 1987, "spo2": 97,
           "outcome": "advised_home"}


# -- the real hub, in `callcenter demo` ----------------------------------------------------

@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path) as running:
        yield running


class Proxy:
    """127.0.0.1:port → the hub, byte for byte (TLS passes through). `cut()` drops every
    connection as a failing network would; while `blocked`, new ones are closed at once."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.blocked = target, False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.blocked:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self) -> None:
        self.cut()
        self._listener.close()


@pytest.fixture
def connection(qapp: Any) -> Iterator[HubConnection]:
    connection = HubConnection(reconnect_base=0.2, reconnect_cap=1.0)
    yield connection
    connection.close()


def log_in(qtbot: Any, connection: HubConnection, demo: Demo, address: str | None = None,
           ) -> tuple[dict[str, Any], m.Snapshot]:
    connection.pin_certificate(demo.ca)
    got: list[Any] = []
    connection.logged_in.connect(got.append)
    connection.snapshot.connect(got.append)
    connection.login(address or demo.address, demo.username, demo.password)
    qtbot.waitUntil(lambda: len(got) >= 2, timeout=10_000)
    data, snapshot = got[:2]
    assert isinstance(data, dict) and isinstance(snapshot, m.Snapshot)  # in this order
    return data, snapshot


def answer(qtbot: Any, ask: Any, *args: Any, timeout: int = 10_000, **fields: Any) -> Any:
    """Send a request and wait for its Reply or Error."""
    got: list[Any] = []
    ask(*args, callback=got.append, **fields)
    qtbot.waitUntil(lambda: bool(got), timeout=timeout)
    return got[0]


def test_login_status_screen_pop_and_case_save_against_the_hub(
        qtbot: Any, connection: HubConnection, demo: Demo) -> None:
    states: list[str] = []
    connection.state_changed.connect(states.append)
    data, snapshot = log_in(qtbot, connection, demo)
    assert states == ["connecting", "connected"] and connection.state == "connected"
    assert {t["key"] for t in data["topics"]} >= {"f0_home_care"}
    assert snapshot.agent.username == "lan" and snapshot.call is None
    refused = answer(qtbot, connection.set_status, "On Break")
    assert isinstance(refused, m.Error) and refused.code == "invalid"  # a break needs a reason
    for status, reason in (("On Break", "meal"), ("Available", None)):
        with qtbot.waitSignal(connection.agent_status, timeout=10_000) as pushed:
            assert isinstance(answer(qtbot, connection.set_status, status, reason), m.Reply)
        assert (pushed.args[0].agent.status, pushed.args[0].agent.reason) == (status, reason)
    with qtbot.waitSignal(connection.screen_pop, timeout=20_000) as popped:
        demo.call("0912345678", "1", talk=3)
    pop = popped.args[0]
    assert pop.call.caller_number == "+84912345678" and pop.call.topic == "f0_home_care"
    assert pop.topic["form_schema"]["properties"]["spo2"]
    with qtbot.waitSignal(connection.call_ended, timeout=20_000) as ended:
        pass
    assert ended.args[0].call_uuid == pop.call.uuid and ended.args[0].acw_until
    saved = answer(qtbot, connection.case_save, topic="f0_home_care", call_uuid=pop.call.uuid,
                   caller_phone="0912345678", form=F0_FORM, draft_id=pop.call.uuid)
    assert isinstance(saved, m.Reply) and saved.data["case"]["code"].startswith("F0-")
    refused = answer(qtbot, connection.case_save, topic="f0_home_care", form={"spo2": 400})
    assert isinstance(refused, m.Error) and refused.code == "invalid"
    assert connection.last_seq >= 4 and connection.pending_requests() == []


def test_the_agent_window_on_the_real_hub(qtbot: Any, connection: HubConnection,
                                          demo: Demo, tmp_path: Path) -> None:
    """The window, fed by the connection: a call for key 1 pops, the nurse saves the case
    with Ctrl+S, after-call work ends and the agent is back to Available."""
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    windows: list[AgentWindow] = []
    connection.logged_in.connect(lambda data: windows.append(
        AgentWindow(connection, data, settings)))
    log_in(qtbot, connection, demo)
    window = windows[0]
    add_window(qtbot, window)
    with qtbot.waitActive(window):
        window.show()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.agent.status == "Available", timeout=10_000)
    started = time.monotonic()
    demo.call("0912345678", "1", talk=3)
    qtbot.waitUntil(lambda: window.screen_pop_view.pop is not None, timeout=20_000)
    assert window.call_panel.caller_label.text() == "0912 345 678"
    form = window.screen_pop_view.form_host.form
    form.set_values({**form.values(), **F0_FORM})
    qtbot.waitUntil(lambda: window.call_panel.acw_label.isVisible(), timeout=20_000)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.screen_pop_view.message.text().startswith("Case F0-"),
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.agent.state == "Waiting", timeout=10_000)
    assert not window.call_panel.acw_label.isVisible()
    assert time.monotonic() - started < 30


def test_the_dev_certificate_must_be_pinned(qtbot: Any, connection: HubConnection,
                                            demo: Demo, tmp_path: Path) -> None:
    with qtbot.waitSignal(connection.login_failed, timeout=10_000) as failed:
        connection.login(demo.address, demo.username, demo.password)
    assert failed.args[0].code == "offline" and "self-signed" in failed.args[0].message
    other, key = tmp_path / "other.crt", tmp_path / "other.key"
    make_self_signed(other, key, ["127.0.0.1"])  # a certificate, but not the hub's
    connection.pin_certificate(other)
    with qtbot.waitSignal(connection.login_failed, timeout=10_000):
        connection.login(demo.address, demo.username, demo.password)
    assert connection.state == "offline" and connection.token is None


def test_a_wrong_password_is_refused_with_the_hubs_reason(
        qtbot: Any, connection: HubConnection, demo: Demo) -> None:
    connection.pin_certificate(demo.ca)
    with qtbot.waitSignal(connection.login_failed, timeout=10_000) as failed:
        connection.login(demo.address, demo.username, "not the password")
    assert failed.args[0].code == "unauthenticated" and connection.state == "offline"


def test_a_cut_link_comes_back_with_what_was_missed_and_what_was_asked(
        qtbot: Any, connection: HubConnection, demo: Demo) -> None:
    proxy = Proxy((demo.host, demo.port))
    witness = HubConnection()  # the same nurse's second desktop, straight to the hub
    try:
        log_in(qtbot, connection, demo, f"127.0.0.1:{proxy.port}")
        log_in(qtbot, witness, demo)
        assert isinstance(answer(qtbot, connection.set_status, "Available"), m.Reply)
        pops: list[m.ScreenPop] = []
        connection.screen_pop.connect(pops.append)
        witnessed: list[m.ScreenPop] = []
        witness.screen_pop.connect(witnessed.append)
        proxy.blocked = True
        with qtbot.waitSignal(connection.state_changed, timeout=10_000) as state:
            proxy.cut()
        assert state.args[0] == "reconnecting"
        states: list[str] = []
        connection.state_changed.connect(states.append)
        refused: list[str] = []
        connection.link.lost.connect(refused.append)
        got: list[Any] = []
        connection.callback_list(callback=got.append)  # asked while the link is down
        demo.call("0912345679", "1", talk=600)  # pops while the desktop is away
        # The Qt loop runs while the link is down, until two things prove it ran long enough:
        # the hub pushed the pop (to our session first: the witness's was opened later), and
        # our connection redialled and was refused, twice. Meanwhile nothing may reach us, the
        # request may not be answered, and the state stays `reconnecting`, unflapping.
        qtbot.waitUntil(lambda: bool(witnessed) and len(refused) >= 2, timeout=20_000)
        assert pops == []
        assert got == []  # not answered `offline`: it waits for the link
        assert states == [] and connection.state == "reconnecting"
        assert [r.type for r in connection.pending_requests()] == ["callback_list"]
        proxy.blocked = False
        qtbot.waitUntil(lambda: connection.state == "connected", timeout=15_000)
        qtbot.waitUntil(lambda: bool(pops) and bool(got), timeout=15_000)
        assert isinstance(got[0], m.Reply) and "callbacks" in got[0].data
        assert len(pops) == 1 and pops[0].call.caller_number == "+84912345679"
        assert pops[0].call.uuid == witnessed[0].call.uuid  # missed, then replayed
    finally:
        witness.close()
        proxy.close()


def test_an_expired_session_asks_for_a_new_login(qtbot: Any, connection: HubConnection,
                                                 demo: Demo) -> None:
    proxy = Proxy((demo.host, demo.port))
    try:
        log_in(qtbot, connection, demo, f"127.0.0.1:{proxy.port}")
        connection.token = "x" * 40  # as if the hub had forgotten us (restart, expiry)
        with qtbot.waitSignal(connection.session_lost, timeout=15_000) as lost:
            proxy.cut()
        assert lost.args[0].code == "expired" and connection.state == "offline"
    finally:
        proxy.close()


# -- a scripted hub, for what the real one never does on purpose --------------------------

def status_push(seq: int, status: str = "On Break") -> m.AgentStatus:
    return m.AgentStatus(seq=seq, agent=m.AgentView(
        username="lan", full_name="Lan", role="nurse", status=status, state="Waiting"))


def test_malformed_messages_are_dropped_and_the_link_stays(
        qtbot: Any, connection: HubConnection, scripted: ScriptedHub) -> None:
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "lan", "mat-khau-dai-1")
    pushes: list[m.AgentStatus] = []
    connection.agent_status.connect(pushes.append)
    for junk in ("{not json", "[1, 2]", json.dumps({"v": 1, "type": "agent_status", "seq": 2}),
                 json.dumps({"v": 1, "type": "no_such_push", "seq": 3}), "x" * 1000):
        scripted.say(junk)
    scripted.send(status_push(4))
    qtbot.waitUntil(lambda: bool(pushes), timeout=5000)
    assert [p.seq for p in pushes] == [4] and connection.state == "connected"
    assert connection.last_seq == 4  # pushes it could not read still used their seq
    assert not [r for r in scripted.received if r["type"] == "resume"]


def test_a_gap_in_seq_asks_for_what_was_missed(qtbot: Any, connection: HubConnection,
                                               scripted: ScriptedHub) -> None:
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "lan", "mat-khau-dai-1")
    pushes: list[int] = []
    connection.agent_status.connect(lambda p: pushes.append(p.seq))
    scripted.send(status_push(2))
    scripted.send(status_push(5))  # 3 and 4 never came
    scripted.send(status_push(6))
    qtbot.waitUntil(lambda: any(r["type"] == "resume" for r in scripted.received),
                    timeout=5000)
    resume = next(r for r in scripted.received if r["type"] == "resume")
    assert resume["last_seq"] == 2 and resume["token"] == "t" * 32
    for seq in (3, 4, 5, 6):  # the hub replays from 3
        scripted.send(status_push(seq))
    scripted.send(status_push(2))  # an old one again: already applied
    qtbot.waitUntil(lambda: len(pushes) == 5, timeout=5000)
    assert pushes == [2, 3, 4, 5, 6] and connection.last_seq == 6


def test_requests_wait_for_the_link_and_only_the_newest_draft_is_sent(
        qtbot: Any, connection: HubConnection, scripted: ScriptedHub) -> None:
    answers: list[Any] = []
    for spo2 in (97, 95, 93):
        connection.case_draft(answers.append, topic="f0_home_care", draft_id="call-1",
                              form={"spo2": spo2})
    connection.case_save(answers.append, topic="f0_home_care", form=F0_FORM)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=2000)
    assert [a.code for a in answers] == ["superseded", "superseded"]
    dial: list[Any] = []
    connection.callback_dial(7, dial.append)
    qtbot.waitUntil(lambda: bool(dial), timeout=2000)
    assert dial[0].code == "offline"  # never sent late
    with qtbot.waitSignal(connection.snapshot, timeout=5000):
        connection.login(scripted.address, "lan", "mat-khau-dai-1")
    qtbot.waitUntil(lambda: len(scripted.received) == 3, timeout=5000)
    kinds = [(r["type"], r.get("form")) for r in scripted.received]
    assert kinds == [("login", None), ("case_draft", {"spo2": 93}), ("case_save", F0_FORM)]


def test_addresses_and_backoff() -> None:
    import random

    assert hub_url("hub.example.vn").toString() == "wss://hub.example.vn:8443/ws"
    assert hub_url("10.0.0.5:9443").toString() == "wss://10.0.0.5:9443/ws"
    assert hub_url("ws://127.0.0.1:8443").toString() == "ws://127.0.0.1:8443/ws"
    for bad in ("", "ws://10.0.0.5:8443", "http://hub.example.vn"):
        with pytest.raises(ValueError):
            hub_url(bad)
    rng = random.Random(7)
    delays = [Backoff(0.5, 30.0).delay(n, rng) for n in range(12)]
    assert all(0.25 <= d <= 0.5 for d in delays[:1]) and max(delays) <= 30.0
    assert all(d >= 15.0 for d in delays[8:])  # capped, and jittered in [cap/2, cap]
    assert len(set(delays)) == len(delays)


@pytest.mark.parametrize("module", ["desktop.connection", "desktop.hub_link", "desktop.app",
                                    "desktop.windows", "desktop.drafts", "desktop.forms"])
def test_each_desktop_module_imports_on_its_own(module: str) -> None:
    """First thing in a fresh interpreter (a script, one test file): pydantic, loaded halfway
    before PySide6 installs its import hook, failed to finish loading after it."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_application_from_login_to_agent_window_and_back(
        qtbot: Any, connection: HubConnection, scripted: ScriptedHub, tmp_path: Path) -> None:
    translations = Translations(QApplication.instance())
    translations.apply("vi")
    try:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        desktop = DesktopApp(connection, settings, translations,
                             DraftStore(tmp_path / "drafts"))
        desktop.start()
        login = desktop.login_window
        qtbot.addWidget(login)
        login.fill(server=scripted.address, username="lan", password="mat-khau-dai-1")
        login.submit()
        qtbot.waitUntil(lambda: desktop.agent_window is not None and
                        desktop.agent_window.isVisible(), timeout=5000)
        window = desktop.agent_window
        add_window(qtbot, window)
        assert not login.isVisible() and window.agent.full_name == "Lan"
        scripted.refuse_resume = True  # the hub forgot the session while the link was down
        scripted.clients[-1].abort()
        qtbot.waitUntil(login.isVisible, timeout=10_000)
        assert not window.isVisible()
        assert login.error_text == "Phiên làm việc đã hết hạn; vui lòng đăng nhập lại. " \
            "(session expired)"
        login.fill(password="mat-khau-dai-1")
        login.submit()
        qtbot.waitUntil(window.isVisible, timeout=5000)
        assert desktop.agent_window is window  # the same agent keeps their window
    finally:
        translations.apply("en")
