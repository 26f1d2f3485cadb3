"""What the simulator guessed until issue 11 and now takes from FreeSWITCH's source or the
hotline captures (each test names where): top-down going on after the member's last tier,
hangup_cause_q850 above 127, mod_callcenter's line numbers on master, the agent leg's
timeout in whole seconds, the agent thread's 100 ms look at a bridge, DTMF-Duration,
transfer_history's entries, multi-valued headers in JSON and XML."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator

import gevent
import pytest

from callcenter.sim import wire
from callcenter.sim.ivr_menu import Menu
from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.switch.event import Event
from tests.support.engine_box import Box

PS = "public_services@hotline1022"  # top-down in the built-in configuration (key 3)
F0 = "f0_home_care@hotline1022"
RINGS_OUT = PhoneBehaviour(action="no_answer")


@pytest.fixture
def make_box() -> Iterator:
    boxes: list[Box] = []

    def make(speed: float = 20.0, **phones: PhoneBehaviour) -> Box:
        box = Box(Phones(default=PhoneBehaviour(answer_after=0.5), by_user=phones), speed)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


def _offered(box: Box) -> list[str]:
    return [e.cc("Agent") for e in box.actions("agent-offering")]


def _seconds(event: Event) -> float:
    return int(event["Event-Date-Timestamp"]) / 1e6


def _caller_straight_into_f0(box: Box, number: str) -> None:
    """A caller put in the queue at once (no menu), in the second half of a simulated
    second: a leg that then rings for whole seconds from its start would end mid-second,
    one whose limit counts epoch seconds ends just after a second boundary."""
    while box.sim.clock() % 1 < 0.5:
        gevent.sleep(0.002)
    box.sim.inbound_call(Caller(number, "Khách", destination="hotline_key_1", key=None,
                                queue_patience=600))


# -- top-down ---------------------------------------------------------------------------------

def test_top_down_goes_on_after_the_tier_it_offered_last(make_box) -> None:
    """mod_callcenter.c agents_callback sets cc_last_agent_tier_position/level on the member's
    channel; members_callback's top-down query then starts after them. agent1001 rings out
    but stays Available and ready (no delay): the next offer is agent1002, not agent1001."""
    box = make_box(agent1001=RINGS_OUT)
    box.agent("agent1001", PS, position=1, no_answer_delay_time=0, max_no_answer=5)
    box.agent("agent1002", PS, position=2)
    caller = box.call("0912000021", key="3", queue_patience=600, talk_time=60)
    box.wait(lambda: box.actions("bridge-agent-start"))
    assert _offered(box) == ["agent1001@hotline1022", "agent1002@hotline1022"]
    variables = caller.channel.variables
    assert (variables["cc_last_agent_tier_position"], variables["cc_last_agent_tier_level"]) \
        == ("2", "1")


def test_top_down_starts_from_the_top_when_no_tier_follows(make_box) -> None:
    """members_callback: when the query after the last tier returns no row at all, both
    variables are unset, so the next pass offers the first tier again."""
    box = make_box(agent1001=RINGS_OUT)
    box.agent("agent1001", PS, position=1, no_answer_delay_time=0, max_no_answer=5)
    caller = box.call("0912000022", key="3", queue_patience=600)
    box.wait(lambda: len(box.actions("agent-offering")) == 2, timeout=20)
    assert _offered(box) == ["agent1001@hotline1022"] * 2
    assert caller.channel.variables["cc_last_agent_tier_position"] == "1"


# -- an agent who does not answer -------------------------------------------------------------

def test_agent_leg_timing_out(make_box) -> None:
    """ALLOTTED_TIMEOUT (602 in switch_types.h) reports hangup_cause_q850 16
    (switch_channel_cause_q850: causes above 127 are NORMAL_CLEARING); mod_callcenter's
    agent-max-no-answer and bridge-agent-fail come from lines 2176 and 2200 on master
    (hotline_no_answer_next_agent); leg_timeout=4 ends the leg once 5 whole seconds have
    passed since the originate began (`elapsed > limit`, epoch seconds:
    switch_ivr_originate.c check_per_channel_timeouts)."""
    box = make_box(agent1001=RINGS_OUT)
    box.observer.send("event plain CHANNEL_CREATE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE")
    box.agent("agent1001", max_no_answer=1)
    _caller_straight_into_f0(box, "0912000023")
    box.wait(lambda: box.actions("bridge-agent-fail"))

    def leg(name: str) -> Event:
        return next(e for e in box.events if e.name == name and "agent1001" in
                    e.get("Channel-Name", ""))

    box.wait(lambda: any(e.name == "CHANNEL_HANGUP_COMPLETE" for e in box.events))
    done = leg("CHANNEL_HANGUP_COMPLETE")
    assert (done["variable_hangup_cause"], done["variable_hangup_cause_q850"]) == (
        "ALLOTTED_TIMEOUT", "16")
    lines = {e.cc("Action"): e["Event-Calling-Line-Number"] for e in box.events
             if e.cc("Action") in ("agent-max-no-answer", "bridge-agent-fail")}
    assert lines == {"agent-max-no-answer": "2176", "bridge-agent-fail": "2200"}
    created, hungup = _seconds(leg("CHANNEL_CREATE")), _seconds(leg("CHANNEL_HANGUP"))
    assert math.floor(hungup) == math.floor(created) + 5 and hungup % 1 < 0.25


def test_originate_timeout_counts_whole_seconds_too(make_box) -> None:
    """Without leg_timeout the originate's own limit applies, `elapsed >= timelimit_sec`
    (switch_ivr_originate.c switch_ivr_originate): mod_callcenter's agent originate
    timeout of 3 ends the leg at the third second boundary, NO_ANSWER."""
    box = make_box(agent1001=RINGS_OUT)
    box.observer.send("event plain CHANNEL_CREATE CHANNEL_HANGUP")
    box.sim.callcenter.model.settings.agent_originate_timeout = 3
    name = box.agent("agent1001")
    box.cc(f"agent set contact {name} sofia/external/agent1001@127.0.0.1:5071")
    _caller_straight_into_f0(box, "0912000024")
    box.wait(lambda: box.actions("bridge-agent-fail"))
    assert box.actions("bridge-agent-fail")[0].cc("Hangup-Cause") == "NO_ANSWER"
    created, hungup = (_seconds(next(e for e in box.events if e.name == kind and "agent1001"
                                     in e.get("Channel-Name", "")))
                       for kind in ("CHANNEL_CREATE", "CHANNEL_HANGUP"))
    assert math.floor(hungup) == math.floor(created) + 3 and hungup % 1 < 0.25


# -- the end of a bridge ------------------------------------------------------------------------

def test_the_end_of_a_bridge_is_noticed_at_the_next_100_ms_tick(make_box) -> None:
    """outbound_agent_thread_run looks at the agent's channel every 100 ms
    (switch_yield(100000)) from the moment the bridge is up: an agent hanging up 350 ms into
    the call is reported at the 400 ms tick (hotline captures: 20-100 ms after the hangup)."""
    box = make_box(speed=2.0, agent1001=PhoneBehaviour(answer_after=0.1))
    box.observer.send("event plain CHANNEL_HANGUP")
    box.agent("agent1001")
    box.sim.inbound_call(Caller("0912000025", "Khách", destination="hotline_key_1",
                                key=None, talk_time=600))
    box.wait(lambda: any(e.cc("Agent-State") == "In a queue call"
                         for e in box.actions("agent-state-change")))
    talking = _seconds(next(e for e in box.actions("agent-state-change")
                            if e.cc("Agent-State") == "In a queue call"))
    gevent.sleep(box.sim.real(talking + 0.35 - box.sim.clock()))
    agent = next(s for s in box.sim.sessions.values() if "agent1001" in s.channel.name)
    agent.hangup_from_outside("NORMAL_CLEARING")
    box.wait(lambda: box.actions("bridge-agent-end"))
    hungup = _seconds(next(e for e in box.events if e.name == "CHANNEL_HANGUP"
                           and "agent1001" in e.get("Channel-Name", "")))
    ended = _seconds(box.actions("bridge-agent-end")[0])
    assert 0.03 <= ended - hungup <= 0.12
    assert ended - talking == pytest.approx(0.4, abs=0.04)


# -- the caller's channel -----------------------------------------------------------------------

def test_dtmf_duration_is_the_length_of_the_callers_tone(make_box) -> None:
    """switch_rtp.c handle_rfc2833 takes the RFC 2833 end packet's duration (8 kHz units),
    switch_channel_dequeue_dtmf reports it: SIPp's 280 ms tones read 2240 in every capture."""
    box = make_box()
    box.observer.send("event plain DTMF")
    box.call("0912000026", queue_patience=0.5)
    box.sim.inbound_call(Caller("0912000027", "Khách", key="1", key_delay=0.3, tone_ms=100,
                                queue_patience=0.5))
    box.wait(lambda: len([e for e in box.events if e.name == "DTMF"]) == 2)
    durations = {e["Caller-Caller-ID-Number"]: e["DTMF-Duration"] for e in box.events
                 if e.name == "DTMF"}
    assert durations == {"0912000026": "2240", "0912000027": "800"}


