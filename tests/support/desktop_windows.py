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
         "summary": "Nguyễn Thị Hồng Nhung · follow_up", "person_name": "Nguyễn Thị Hồng Nhung",
         "outcome": "follow_up", "triage_level": None},
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


# -- the lead window's rig: boards built by the hub's own builder (callcenter.lead.board) ---

LEAD = ("truong", "Huỳnh Văn Trường")
AGENCIES = {"f0_home_care": "CDC", "epidemic_report": "SYT", "public_services": "TTPVHCC"}
STAFF_NAMES = (
    "Trần Ngọc Lan", "Nguyễn Thị Hạnh", "Lê Văn Tài", "Phạm Thị Yến", "Hoàng Minh Khoa",
    "Huỳnh Thị Diễm", "Phan Quốc Bảo", "Vũ Thị Thảo", "Võ Hoàng Phúc", "Đặng Thị Nhung",
    "Bùi Văn Lợi", "Đỗ Ngọc Ánh", "Hồ Thanh Tùng", "Ngô Thị Kiều", "Dương Đức Anh",
    "Lý Thị Loan", "Nguyễn Văn Sơn", "Trần Mỹ Duyên", "Lê Tấn Phát", "Phạm Thị Huyền",
    "Hoàng Văn Đạt", "Huỳnh Ngọc Châu", "Phan Thị Bích Ngọc", "Võ Thành Nhân")


def lead_session(role: str = "lead") -> dict[str, Any]:
    """The login reply's data for the demo lead (role lead or admin)."""
    agent = m.AgentView(username=LEAD[0], full_name=LEAD[1], role=role, status="Logged Out",
                        state="Waiting")
    return {"token": "t" * 32, "agent": agent.model_dump(), "topics": [], "units": []}


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def board_topics() -> list[dict[str, Any]]:
    """The shipped topics as the hub's board reads them (lead_store.board_topics)."""
    from db.topics import read_topics_file

    spec = read_topics_file(ROOT / "db" / "seed" / "topics.toml")
    return [{"key": t.key, "menu_key": t.menu_key, "name_vi": t.name_vi, "name_en": t.name_en,
             "queue": f"{t.key}@hotline", "service_level_seconds": t.service_level_seconds,
             "rules": t.rules, "agencies": [n]} for n, t in enumerate(spec.topic, 1)]


def busy_board(now: datetime = NOW, seed: int = 7, staff: int = 24,
               waiting: int = 15) -> dict[str, dict[str, Any]]:
    """A busy hour's board, every row made by callcenter.lead.board.build: three topics,
    `staff` agents with Vietnamese names doing everything an agent does, `waiting` callers
    (some returning), and today's and last week's quarter hours from 07:00."""
    import random
    from zoneinfo import ZoneInfo

    from callcenter.lead.board import Inputs, Person, build
    from callcenter.lead.tally import LegFacts, Tally, fold_legs
    from callcenter.state.model import AgentState, CallState, LiveState, Member, QueueLeg

    rng, zone = random.Random(seed), ZoneInfo("Asia/Ho_Chi_Minh")
    topics = board_topics()
    keys = [t["key"] for t in topics]
    queue_of = {t["key"]: t["queue"] for t in topics}
    now_us, state = _us(now), LiveState()
    people, reasons, acw = [], {}, {}
    kinds = ("talking", "available", "talking", "wrap_up", "on_break", "ringing", "talking",
             "logged_out")
    for n in range(staff):
        topic, username = keys[n % 3], f"nv{n + 1:02d}"
        people.append(Person(username, STAFF_NAMES[n % len(STAFF_NAMES)], "nurse", n % 3 + 1,
                             AGENCIES[topic], frozenset({topic})))
        kind, since = kinds[n % len(kinds)], now_us - rng.randint(20, 1500) * 1_000_000
        agent = AgentState(f"{username}@d", "Available", "Waiting", since,
                           calls_answered=rng.randint(2, 25), no_answers=rng.choice((0, 0, 1)))
        if kind == "talking":
            uuid = f"call-{username}"
            answered = now_us - rng.randint(15, 600) * 1_000_000
            state.calls[uuid] = CallState(uuid, f"+8491{rng.randint(1000000, 9999999)}",
                                          queue=queue_of[topic], answered_us=answered,
                                          legs=[QueueLeg(f"leg-{username}", queue_of[topic],
                                                         answered - 20_000_000,
                                                         answered_us=answered,
                                                         agent=agent.name)])
            agent.state, agent.call = "In a queue call", uuid
        elif kind == "ringing":
            agent.state = "Receiving"
        elif kind == "wrap_up":
            agent.state = "Idle"
            acw[username] = (now + timedelta(seconds=rng.randint(10, 90))).isoformat()
        elif kind == "on_break":
            agent.status = "On Break"
            reasons[username] = rng.choice(("meal", "rest", "meeting"))
        elif kind == "logged_out":
            agent.status = "Logged Out"
        state.agents[agent.name] = agent
    for n in range(waiting):
        topic = keys[(0, 0, 1, 0, 2, 1)[n % 6]]
        joined = now_us - rng.randint(3, 160) * 1_000_000
        member = Member(f"member-{n:02d}", f"caller-{n:02d}",
                        f"09{rng.randint(10000000, 99999999)}", joined,
                        base_score=rng.choice((0, 0, 600)), case_id=rng.choice((None, None, 42)))
        state.queue(queue_of[topic]).members[member.uuid] = member
    tally = Tally(zone)
    local = now.astimezone(zone)
    legs = []
    for days_back, until in ((0, local), (7, local.replace(hour=17, minute=0))):
        start = local.replace(hour=7, minute=0, second=0) - timedelta(days=days_back)
        end = until - timedelta(days=days_back)
        moment = start
        while moment < end:
            for topic in keys:
                for _ in range(rng.randint(1, 9 if topic == keys[0] else 5)):
                    queued = _us(moment) + rng.randint(0, 899) * 1_000_000
                    fate = rng.random()
                    mean = 16 if topic == keys[0] else 9
                    wait = min(150, 3 + int(rng.expovariate(1 / mean))) * 1_000_000
                    if fate < 0.84:
                        legs.append(LegFacts(f"l{len(legs)}", topic, queued, queued + wait,
                                             queued + wait + rng.randint(60, 400) * 1_000_000,
                                             "Terminated"))
                    elif fate < 0.95:
                        legs.append(LegFacts(f"l{len(legs)}", topic, queued, None,
                                             queued + wait, "BREAK_OUT"))
                    else:
                        legs.append(LegFacts(f"l{len(legs)}", topic, queued, None,
                                             queued + 2_000_000, "BREAK_OUT"))
            moment += timedelta(minutes=15)
    fold_legs(tally, [leg for leg in legs if leg.queued_us < now_us],
              {t["key"]: (t["service_level_seconds"], 5) for t in topics})
    return build(Inputs(state=state, tally=tally, today=local.date(), now_us=now_us,
                        domain="d", topics=topics, people=people, reasons=reasons,
                        acw_until=acw, callbacks={keys[0]: (6, 2), keys[2]: (1, 0)}))


