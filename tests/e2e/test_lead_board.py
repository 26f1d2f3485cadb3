"""The lead's console end to end (simulator → daemon → hub over TLS → a lead's connection):
the board's waiting callers and counters as a scripted hour says, the agency's walls, a forced
status, listen / whisper / barge on the switch, moving a waiting caller, the audit trail."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import gevent
import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from protocol.board import Board, apply_board
from tests.support.hotline import Hotline, with_hub
from tests.support.hub_client import HubClient
from tests.support.waiting import until

PASSWORD = "mat-khau-dai-1"
F0 = "f0_home_care"


class LeadView:
    """A lead's connection and the board it holds, applied push by push (as the desktop
    does), with the wall-clock time each push arrived."""

    def __init__(self, client: HubClient) -> None:
        self.client = client
        self.board: Board = {}
        self.supervision: dict[str, Any] | None = None
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.others: list[dict[str, Any]] = []
        self._reader = gevent.spawn(self._read)

    def _read(self) -> None:
        while True:
            message = self.client.pushes.get()
            if message["type"] != "lead_board":
                self.others.append(message)
                continue
            self.received.append((time.monotonic(), message))
            self.board = apply_board(self.board, message)
            if message["supervision_changed"]:
                self.supervision = message["supervision"]

    def queue(self, topic: str) -> dict[str, Any]:
        return self.board["queues"][topic]

    def close(self) -> None:
        self._reader.kill(block=False)
        self.client.close()


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        for username, role, agency, ext, queue in (
                ("lan", "nurse", "CDC", "1001", F0),
                ("binh", "clerk", "TTPVHCC", "1003", "public_services"),
                ("truong", "lead", "CDC", "2001", None),
                ("quan", "lead", "TTPVHCC", "2003", None),
                ("chi", "admin", None, None, None)):
            add_agent(s, NewAgent(username, username.title(), role, PASSWORD, agency=agency,
                                  sip_extension=ext))
            if queue:
                set_queues(s, username, [parse_membership(queue)])
    hotline = with_hub(seeded, tmp_path, agents_on_switch=4)  # the leads' phones too
    yield hotline
    hotline.close()


def lead_view(line: Hotline, username: str) -> LeadView:
    view = LeadView(line.logged_in(username, PASSWORD))
    until(lambda: bool(view.board.get("queues")), timeout=10)
    return view


def test_a_lead_sees_their_agency_only_and_is_refused_the_rest(line: Hotline) -> None:
    cdc = lead_view(line, "truong")
    assert set(cdc.board["queues"]) == {F0, "epidemic_report"}  # CDC's topics
    assert set(cdc.board["agents"]) == {"lan"}  # the lead takes no queue calls: not a row
    clerk_call = line.call("0912000301", "3", queue_patience=600)
    until(lambda: line.daemon.state.queue("public_services@hotline1022").waiting())
    refused = cdc.client.request("lead_set_status", agent="binh", status="On Break",
                                 reason="meal")
    assert refused["code"] == "forbidden"
    moved = cdc.client.request("lead_move_caller", call_uuid=clerk_call.channel.uuid, topic=F0)
    assert moved["code"] == "forbidden"
    assert {(r.target, r.detail["code"]) for r in line.audit("hub.denied")} >= {
        ("binh", "forbidden"), (clerk_call.channel.uuid, "forbidden")}
    assert not cdc.board["waiting"]  # the clerks' caller is not on the CDC board
    assert line.logged_in("lan", PASSWORD).request("lead_audit")["code"] == "forbidden"
    cdc.close()


def test_the_board_follows_a_scripted_hour(line: Hotline) -> None:
    """Four callers to topic 1 (service level target 20 s, short abandons under 5 s): one
    gives up after 30 s, one after 2 s, one is answered at once, one after 25 s."""
    lead = lead_view(line, "truong")
    nurse = line.logged_in("lan", PASSWORD)
    first = line.call("0912000201", "1", queue_patience=30)
    until(lambda: line.daemon.state.queue(f"{F0}@hotline1022").waiting(), timeout=10)
    in_state = time.monotonic()
    until(lambda: lead.board["waiting"], timeout=2)
    arrived = next(t for t, m in lead.received if m["changed"].get("waiting"))
    assert arrived - in_state < 1.0  # a waiting caller on the board within a second
    row = next(iter(lead.board["waiting"].values()))
    assert row["caller"] == "0912 ••• 201" and row["position"] == 1 and row["topic"] == F0
    assert lead.queue(F0)["waiting"] == 1 and lead.queue(F0)["oldest_joined_at"]
    until(lambda: first.phase == "ended", timeout=10)
    line.call("0912000202", "1", queue_patience=2)
    until(lambda: lead.queue(F0)["short_abandoned"] == 1, timeout=10)
    assert lead.queue(F0)["abandoned"] == 1 and lead.queue(F0)["waiting"] == 0
    assert lead.queue(F0)["abandon_pct"] == 100.0 and lead.queue(F0)["service_level_pct"] == 0.0

    assert nurse.request("set_status", status="Available")["ok"]
    line.call("0912000203", "1", talk_time=2)
    until(lambda: lead.queue(F0)["answered"] == 1, timeout=10)
    until(lambda: lead.board["agents"]["lan"]["activity"] == "talking", timeout=5)
    assert lead.board["agents"]["lan"]["call"]["caller"] == "0912 ••• 203"
    call_ended = until_push(nurse, "call_ended")
    assert nurse.request("wrap_up_done", call_uuid=call_ended["call_uuid"])["ok"]
    assert nurse.request("set_status", status="On Break", reason="rest")["ok"]
    line.call("0912000204", "1", talk_time=2)
    until(lambda: lead.queue(F0)["waiting"] == 1, timeout=10)
    until(lambda: _waited(line) >= 25, timeout=10)
    assert nurse.request("set_status", status="Available")["ok"]
    until(lambda: lead.queue(F0)["answered"] == 2, timeout=10)
    q = lead.queue(F0)
    # worked out by hand: 4 offered; answered 2 (1 within 20 s); abandoned 1 (30 s), short 1
    assert (q["offered"], q["answered"], q["abandoned"], q["short_abandoned"]) == (4, 2, 1, 1)
    assert q["service_level_pct"] == round(100 * 1 / 3, 1)  # 1 in target ÷ (2 + 1 + 0)
    assert q["abandon_pct"] == round(100 * 1 / 3, 1)
    assert q["asa_seconds"] is not None and q["asa_seconds"] > 12.5  # (≈0 + ≥25) ÷ 2
    quarters = [r for key, r in lead.board["today"].items() if key.startswith(f"{F0}/")]
    assert sum(r["offered"] for r in quarters) == 4
    assert sum(r["abandoned"] for r in quarters) == 1
    lead.close()


def _waited(line: Hotline) -> float:
    """How long the first caller in topic 1's queue has waited, in the simulator's seconds."""
    members = line.daemon.state.queue(f"{F0}@hotline1022").waiting()
    return (line.sim.now_us() - members[0].joined_us) / 1e6 if members else 0.0


def _agent_leg(line: Hotline, uuid: str) -> str | None:
    """The agent's leg of the call, once the daemon has seen the bridge."""
    call = line.daemon.state.calls.get(uuid)
    return call.agent_leg if call else None


