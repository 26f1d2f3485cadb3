"""Home-treatment monitoring through the hub over TLS (SQLite and PostgreSQL): a declaration
opens a plan and the nurses' list shows its check-in with the episode; who may read and end an
episode; the leads' cohort (leads only, audited); a patient's red report on the web reaches the
leads' urgent list and the nurses' list at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import declarations, monitoring
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from db.models import AuditLog, Callback, Topic
from tests.support.hotline import Hotline, with_hub
from tests.support.hub_client import HubClient

PASSWORD = "mat-khau-dai-1"
CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, name, role, agency, topic, ext in (
                ("lan", "Nguyễn Thị Lan", "nurse", "CDC", "f0_home_care", "1001"),
                ("clerk", "Võ Văn Cư", "clerk", "TTPVHCC", "public_services", "1002"),
                ("truong", "Huỳnh Văn Trường", "lead", "CDC", None, "2001")):
            add_agent(s, NewAgent(username, name, role, PASSWORD, agency=agency,
                                  sip_extension=ext))
            if topic:
                set_queues(s, username, [parse_membership(topic)])
    hotline = with_hub(seeded, tmp_path, agents_on_switch=3)
    yield hotline
    hotline.close()


def _declare(line: Hotline) -> str:
    today = datetime.now(CA_MAU).date()
    data = {"full_name": "Đặng Thị Thu", "birth_year": 1955, "phone": "0918 222 333",
            "admin_unit": "32167", "positive_date": (today - timedelta(days=2)).isoformat(),
            "spo2": 97}
    with transaction(line.sessions) as s:
        form = declarations.declaration_form(s, "f0_home_care")
        return declarations.receive(s, form, data, source="web", now=datetime.now(UTC),
                                    today=today).receipt_code


def _check_in_row(client: HubClient) -> dict[str, Any]:
    """The next callbacks push that carries an episode."""
    while True:
        rows = [r for r in client.push("callbacks", timeout=10)["callbacks"] if r["episode"]]
        if rows:
            return rows[0]


def test_a_declaration_opens_a_plan_the_nurse_sees_and_may_end(line: Hotline) -> None:
    lan, clerk, lead = (line.logged_in(u, PASSWORD) for u in ("lan", "clerk", "truong"))
    _declare(line)
    row = _check_in_row(lan)  # the daemon noticed it and opened the plan
    episode = row["episode"]
    assert (row["reason"], episode["state"], episode["person_name"]) == (
        "declaration", "active", "Đặng Thị Thu")
    assert (episode["check_ins"], episode["day"], episode["times"]) == (
        1, 3, ["08:00", "16:00"])  # 71 years old: twice a day
    assert episode["last"]["spo2"] == 97 and episode["last"]["source"] == "declaration"

    view = lan.request("episode_get", episode_id=episode["id"])["data"]["episode"]
    assert [r["spo2"] for r in view["readings"]] == [97]
    assert view["unit"] and view["topic"] == "f0_home_care"
    assert clerk.request("episode_get", episode_id=episode["id"])["code"] == "forbidden"
    assert lan.request("episode_get", episode_id=999_999)["code"] == "not_found"
    assert lead.request("episode_get", episode_id=episode["id"])["ok"]

    # the cohort: leads only, audited
    assert lan.request("monitoring_cohort")["code"] == "forbidden"
    cohort = lead.request("monitoring_cohort")["data"]
    assert [(u["active"], u["overdue"]) for u in cohort["units"]] == [(1, 0)]
    assert [p["person_name"] for p in cohort["patients"]] == ["Đặng Thị Thu"]

    # ending it: not by a clerk; once; the owed check-in stays the declaration's callback
    assert clerk.request("episode_close", episode_id=episode["id"],
                         state="lost")["code"] == "forbidden"
    closed = lan.request("episode_close", episode_id=episode["id"], state="lost",
                         note="Số điện thoại không đúng")
    assert closed["ok"] and closed["data"]["episode"]["state"] == "lost"
    assert lan.request("episode_close", episode_id=episode["id"],
                       state="recovered")["code"] == "conflict"
    with line.sessions() as s:
        actions = set(s.scalars(select(AuditLog.action)))
        assert {"episode.read", "lead.cohort", "episode.close"} <= actions
        callback = s.scalars(select(Callback)).one()
        assert (callback.state, callback.episode_id) == ("open", None)


def test_a_red_report_on_the_web_alerts_the_leads_and_the_nurses(line: Hotline) -> None:
    lan, lead = (line.logged_in(u, PASSWORD) for u in ("lan", "truong"))
    receipt = _declare(line)
    _check_in_row(lan)
    with transaction(line.sessions) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "f0_home_care")).one()
        code = declarations.normalise_receipt(receipt)
        assert code is not None
        checked = monitoring.web_check_in(s, topic, code, "0918222333",
                                          {"spo2": 91, "red_flags": ["dyspnoea"]},
                                          datetime.now(UTC), CA_MAU)
    assert checked is not None and checked.alert and checked.level == "red"
    row = _check_in_row(lan)
    while not row["episode"]["alert"]:
        row = _check_in_row(lan)
    assert row["episode"]["level"] == "red" and row["episode"]["last"]["source"] == "web"
    assert datetime.fromisoformat(row["due_at"]) <= datetime.now(UTC)  # due now
    while True:
        urgent = lead.push("lead_board", timeout=10)["changed"].get("urgent", {})
        if str(row["id"]) in urgent:
            break
    alert = urgent[str(row["id"])]
    assert (alert["kind"], alert["level"]) == ("check_in", "red")
    assert alert["reasons"] and alert["phone"] != "+84918222333"  # masked for the board
