"""The hub's defences found by probing the running daemon, end to end over TLS (simulator →
daemon → hub → clients): sessions follow their agent's account, a login costs one argon2
check whoever asks, a flood of refused messages leaves a few audit rows and closed
connections, history is scoped to the asker's topics, hostile values are refused on the wire,
colleagues behind one address still log in, and an expired session's audit row names the
address it was used from."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gevent
import pytest
from argon2 import PasswordHasher, extract_parameters
from simple_websocket import ConnectionClosed
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import db.agents
from callcenter.hub.tls import make_self_signed
from callcenter.sim.people import PhoneBehaviour, Phones
from db.agents import NewAgent, add_agent, parse_membership, set_active, set_queues
from db.engine import transaction
from db.models import Agent, AuditLog, Call, Callback, Declaration, Topic
from tests.support.hotline import Hotline
from tests.support.hub_client import HubClient
from tests.support.waiting import until

PASSWORD = "mat-khau-dai-1"
F0_FORM = {"full_name": "Nguyễn Thị Lan", "outcome": "advised_home"}
PHONE = "+84912000111"

MakeLine = Callable[..., Hotline]


@pytest.fixture
def make_line(seeded: sessionmaker[Session], tmp_path: Path) -> Iterator[MakeLine]:
    """A hotline with its hub, whose daemon polls the accounts every `sync_seconds`. Agents
    with no agency, so their topics are exactly their tiers: lan (nurse, f0_home_care), binh
    (clerk, public_services), and cuong, a nurse whose account is disabled."""
    with transaction(seeded) as s:
        for username, role, ext, queue in (("lan", "nurse", "1001", "f0_home_care"),
                                           ("binh", "clerk", "1003", "public_services"),
                                           ("cuong", "nurse", None, "f0_home_care")):
            add_agent(s, NewAgent(username, username.title(), role, PASSWORD,
                                  sip_extension=ext))
            set_queues(s, username, [parse_membership(queue)])
        set_active(s, "cuong", False)
    made: list[Hotline] = []

    def make(sync_seconds: float = 0.2) -> Hotline:
        cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
        make_self_signed(cert, key, ["127.0.0.1"])
        hotline = Hotline(seeded, tmp_path, Phones(default=PhoneBehaviour(answer_after=0.3)),
                          overrides={"hub": {"listen_port": 0, "tls_cert": cert,
                                             "tls_key": key},
                                     "switch": {"agent_sync_seconds": sync_seconds}})
        made.append(hotline)
        hotline.ca = cert
        hotline.wait(lambda: len(hotline.sim.callcenter.model.agents) == 2)
        return hotline

    yield make
    for hotline in made:
        hotline.close()


def _change(line: Hotline, fn: Callable[[Session], object]) -> None:
    """An administration command (`callcenter agent …`): one transaction on the database."""
    with transaction(line.sessions) as s:
        fn(s)


def _denied(line: Hotline) -> list[AuditLog]:
    return line.audit("hub.denied")


# -- 3: a session follows its agent's account -------------------------------------------------

def test_disabling_an_agent_ends_their_sessions_within_one_poll(make_line: MakeLine) -> None:
    line = make_line(sync_seconds=0.2)
    clerk = line.logged_in("binh", PASSWORD)
    token = clerk.token
    assert clerk.request("callback_list")["ok"]
    _change(line, lambda s: set_active(s, "binh", False))
    ended = clerk.push("error", timeout=10)  # told at once, within the poll
    assert ended["code"] == "expired" and "disabled" in ended["message"]
    assert clerk.request("callback_list")["code"] == "unauthenticated"
    again = line.hub_client()  # nor can the token be resumed on a new connection
    assert again.request("resume", token=token, last_seq=0)["code"] == "expired"
    rows = line.audit("hub.ended")
    assert [(r.target, r.client.startswith("127.0.0.1:")) for r in rows] == [("binh", True)]


def test_a_resume_reads_the_account_again(make_line: MakeLine) -> None:
    line = make_line(sync_seconds=3600)  # the poll will not come: the resume itself must check
    clerk = line.logged_in("binh", PASSWORD)
    token = clerk.token
    clerk.close()
    _change(line, lambda s: set_active(s, "binh", False))
    again = line.hub_client()
    refused = again.request("resume", token=token, last_seq=0)
    assert refused["code"] == "expired" and "disabled" in refused["message"]
    assert again.request("callback_list")["code"] == "unauthenticated"
    assert again.login("binh", PASSWORD)["code"] == "unauthenticated"


def test_taking_a_topic_away_narrows_the_session_within_one_poll(make_line: MakeLine) -> None:
    line = make_line(sync_seconds=0.2)
    nurse = line.logged_in("lan", PASSWORD)
    case = nurse.request("case_save", topic="f0_home_care", caller_phone=PHONE,
                         form=F0_FORM)["data"]["case"]
    assert nurse.request("case_get", case_id=case["id"])["ok"]
    _change(line, lambda s: set_queues(s, "lan", [parse_membership("epidemic_report")]))
    snapshot = nurse.push("snapshot", timeout=10)  # what the desktop may show, again
    assert snapshot["agent"]["topics"] == ["epidemic_report"]
    assert nurse.request("case_get", case_id=case["id"])["code"] == "forbidden"
    assert nurse.request("history_search", phone=PHONE)["data"]["items"] == []
    assert [r.detail["topics"] for r in line.audit("hub.changed")] == [["epidemic_report"]]


# -- 4: a login costs one argon2 check, whoever asks ------------------------------------------

def test_a_login_costs_one_argon2_check_whether_the_user_exists_or_not(
        make_line: MakeLine, monkeypatch: pytest.MonkeyPatch) -> None:
    line = make_line()
    verified: list[Any] = []

    class Spy(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(extract_parameters(hash if isinstance(hash, str) else
                                               hash.decode()))
            return super().verify(hash, password)

    monkeypatch.setattr(db.agents, "_hasher", Spy())
    with line.sessions() as s:
        real = extract_parameters(s.scalars(select(Agent.password_hash).where(
            Agent.username == "lan")).one())
    client = line.hub_client()
    for username, password in (("lan", "wrong password"), ("nobody", "wrong password"),
                               ("cuong", PASSWORD)):  # a real user, unknown, disabled
        before = len(verified)
        assert client.login(username, password)["code"] == "unauthenticated", username
        assert verified[before:] == [real], username  # one check, with the same cost


# -- 6: a flood of refused messages -------------------------------------------------------------

def _flood(client: HubClient, count: int) -> None:
    try:
        for _ in range(count):
            client.send_raw("{not json")
    except (ConnectionClosed, OSError):
        pass  # the hub closed the connection: the rest is not sent


def _closed(client: HubClient) -> bool:
    return any(m["type"] == "closed" for m in list(client.pushes.queue))


def _errors(client: HubClient) -> int:
    return sum(m["type"] == "error" for m in list(client.pushes.queue))


def test_a_flood_leaves_a_few_audit_rows_and_closed_connections(make_line: MakeLine) -> None:
    line = make_line()
    nurse = line.logged_in("lan", PASSWORD)
    flooders = [line.hub_client() for _ in range(21)]
    jobs = [gevent.spawn(_flood, flooders[0], 3000)]
    jobs += [gevent.spawn(_flood, f, 100) for f in flooders[1:]]
    assert nurse.request("callback_list")["ok"]  # served while it lasts
    until(lambda: all(_closed(f) for f in flooders), timeout=30,
          what="every flooding connection closed by the hub")
    gevent.joinall(jobs, timeout=10)
    refusals = sum(_errors(f) for f in flooders)
    assert refusals <= 21 * 31  # at most 30 messages a connection, then the refusal and close
    assert nurse.request("set_status", status="Available")["ok"]
    line.daemon.hub.service.flush_refusals()  # the sweep's job, every 30 s
    rows = _denied(line)
    assert len(rows) <= 8, [(r.actor, r.detail) for r in rows]
    assert sum(r.detail["count"] for r in rows) == refusals  # every refusal counted
    assert {r.detail["code"] for r in rows} == {"bad_message", "rate_limited"}


# -- 8: history is scoped like cases ------------------------------------------------------------

def test_history_shows_only_the_askers_topics(make_line: MakeLine) -> None:
    line = make_line()
    with transaction(line.sessions) as s:
        topics = {t.key: t.id for t in s.scalars(select(Topic))}
        s.add_all([
            Call(uuid="covid-call", caller_number=PHONE, topic_id=topics["f0_home_care"],
                 result="answered"),
            Call(uuid="ivr-only", caller_number=PHONE, topic_id=None, result="ivr_hangup"),
            Call(uuid="clerk-call", caller_number=PHONE, topic_id=topics["public_services"],
                 result="answered"),
            Callback(phone=PHONE, topic_id=topics["f0_home_care"], reason="abandoned"),
            Declaration(full_name="Trần Thị Hoa", phone=PHONE, symptoms="sốt")])
    nurse = line.logged_in("lan", PASSWORD)
    case = nurse.request("case_save", topic="f0_home_care", caller_phone=PHONE,
                         form=F0_FORM)["data"]["case"]
    clerk = line.logged_in("binh", PASSWORD)
    seen = clerk.request("history_search", phone=PHONE)["data"]["items"]
    assert [(i["kind"], i["topic"]) for i in seen] == [("call", "public_services")]
    assert clerk.request("history_search", case_code=case["code"])["data"]["items"] == []
    mine = nurse.request("history_search", phone=PHONE)["data"]["items"]
    assert sorted((i["kind"], i["topic"]) for i in mine) == [
        ("call", "f0_home_care"), ("callback", "f0_home_care"), ("case", "f0_home_care"),
        ("declaration", None)]


# -- 9, 10: values on the wire -----------------------------------------------------------------

def test_deep_json_is_a_bad_message_before_login(make_line: MakeLine) -> None:
    line = make_line()
    stranger = line.hub_client()
    depth = 100_000  # far past the parser's recursion limit, well under the message limit
    stranger.send_raw('{"v": 1, "type": "login", "id": "deep", "x": ' + "[" * depth +
                      "]" * depth + "}")
    assert stranger.push("error")["code"] == "bad_message"
    assert [r.detail["code"] for r in _denied(line)] == ["bad_message"]
    assert stranger.login("lan", PASSWORD)["ok"]  # the connection still serves


def test_ids_and_types_are_strict_on_the_wire(make_line: MakeLine) -> None:
    line = make_line()
    nurse = line.logged_in("lan", PASSWORD)
    for value in (2**31, 2**63, 2**64, 0, -1, "1", 1.0, True):
        assert nurse.request("case_get", case_id=value)["code"] == "bad_message", value
        assert nurse.request("callback_dial", callback_id=value)["code"] == "bad_message", \
            value
        assert nurse.request("case_save", topic="f0_home_care", form=F0_FORM, case_id=value,
                             version=1)["code"] == "bad_message", value
    assert nurse.request("case_get", case_id=2**31 - 1)["code"] == "not_found"  # PostgreSQL too
    assert nurse.request("call_hold", call_uuid="x", hold=1)["code"] == "bad_message"
    assert nurse.request("resume", token=nurse.token, last_seq="0")["code"] == "bad_message"
    for version in (True, 1.0):
        nurse.send_raw(json.dumps({"v": version, "type": "callback_list", "id": "v"}))
        assert nurse.push("error")["code"] == "bad_message"
    assert all(r.detail["code"] != "internal" for r in _denied(line))


def test_a_break_reason_is_one_of_the_codes(make_line: MakeLine) -> None:
    line = make_line()
    nurse = line.logged_in("lan", PASSWORD)
    for reason in ("meal\nforged log line", "x" * 64, "lunch with friends", ""):
        refused = nurse.request("set_status", status="On Break", reason=reason)
        assert refused["code"] in ("bad_message", "invalid"), reason
    assert nurse.request("set_status", status="On Break", reason="meal")["ok"]
    line.wait(lambda: line.agent_status("lan@hotline1022") == "On Break")


def test_colleagues_behind_one_address_still_log_in(
        make_line: MakeLine, monkeypatch: pytest.MonkeyPatch) -> None:
    """120 failed logins from one address (24 usernames mistyped or guessed, 5 each) do not
    keep the nurse behind the same NAT address out."""
    line = make_line()
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x")
    monkeypatch.setattr(db.agents, "dummy_hash", lambda: cheap, raising=False)
    for n in range(24):
        guesser = line.hub_client()
        codes = [guesser.login(f"guest{n}", f"guess-{k}")["code"] for k in range(5)]
        assert codes == ["unauthenticated"] * 5
        guesser.close()
    nurse = line.hub_client()
    assert nurse.login("lan", PASSWORD)["ok"]


def test_an_expired_sessions_row_names_its_address_not_the_typed_name(
        make_line: MakeLine) -> None:
    line = make_line()
    nurse = line.hub_client()
    assert nurse.request("login", username="lan", password=PASSWORD,
                         client="Máy bàn 3 (anything typed)")["ok"]
    nurse.push("snapshot")
    address = f"127.0.0.1:{nurse.ws.sock.getsockname()[1]}"
    nurse.close()  # the desktop crashed: no logout
    service = line.daemon.hub.service
    # a desktop still connected keeps its session alive: first the hub sees it gone...
    line.wait(lambda: not [c for c in service.clients if c.session is not None])
    clock = service.sessions.clock  # ...then its time passes on the sessions' clock
    service.sessions.clock = lambda: clock() + 10**6
    service.sweep()
    rows = line.audit("hub.expired")
    assert [(r.target, r.client) for r in rows] == [("lan", address)]
