"""The live state, fed the captures' event streams (as their README describes them), and the
rules that keep it right when events come twice or out of order."""

from __future__ import annotations

import random

import pytest

from callcenter.state import LiveState, apply
from callcenter.state.effects import (
    AgentBridged,
    AgentOffered,
    AgentReleased,
    AgentStatusChanged,
    CallbackDialEnded,
    CallbackOwed,
    CallChanged,
)
from tests.support.fidelity import captured_events


def _replay(scenario: str, state: LiveState | None = None):
    state = state or LiveState()
    effects = []
    for event in captured_events(scenario):
        effects += apply(state, event)
    return state, effects


def _calls(effects) -> dict[str, object]:
    """The last word on each call row."""
    rows = {}
    for effect in effects:
        if isinstance(effect, CallChanged):
            rows[effect.call.uuid] = effect.call
    return rows


@pytest.mark.parametrize("scenario", ["call_answered", "call_recorded"])
def test_answered_call(scenario: str) -> None:
    state, effects = _replay(scenario)
    (call,) = _calls(effects).values()
    assert (call.caller_number, call.menu_choice, call.queue, call.agent, call.result) == (
        "0912345678", "1", "f0_home_care@hotline1022", "agent1001@hotline1022", "answered")
    assert call.started_us < call.queued_us <= call.offered_us <= call.answered_us < call.ended_us
    assert call.hangup_cause == "NORMAL_CLEARING"
    assert not state.calls and not state.queues["f0_home_care@hotline1022"].members
    agent = state.agents["agent1001@hotline1022"]
    assert (agent.status, agent.state, agent.call, agent.calls_answered) == (
        "Available", "Waiting", None, 1)  # back to Waiting at once (capture README)
    assert [type(e) for e in effects if isinstance(e, AgentOffered | AgentBridged |
                                                    AgentReleased)] == [
        AgentOffered, AgentBridged, AgentReleased]
    offered = next(e for e in effects if isinstance(e, AgentOffered))
    assert (offered.agent, offered.call.uuid, offered.call.caller_number) == (
        "agent1001@hotline1022", call.uuid, "0912345678")
    assert not any(isinstance(e, CallbackOwed) for e in effects)
    if scenario == "call_recorded":
        assert call.recording.startswith("/var/lib/freeswitch/recordings/2026/11/24/")


def test_abandoned_call_owes_one_callback() -> None:
    state, effects = _replay("call_abandoned")
    (call,) = _calls(effects).values()
    assert (call.caller_number, call.menu_choice, call.queue, call.result) == (
        "0987654321", "2", "epidemic_report@hotline1022", "abandoned")
    assert [e for e in effects if isinstance(e, CallbackOwed)] == [
        CallbackOwed("0987654321", "epidemic_report@hotline1022", call.uuid)]
    assert state.queues["epidemic_report@hotline1022"].abandoned == 1


def test_hangup_in_the_menu() -> None:
    state, effects = _replay("ivr_hangup")
    (call,) = _calls(effects).values()
    assert (call.caller_number, call.menu_choice, call.queue, call.result) == (
        "0944555666", None, None, "ivr_hangup")
    assert not state.calls


def test_outbound_socket_call() -> None:
    _state, effects = _replay("outbound_socket")
    (call,) = _calls(effects).values()
    assert (call.destination, call.queue, call.agent, call.result) == (
        "1023", "f0_home_care@hotline1022", "agent1001@hotline1022", "answered")


def test_lead_transfer_and_callback() -> None:
    state, effects = _replay("lead_transfer_callback")
    calls = _calls(effects)
    member = next(c for c in calls.values() if c.queue)
    assert member.result == "answered" and member.agent == "agent1001@hotline1022"
    assert not state.calls and not state.legs
    # the callback dial: the agent's leg (hotline_callback_id=42) bridged to the caller
    (dialled,) = [e for e in effects if isinstance(e, CallbackDialEnded)]
    assert (dialled.callback_id, dialled.token, dialled.disposition) == (42, "", "SUCCESS")


def test_agent_status_changes_are_effects() -> None:
    _state, effects = _replay("api_replies")
    assert [e.status for e in effects if isinstance(e, AgentStatusChanged)] == [
        "Available", "On Break", "Available (On Demand)"]


