"""Forwarded reports and shift hand-overs through the hub over TLS (SQLite and PostgreSQL):
a health worker forwards a topic-2 report to the Department of Health; that agency's staff
see it and work on it, others do not; resolving it owes the callback that tells the caller,
and reaching the caller makes it `caller_informed`. A nurse's logout hands her callbacks and
open cases to a colleague or the pool; the incoming lead reads the hand-over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import callbacks
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.cases import CaseFields, create_case
from db.engine import transaction
from db.models import Callback, Case, Referral, Topic
from tests.support.hotline import Hotline, with_hub

PASSWORD = "mat-khau-dai-1"
CALLER = "+84912000333"


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, name, role, agency, topic, ext in (
                ("binh", "Lê Văn Bình", "health", "CDC", "epidemic_report", "1001"),
                ("syt", "Phan Thị Sen", "health", "SYT", None, "1002"),
                ("clerk", "Võ Văn Cư", "clerk", "TTPVHCC", "public_services", "1003"),
                ("lan", "Nguyễn Thị Lan", "nurse", "CDC", "f0_home_care", "1004"),
                ("hoa", "Trần Thị Hoa", "nurse", "CDC", "f0_home_care", "1005"),
                ("truong", "Huỳnh Văn Trường", "lead", "CDC", None, "2001")):
            add_agent(s, NewAgent(username, name, role, PASSWORD, agency=agency,
                                  sip_extension=ext))
            if topic:
                set_queues(s, username, [parse_membership(topic)])
    hotline = with_hub(seeded, tmp_path, agents_on_switch=6)
    yield hotline
    hotline.close()


def _report(line: Hotline, severity: str = "high") -> int:
    with transaction(line.sessions) as s:
        topic = s.scalars(select(Topic).where(Topic.key == "epidemic_report")).one()
        case = create_case(s, topic, CaseFields(form={
            "place": "Trạm y tế xã Tân Thuận", "description": "Không phát thuốc cho F0",
            "severity": severity, "outcome": "forwarded"}, caller_phone=CALLER), None)
        return case.id


def _case_of(line: Hotline, topic: str, agent: str, status: str, form: dict[str, Any]) -> int:
    with transaction(line.sessions) as s:
        topic_row = s.scalars(select(Topic).where(Topic.key == topic)).one()
        from db.models import Agent
        agent_id = s.scalars(select(Agent.id).where(Agent.username == agent)).one()
        case = create_case(s, topic_row, CaseFields(
            form=form, status=status, caller_phone=CALLER, assignee_id=agent_id), agent_id)
        return case.id


def test_a_forwarded_report_is_followed_until_the_caller_is_told(line: Hotline) -> None:
    binh, syt, clerk = (line.logged_in(u, PASSWORD) for u in ("binh", "syt", "clerk"))
    case_id = _report(line, "high")
    before = datetime.now(UTC)
    sent = binh.request("referral_forward", case_id=case_id, agency="SYT",
                        note="Đề nghị kiểm tra")
    assert sent["ok"], sent
    row = sent["data"]["referral"]
    assert (row["agency"], row["state"], row["place"]) == ("SYT", "forwarded",
                                                            "Trạm y tế xã Tân Thuận")
    due = datetime.fromisoformat(row["due_at"])
    assert before + timedelta(days=3) <= due <= datetime.now(UTC) + timedelta(days=3)
    assert "phone" not in row and CALLER not in str(row)  # the agency needs no phone
    pushed = syt.push("referrals")  # the agency's staff are told at once
    assert pushed["referrals"][0]["id"] == row["id"]
    assert [r["id"] for r in syt.request("referral_list")["data"]["referrals"]] == [row["id"]]
    assert clerk.request("referral_list")["data"]["referrals"] == []  # another agency
    again = binh.request("referral_forward", case_id=case_id, agency="SYT")
    assert again["code"] == "invalid"

    # The agency works on it; the forwarding side may not do the agency's steps.
    assert binh.request("referral_update", referral_id=row["id"],
                        state="in_progress")["code"] == "forbidden"
    assert clerk.request("referral_update", referral_id=row["id"],
                         state="in_progress")["code"] == "not_found"
    assert syt.request("referral_update", referral_id=row["id"],
                       state="in_progress")["ok"]
    refused = syt.request("referral_update", referral_id=row["id"], state="resolved")
    assert refused["code"] == "conflict" and "resolution" in refused["message"]
    done = syt.request("referral_update", referral_id=row["id"], state="resolved",
                       resolution="Đã nhắc trạm y tế phát thuốc")
    assert done["ok"] and done["data"]["referral"]["state"] == "resolved"
    with line.sessions() as s:
        referral = s.get(Referral, row["id"])
        assert referral is not None and referral.callback_id is not None
        callback = s.get(Callback, referral.callback_id)
        assert callback is not None and (callback.phone, callback.state) == (CALLER, "open")
        assert "PA-" in (callback.note or "")
    # The hotline calls the caller back and reaches them: the report is closed.
    with transaction(line.sessions) as s:
        token = callbacks.claim(s, referral.callback_id, 1, datetime.now(UTC))
        callbacks.dial_ended(s, referral.callback_id, token, callbacks.REACHED,
                             datetime.now(UTC), callbacks.RetryPolicy())
    with line.sessions() as s:
        told = s.get(Referral, row["id"])
        assert told is not None and told.state == "caller_informed" and told.informed_at
    assert [a.target for a in line.audit("referral.forward")] == [
        s_code for s_code in [_code(line, case_id)]]
    assert len(line.audit("referral.resolved")) == 1


def _code(line: Hotline, case_id: int) -> str:
    with line.sessions() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.code


def test_a_logout_hands_the_shifts_work_to_a_colleague_or_the_pool(line: Hotline) -> None:
    lan = line.logged_in("lan", PASSWORD)
    hoa = line.logged_in("hoa", PASSWORD)
    case_id = _case_of(line, "f0_home_care", "lan", "follow_up",
                       {"full_name": "Bệnh nhân A", "triage_level": "red",
                        "outcome": "follow_up", "follow_up_on": "2026-12-10"})
    with transaction(line.sessions) as s:
        topic = s.scalars(select(Topic.id).where(Topic.key == "f0_home_care")).one()
        from db.models import Agent
        lan_id = s.scalars(select(Agent.id).where(Agent.username == "lan")).one()
        callbacks.owe(s, CALLER, topic, "follow_up", None, assignee_id=lan_id)
    names = [c["username"] for c in lan.request("colleagues")["data"]["colleagues"]]
    assert names == ["hoa"]  # a nurse on her topic; not the lead, not other topics
    wrong = lan.request("logout", hand_to="clerk")
    assert wrong["code"] == "invalid"  # and she is still logged in
    out = lan.request("logout", hand_to="hoa")
    assert out["ok"] and out["data"]["handed_over"] == {"callbacks": 1, "cases": 1,
                                                        "to": "hoa"}
    changed = hoa.push("callbacks")
    assert changed["callbacks"][0]["holder"] == "hoa"
    with line.sessions() as s:
        assert s.get_one(Case, case_id).assignee_id is not None
        assert s.get_one(Case, case_id).assignee_id != lan_id
    out = hoa.request("logout")  # no colleague named: the pool
    assert out["data"]["handed_over"] == {"callbacks": 1, "cases": 1, "to": None}
    with line.sessions() as s:
        assert s.get_one(Case, case_id).assignee_id is None
        assert s.scalars(select(Callback.assignee_id)).one() is None
    assert [a.target for a in line.audit("hub.handover")] == ["hoa", "pool"]


def test_the_incoming_lead_reads_the_hand_over(line: Hotline) -> None:
    case_id = _case_of(line, "f0_home_care", "lan", "follow_up",
                       {"full_name": "Bệnh nhân B", "triage_level": "red",
                        "outcome": "follow_up", "follow_up_on": "2026-12-10"})
    _case_of(line, "f0_home_care", "lan", "follow_up",
             {"full_name": "Bệnh nhân C", "triage_level": "green", "outcome": "follow_up",
              "follow_up_on": "2026-12-10"})
    report = _report(line, "urgent")
    with transaction(line.sessions) as s:
        topic = s.scalars(select(Topic.id).where(Topic.key == "f0_home_care")).one()
        late = callbacks.owe(s, "+84912000444", topic, "abandoned", None)
        assert late is not None
        late.due_at = datetime.now(UTC) - timedelta(hours=1)
    binh = line.logged_in("binh", PASSWORD)
    assert binh.request("referral_forward", case_id=report, agency="CDC")["ok"]
    lead = line.logged_in("truong", PASSWORD)
    data = lead.request("lead_handover")["data"]
    assert [c["id"] for c in data["red_cases"]] == [case_id]
    assert data["red_cases"][0]["holder"] == "Nguyễn Thị Lan"
    assert [c["id"] for c in data["overdue_callbacks"]] == [late.id]
    assert [r["agency"] for r in data["referrals_due"]] == ["CDC"]  # urgent: due in a day
    assert line.logged_in("lan", PASSWORD).request("lead_handover")["code"] == "forbidden"
    assert len(line.audit("lead.handover")) == 1
