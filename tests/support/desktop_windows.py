"""The desktop windows' test rig: a clock moved by hand, the session data and messages a hub
would send, and small helpers (tests/unit/desktop/test_window_*.py; fixtures in conftest.py)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.connection import HubConnection
from protocol import messages as m
from tests.support.paths import ROOT_DIR

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


def sent(connection: HubConnection, kind: type) -> list[Any]:
    return [r for r in connection.pending_requests() if isinstance(r, kind)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