@pytest.mark.parametrize("scenario", ["call_answered", "call_abandoned", "ivr_hangup",
                                      "hotline/hotline_transfer_to_queue",
                                      "hotline/hotline_no_answer_next_agent"])
def test_every_event_twice_changes_nothing_more(scenario: str) -> None:
    once, effects_once = _replay(scenario)
    twice = LiveState()
    effects_twice = []
    for event in captured_events(scenario):
        effects_twice += apply(twice, event)
        effects_twice += apply(twice, event)
    assert _calls(effects_twice) == _calls(effects_once)
    assert sum(isinstance(e, CallbackOwed) for e in effects_twice) == sum(
        isinstance(e, CallbackOwed) for e in effects_once)
    assert twice.agents == once.agents and twice.queues.keys() == once.queues.keys()


def test_shuffled_callcenter_events_within_a_call_still_give_the_result() -> None:
    """After a reconnect, mod_callcenter's events can come late; the row ends the same."""
    events = captured_events("call_answered")
    rng = random.Random(5)
    cc = [e for e in events if e.get("CC-Action")]
    for _ in range(20):
        shuffled = cc[:]
        rng.shuffle(shuffled)
        state = LiveState()
        effects = []
        for event in [e for e in events if not e.get("CC-Action")][:1] + shuffled + events:
            effects += apply(state, event)
        (call,) = _calls(effects).values()
        assert call.result == "answered" and call.agent == "agent1001@hotline1022"


def test_resync_closes_what_ended_and_repairs_stuck_agents() -> None:
    from callcenter.state.model import CallState
    from callcenter.state.resync import SetAgentState, Snapshot, rebuild

    previous = LiveState()
    previous.calls["gone"] = CallState("gone", "0912000001", queue="q@h", queued_us=1_000_000)
    previous.calls["still"] = CallState("still", "0912000002")
    previous.queue("q@h").answered, previous.queue("q@h").abandoned = 7, 2
    snapshot = Snapshot(
        channels=[{"uuid": "still", "direction": "inbound", "cid_num": "0912000002"},
                  {"uuid": "new", "direction": "inbound", "cid_num": "0912000003",
                   "created_epoch": "1795600000"}],
        members=[{"uuid": "m1", "session_uuid": "new", "queue": "q@h", "state": "Waiting",
                  "cid_number": "0912000003", "joined_epoch": "1795600001"},
                 {"uuid": "m0", "session_uuid": "gone", "queue": "q@h", "state": "Waiting"}],
        agents=[{"name": "lan@h", "status": "Available", "state": "In a queue call",
                 "uuid": "leg-gone"}])
    result = rebuild(previous, snapshot, now_us=2_000_000_000_000_000)
    assert set(result.state.calls) == {"still", "new"}
    assert result.state.calls["new"].queue == "q@h"
    assert result.state.queues["q@h"].count == 1
    assert (result.state.queues["q@h"].answered, result.state.queues["q@h"].abandoned) == (7, 2)
    closed = [e for e in result.effects if isinstance(e, CallChanged) and e.call.uuid == "gone"]
    assert closed[0].call.result == "abandoned" and closed[0].call.ended_us
    assert [e for e in result.effects if isinstance(e, CallbackOwed)] == [
        CallbackOwed("0912000001", "q@h", "gone")]
    assert result.repairs == [SetAgentState("lan@h", "Waiting")]
    assert result.state.agents["lan@h"].state == "Waiting"
    assert len(result.differences) == 4


@pytest.mark.parametrize(("result", "cancel", "reason"), [
    ("abandoned", None, "abandoned"), ("no_agent", "NO_AGENT_TIMEOUT", "abandoned"),
    ("overflow", "TIMEOUT", "abandoned"), ("overflow", "EXIT_WITH_KEY", "requested")])
def test_every_unanswered_queue_call_owes_one_callback(result, cancel, reason) -> None:
    from callcenter.state.apply import callback_owed
    from callcenter.state.model import CallState

    call = CallState("u1", "0912000001", queue="q@h", result=result, cancel_reason=cancel)
    assert callback_owed(call) == [CallbackOwed("0912000001", "q@h", "u1", reason)]
    assert callback_owed(call) == []  # once


def test_answered_and_menu_calls_owe_no_callback() -> None:
    from callcenter.state.apply import callback_owed
    from callcenter.state.model import CallState

    assert callback_owed(CallState("u1", "0912", queue="q@h", result="answered")) == []
    assert callback_owed(CallState("u2", "0912", result="ivr_hangup")) == []