def test_transfer_history_keeps_every_transfer_and_bridge(make_box) -> None:
    """switch_ivr_session_transfer pushes each transfer (`bl_xfer`) onto transfer_history and
    switch_ivr_uuid_bridge each side's `uuid_br` entry (hotline captures): two entries or more
    are `ARRAY::a|:b`."""
    box = make_box()
    box.agent("agent1001")
    caller = box.call("0912000028", talk_time=60)
    box.wait(lambda: caller.phase == "bridged")
    agent = caller.bridged_to
    assert agent is not None
    first, bridged = caller.channel.variables["transfer_history"][7:].split("|:")
    assert caller.channel.variables["transfer_history"].startswith("ARRAY::")
    assert first.endswith(":bl_xfer:hotline_key_1/public/XML")
    assert bridged.endswith(f":uuid_br:{agent.channel.uuid}")
    assert agent.channel.variables["transfer_history"].endswith(
        f":uuid_br:{caller.channel.uuid}")
    assert agent.channel.variables["transfer_history"].count(":uuid_br:") == 1


def test_a_second_transfer_makes_transfer_history_an_array(make_box) -> None:
    box = make_box()
    caller = box.call("0912000029", queue_patience=600)
    box.wait(lambda: caller.phase == "queued")
    box.observer.api(f"uuid_transfer {caller.channel.uuid} hotline_key_2 XML public")
    box.wait(lambda: caller.channel.variables.get("cc_queue") == "epidemic_report@hotline1022")
    history = caller.channel.variables["transfer_history"]
    assert history.startswith("ARRAY::") and len(history[7:].split("|:")) == 2