def lead_board(board: dict[str, dict[str, Any]], *, full: bool = True,
               server_time: datetime = NOW, removed: dict[str, list[str]] | None = None,
               supervision: dict[str, Any] | None = None,
               supervision_changed: bool = False) -> m.LeadBoard:
    """The push that carries `board` (whole, or as the changed rows)."""
    return m.LeadBoard(full=full, server_time=iso(server_time),
                       day=server_time.date().isoformat(), changed=board,
                       removed=removed or {}, supervision=supervision,
                       supervision_changed=supervision_changed or full)


def supervising(agent: str, full_name: str, mode: str = "listen", state: str = "connected",
                started: datetime = NOW) -> dict[str, Any]:
    """The lead's own supervision as the hub describes it (callcenter/hub/supervision.py)."""
    return {"agent": agent, "full_name": full_name, "call_uuid": f"call-{agent}", "mode": mode,
            "state": state, "token": "0123456789abcdef", "leg_uuid": None,
            "started_at": iso(started)}


class Requests:
    """What a window asks through HubConnection.request, kept for the test to read and
    answer (the hub is not there).

    Attributes:
        asked: every request, in order, with its callback.
    """

    def __init__(self, connection: HubConnection, monkeypatch: Any) -> None:
        self.asked: list[tuple[Any, Any]] = []
        monkeypatch.setattr(connection, "request", self._request)

    def _request(self, kind: type, callback: Any = None, **fields: Any) -> str:
        request = kind(id=f"q{len(self.asked) + 1}", **fields)
        self.asked.append((request, callback))
        return request.id

    def of(self, kind: type) -> list[Any]:
        return [request for request, _ in self.asked if isinstance(request, kind)]

    def answer(self, request: Any, data: dict[str, Any] | None = None,
               error: str | None = None, message: str = "") -> None:
        callback = next(cb for r, cb in self.asked if r is request)
        answer = m.Error(id=request.id, code=error, message=message) if error else \
            m.Reply(type=request.type, id=request.id, data=data or {})
        if callback is not None:
            callback(answer)


def with_queue(board: dict[str, dict[str, Any]], topic: str,
               **values: Any) -> dict[str, dict[str, Any]]:
    """The board with some numbers of one queue row changed (a copy)."""
    out = {section: dict(rows) for section, rows in board.items()}
    row = dict(out["queues"][topic])
    rules = values.pop("rules", None)
    if rules is not None:
        row["rules"] = {**row["rules"], **rules}
    out["queues"][topic] = {**row, **values}
    return out


def calm_board(now: datetime = NOW) -> dict[str, dict[str, Any]]:
    """The busy board with every queue green: nobody waiting, a good service level."""
    board = busy_board(now)
    for topic in list(board["queues"]):
        board = with_queue(board, topic, waiting=0, oldest_joined_at=None,
                           service_level_pct=95.0, abandon_pct=1.0)
    return board


def open_lead_window(qtbot: Any, connection: HubConnection, settings: Any, translations: Any,
                     clock: Clock, role: str = "lead", bell: Any = None) -> Any:
    """A LeadWindow shown offscreen for the lead (or admin) of lead_session()."""
    from desktop.windows import LeadWindow

    window = LeadWindow(connection, lead_session(role), settings, translations, clock=clock,
                        bell=bell)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # shortcuts go to the active window
        window.show()
    return window