def test_transfer_to_another_queue_follows_the_call() -> None:
    """Capture hotline_transfer_to_queue: the second queue's member starts before the first
    one ends; the receiving agent is bridged, popped and released like the first."""
    state, effects = _replay("hotline/hotline_transfer_to_queue")
    (call,) = _calls(effects).values()
    assert (call.queue, call.agent, call.result) == (
        "epidemic_report@hotline1022", "health1@hotline1022", "answered")
    assert [(leg.queue, leg.agent, leg.cause) for leg in call.legs] == [
        ("f0_home_care@hotline1022", "nurse1@hotline1022", "Terminated"),
        ("epidemic_report@hotline1022", "health1@hotline1022", "Terminated")]
    assert all(leg.answered_us and leg.ended_us for leg in call.legs)
    assert [(type(e).__name__, e.agent) for e in effects
            if isinstance(e, AgentBridged | AgentReleased)] == [
        ("AgentBridged", "nurse1@hotline1022"), ("AgentReleased", "nurse1@hotline1022"),
        ("AgentBridged", "health1@hotline1022"), ("AgentReleased", "health1@hotline1022")]
    bridged = [e for e in effects if isinstance(e, AgentBridged)]
    assert bridged[1].call.queue == "epidemic_report@hotline1022"
    assert all(a.call is None for a in state.agents.values())
    assert state.agents["health1@hotline1022"].calls_answered == 1


@pytest.mark.parametrize("scenario, result, owed", [
    ("hotline/hotline_ivr_key1_answered", "answered", []),
    ("hotline/hotline_ivr_resume_breakout", "abandoned", ["abandoned"]),
    ("hotline/hotline_no_agent_abandoned", "abandoned", ["abandoned"]),
    ("hotline/hotline_callback_key", "overflow", ["requested"]),
    ("hotline/hotline_no_answer_next_agent", "answered", []),
    ("hotline/hotline_static_menu_fallback", "answered", []),
])
def test_hotline_captures(scenario: str, result: str, owed: list[str]) -> None:
    """This project's own switch_conf on the real switch: each call's one result."""
    _state, effects = _replay(scenario)
    (call,) = _calls(effects).values()
    assert call.result == result and len(call.legs) == 1
    assert [e.reason for e in effects if isinstance(e, CallbackOwed)] == owed


def test_a_call_learned_by_resync_is_bridged_and_ends() -> None:
    """After a restart the waiting caller is known from `member list` only (no
    member-queue-start seen): the agent who answers still gets the pop, and the call ends
    with its leg."""
    from callcenter.state.resync import Snapshot, rebuild

    snapshot = Snapshot(
        channels=[{"uuid": "c1", "direction": "inbound", "cid_num": "0912000003",
                   "created_epoch": "1795600000"}],
        members=[{"uuid": "m1", "session_uuid": "c1", "queue": "q@h", "state": "Waiting",
                  "cid_number": "0912000003", "joined_epoch": "1795600001"}],
        agents=[])
    state = rebuild(LiveState(), snapshot, now_us=1_795_600_002_000_000).state
    member = {"Event-Name": "CUSTOM", "Event-Subclass": "callcenter::info",
              "CC-Queue": "q@h", "CC-Member-UUID": "m1", "CC-Member-Session-UUID": "c1",
              "CC-Agent": "lan@h", "CC-Agent-UUID": "leg1"}
    bridged = apply(state, {**member, "CC-Action": "bridge-agent-start",
                            "Event-Date-Timestamp": "1795600003000000"})
    assert [(type(e).__name__, e.agent) for e in bridged if isinstance(e, AgentBridged)] == [
        ("AgentBridged", "lan@h")]
    apply(state, {**member, "CC-Action": "bridge-agent-end"})
    effects = apply(state, {"Event-Name": "CHANNEL_HANGUP_COMPLETE", "Unique-ID": "c1",
                            "Hangup-Cause": "NORMAL_CLEARING",
                            "Event-Date-Timestamp": "1795600009000000"})
    (call,) = _calls(effects).values()
    assert call.result == "answered" and call.agent == "lan@h"
    assert [(leg.member_uuid, leg.agent, leg.cause) for leg in call.legs] == [
        ("m1", "lan@h", "Terminated")]