# -- event formats ------------------------------------------------------------------------------

def test_multi_valued_headers_are_arrays_in_json_and_repeated_in_xml() -> None:
    """switch_event_base_add_header makes an `ARRAY::` value an array header
    (switch_event_add_array); switch_event_serialize_json_obj writes it as a JSON array
    (the real switch: `"variable_DP_MATCH": ["1022","1022"]`), switch_event_xmlize one
    element per item, switch_event_serialize its text."""
    headers = [("variable_DP_MATCH", "ARRAY::1022|:1022"), ("variable_one", "ARRAY::solo"),
               ("variable_short", "ARRAY::"), ("Plain", "a|:b")]
    obj = json.loads(wire.serialize_json(headers))
    assert obj == {"variable_DP_MATCH": ["1022", "1022"], "variable_one": ["solo"],
                   "variable_short": "ARRAY::", "Plain": "a|:b"}
    xml = wire.serialize_xml(headers).decode()
    assert xml.count("<variable_DP_MATCH>1022</variable_DP_MATCH>") == 2
    assert "<variable_one>solo</variable_one>" in xml
    plain = wire.serialize_plain(headers).decode()
    assert "variable_DP_MATCH: ARRAY%3A%3A1022%7C%3A1022\n" in plain
    assert "variable_one: solo\n" in plain and "variable_short: ARRAY%3A%3A\n" in plain


# -- the member thread --------------------------------------------------------------------------

def _waited(box: Box) -> tuple[float, str]:
    start, end = box.actions("member-queue-start")[0], box.actions("member-queue-end")[0]
    return _seconds(end) - _seconds(start), end.cc("Cancel-Reason") or ""


def test_max_wait_time_ends_the_music_within_half_a_second(make_box) -> None:
    """cc_member_thread_run checks max-wait-time every 500 ms and breaks the music
    (CF_BREAK): with a file as hold music (the hotline's), a 3 s limit ends the wait at 3 s,
    not when the file has played."""
    box = make_box()
    queue = box.sim.callcenter.model.get_queue(F0)
    queue.moh_sound, queue.max_wait_time = "local_stream://moh", 3
    box.call("0912000030", queue_patience=600)
    box.wait(lambda: box.actions("member-queue-end"))
    waited, reason = _waited(box)
    assert reason == "TIMEOUT" and 2.0 <= waited <= 4.2


def test_no_agent_timeout_counts_from_the_last_agent_seen_plus_the_grace(make_box) -> None:
    """max-wait-time-with-no-agent: the dispatcher records when the queue last had an agent
    (members_callback: last_agent_exist, last_agent_exist_check); the member thread ends
    the wait once that is max-wait-time-with-no-agent ago and the caller has waited that plus
    -time-reached (cc_member_thread_run). No agent ever: 2 + 3 s, counted in whole seconds
    (switch_epoch_time_now), so from 4 s (a caller who came at x.9 s) to 5.5 s and a poll."""
    box = make_box()
    queue = box.sim.callcenter.model.get_queue(F0)
    queue.max_wait_time_with_no_agent, queue.max_wait_time_with_no_agent_time_reached = 2, 3
    box.call("0912000031", queue_patience=600)
    box.wait(lambda: box.actions("member-queue-end"))
    waited, reason = _waited(box)
    assert reason == "NO_AGENT_TIMEOUT" and 4.0 <= waited <= 6.2