def until_push(client: HubClient, type_: str, timeout: float = 15.0) -> dict[str, Any]:
    return client.push(type_, timeout=timeout)


def test_a_lead_moves_a_waiting_caller_to_another_topic(line: Hotline) -> None:
    """Moved, not abandoned: the first queue counts a move (no abandon, no callback owed) and
    the second queue an offer; the act is audited."""
    lead = lead_view(line, "truong")
    caller = line.call("0912000401", "1", queue_patience=600)
    until(lambda: any(r["call_uuid"] == caller.channel.uuid
                      for r in lead.board["waiting"].values()), timeout=10)
    assert lead.client.request("lead_move_caller", call_uuid=caller.channel.uuid,
                               topic="epidemic_report")["ok"]
    until(lambda: any(r["topic"] == "epidemic_report" for r in lead.board["waiting"].values()),
          timeout=10)
    f0, pa = lead.queue(F0), lead.queue("epidemic_report")
    assert (f0["offered"], f0["abandoned"], f0["short_abandoned"]) == (1, 0, 0)
    assert (pa["offered"], pa["waiting"]) == (1, 1)
    (moved,) = line.audit("lead.move_caller")
    assert (moved.actor, moved.target, moved.detail["from_topic"], moved.detail["to_topic"]) \
        == ("truong", caller.channel.uuid, F0, "epidemic_report")
    again = lead.client.request("lead_move_caller", call_uuid=caller.channel.uuid,
                                topic="epidemic_report")
    assert again["code"] == "invalid"  # already there
    lead.close()
    assert not line.daemon.state.calls[caller.channel.uuid].callback_owed


def test_a_forced_status_reaches_the_switch_and_the_agents_desktop(line: Hotline) -> None:
    lead = lead_view(line, "truong")
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    assert lead.client.request("lead_set_status", agent="lan", status="On Break",
                               reason="meeting")["ok"]
    model = line.sim.callcenter.model
    until(lambda: model.agent("lan@hotline1022").status == "On Break", timeout=5)
    pushed = nurse.push("agent_status", timeout=5)
    while pushed["agent"]["status"] != "On Break":
        pushed = nurse.push("agent_status", timeout=5)
    assert pushed["agent"]["reason"] == "meeting"
    until(lambda: lead.board["agents"]["lan"]["reason"] == "meeting", timeout=5)
    (row,) = line.audit("lead.set_status")
    assert (row.actor, row.target, row.detail) == ("truong", "lan",
                                                    {"status": "On Break", "reason": "meeting"})
    assert lead.client.request("lead_set_status", agent="lan", status="Logged Out")["ok"]
    until(lambda: model.agent("lan@hotline1022").status == "Logged Out", timeout=5)
    lead.close()