def test_idle_after_the_call_follows_the_status_when_offered(make_box) -> None:
    """outbound_agent_thread_run sets an agent Idle after a call when they were Available (On
    Demand) when the call was offered (h->agent_status), whatever their status is now."""
    box = make_box()
    name = box.agent("agent1001", status="Available (On Demand)")
    caller = box.call("0912000032", talk_time=600)
    box.wait(lambda: box.actions("bridge-agent-start"))
    box.cc(f"agent set status {name} 'Available'")
    caller.hangup_from_outside("NORMAL_CLEARING")
    box.wait(lambda: box.actions("bridge-agent-end"))
    box.wait(lambda: box.actions("agent-state-change")[-1].cc("Agent-State") != "In a queue call")
    assert box.actions("agent-state-change")[-1].cc("Agent-State") == "Idle"


def test_leaving_with_the_exit_key_cancels_the_ringing_agent(make_box) -> None:
    """callcenter_function, for every cancel (the exit key too): the agent still ringing for
    the member is hung up at once, ORIGINATOR_CANCEL
    (switch_core_session_hupall_matching_var on cc_member_pre_answer_uuid)."""
    box = make_box(agent1001=PhoneBehaviour(answer_after=30))
    box.observer.send("event plain CHANNEL_HANGUP")
    box.agent("agent1001")
    caller = box.call("0912000033", queue_patience=600)
    box.observer.api(f"uuid_setvar {caller.channel.uuid} cc_exit_keys 9")
    box.wait(lambda: box.actions("agent-offering"))
    caller.send_dtmf("9")
    box.wait(lambda: box.actions("bridge-agent-fail"))
    assert box.actions("bridge-agent-fail")[0].cc("Hangup-Cause") == "ORIGINATOR_CANCEL"
    assert box.actions("member-queue-end")[0].cc("Cancel-Reason") == "EXIT_WITH_KEY"
    # before member-queue-end, not when the caller's dialplan hangs up after the queue
    order = [e.cc("Action") or e.get("Channel-Name", "") for e in box.events
             if e.name == "CHANNEL_HANGUP" or e.cc("Action") == "member-queue-end"]
    assert "agent1001" in order[0] and order[1] == "member-queue-end"


def test_a_resumed_member_is_the_latest_abandoned_one_joined_now(make_box) -> None:
    """callcenter_function resumes the caller's most recently abandoned member (ORDER BY
    abandoned_epoch DESC) and sets cc_queue_joined_epoch to this join, not the first."""
    box = make_box()
    box.call("0912000034", queue_patience=1)
    box.wait(lambda: box.actions("member-queue-end"))
    model = box.sim.callcenter.model
    (left,) = model.members
    older = dataclasses.replace(left, uuid="older-member", abandoned_epoch=1)
    model.members.insert(0, older)  # an older abandoned row of the same caller, first
    caller = box.call("0912000034", queue_patience=600)
    box.wait(lambda: box.actions("member-queue-resume") and caller.phase == "queued")
    assert box.actions("member-queue-resume")[0].cc("Member-UUID") == left.uuid
    joined = int(caller.channel.variables["cc_queue_joined_epoch"])
    assert joined >= int(_seconds(box.actions("member-queue-resume")[0])) > left.joined_epoch


def test_a_menu_says_enter_and_exit_from_ivr_send_event(make_box) -> None:
    """switch_ivr_menu.c: menu::enter when the menu starts, menu::exit at its end, both from
    ivr_send_event (line 85 on master)."""
    box = make_box()
    box.sim.menus["m"] = Menu(name="m", timeout_ms=100, max_failures=1, max_timeouts=1)
    box.observer.send("event plain CUSTOM menu::enter menu::exit")
    assert box.observer.api("originate sofia/external/agent1009@127.0.0.1:5079 &ivr(m)") \
        .startswith("+OK")
    box.wait(lambda: any(e.get("Event-Subclass") == "menu::exit" for e in box.events))
    menus = [(e["Event-Subclass"], e["Event-Calling-Function"], e["Event-Calling-Line-Number"])
             for e in box.events if e.get("Event-Subclass", "").startswith("menu::")]
    assert menus == [("menu::enter", "ivr_send_event", "85"),
                     ("menu::exit", "ivr_send_event", "85")]