def test_a_recording_plays_for_its_agent_and_lead_only_and_is_audited(line: Hotline) -> None:
    nurse = line.logged_in("lan", PASSWORD)
    assert nurse.request("set_status", status="Available")["ok"]
    caller = line.call("0912000501", "1", talk_time=3)
    until(lambda: caller.phase == "ended", timeout=15)
    (call,) = [c for c in line.rows() if c.uuid == caller.channel.uuid]
    assert call.recording_path and Path(call.recording_path).is_file()
    size = Path(call.recording_path).stat().st_size
    assert size > 44 + 2 * 8000 * 2  # a WAV of at least the 3 s of talk, 8 kHz 16-bit

    pieces, offset = [], 0
    while offset < size:  # the agent who took it, in pieces as the player asks for them
        got = nurse.request("recording_get", call_id=call.id, offset=offset, length=65536)
        assert got["ok"], got
        pieces.append(got["data"]["data"])
        offset += 65536
    assert b"".join(base64.b64decode(p) for p in pieces) == \
        Path(call.recording_path).read_bytes()
    lead = line.logged_in("truong", PASSWORD)
    seek = lead.request("recording_get", call_id=call.id, offset=size - 100, length=65536)
    assert seek["ok"] and len(base64.b64decode(seek["data"]["data"])) == 100
    assert lead.request("recording_get", call_id=call.id)["ok"]
    other = line.logged_in("quan", PASSWORD)  # the clerks' lead: not this topic
    assert other.request("recording_get", call_id=call.id)["code"] == "forbidden"
    plays = line.audit("recording.play")
    assert [(p.actor, p.target) for p in plays] == [("lan", call.uuid), ("truong", call.uuid)]
    Path(call.recording_path).unlink()
    gone = lead.request("recording_get", call_id=call.id)
    assert gone["code"] == "not_found" and "missing or was deleted" in gone["message"]


def test_listen_whisper_barge_on_the_switch_and_in_the_audit(line: Hotline) -> None:
    """The lead's phone (2001) is rung into an eavesdrop on the agent's leg; whisper and barge
    change what the switch mixes (eavesdrop_whisper_bleg at the start, then DTMF 2 / 3 by
    uuid_recv_dtmf); the lead's hang-up ends it; every act is audited with the call."""
    lead = lead_view(line, "truong")
    nurse = line.logged_in("lan", PASSWORD)
    assert lead.client.request("lead_supervise", agent="lan")["code"] == "conflict"  # no call
    assert nurse.request("set_status", status="Available")["ok"]
    caller = line.call("0912000601", "1", talk_time=600)
    until(lambda: caller.phase == "bridged" and _agent_leg(line, caller.channel.uuid),
          timeout=15)
    agent_leg = _agent_leg(line, caller.channel.uuid)
    assert lead.client.request("lead_supervise", agent="lan", mode="whisper")["ok"]
    until(lambda: (lead.supervision or {}).get("state") == "connected", timeout=10)
    spy = next(s for s in line.sim.sessions.values() if "/2001@" in s.channel.name)
    until(lambda: spy.eavesdrop_target == agent_leg, timeout=5,
          what=f"{spy.channel.name} eavesdrops on {agent_leg} (it does on "
               f"{spy.eavesdrop_target})")
    assert spy.eavesdrop_mix == frozenset({"write"})  # the agent alone hears the lead
    assert lead.client.request("lead_supervise", agent="lan", mode="barge")["ok"]
    until(lambda: spy.eavesdrop_mix == frozenset({"read", "write"}), timeout=5)
    assert lead.supervision["mode"] == "barge"
    assert lead.client.request("lead_supervise", agent="lan", mode="listen")["ok"]
    until(lambda: spy.eavesdrop_mix == frozenset(), timeout=5)
    assert lead.client.request("lead_supervise", agent="mai", mode="listen")["code"] == \
        "forbidden"  # not an account of theirs
    assert lead.client.request("lead_supervise_end")["ok"]
    until(lambda: lead.supervision is None, timeout=5)
    until(lambda: spy.channel.uuid not in line.sim.sessions, timeout=5)
    assert caller.phase == "bridged"  # the call goes on
    acts = [(r.action, r.target, r.detail.get("call")) for r in line.audit_all("lead.")]
    assert acts == [("lead.whisper", "lan", caller.channel.uuid),
                    ("lead.barge", "lan", caller.channel.uuid),
                    ("lead.listen", "lan", caller.channel.uuid),
                    ("lead.supervise_end", "lan", caller.channel.uuid)]
    assert lead.client.request("lead_audit", limit=10)["code"] == "forbidden"  # a lead's
    items = line.logged_in("chi", PASSWORD).request("lead_audit", limit=10)["data"]["items"]
    assert [i["action"] for i in items][:4] == ["lead.supervise_end", "lead.listen",
                                                "lead.barge", "lead.whisper"]
    assert items[-1]["actor"] == "truong" and items[-1]["detail"]["phone"] == \
        "user/2001@hotline1022"
    lead.close()
