"""The CDR parser (pure): mod_json_cdr's files, rebuilt from the real switch's captures
(tests/fixtures/cdr/README.md), give the calls the live state gives for the same channels."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from callcenter.cdr.parse import MalformedCdr, cdr_effects, parse_cdr
from callcenter.state import LiveState, apply
from callcenter.state.effects import CallbackOwed, CallChanged
from callcenter.state.model import CallState, QueueLeg
from tests.support import cdr
from tests.support.fidelity import captured_events

QUEUES = {"f0_home_care": "f0_home_care@hotline1022",
          "epidemic_report": "epidemic_report@hotline1022"}


def _parse(document: dict) -> CallState | None:
    return parse_cdr(cdr.text(document), QUEUES)


def test_an_answered_call() -> None:
    call = _parse(cdr.load("answered"))
    assert call is not None
    assert (call.uuid, call.caller_number, call.caller_name, call.destination) == (
        "efef3a6c-d9af-4e3a-873d-b6f3199aaf16", "0912345678", "Nguyen Van A", "1022")
    assert (call.menu_choice, call.queue, call.agent, call.result, call.hangup_cause) == (
        "1", "f0_home_care@hotline1022", "nurse1@hotline1022", "answered", "NORMAL_CLEARING")
    assert call.agent_leg == "fe3a066e-8ed9-426f-96ae-4e2a1af0fb06"
    assert (call.started_us, call.queued_us, call.answered_us, call.ended_us) == (
        1796229784726860, 1796229791_000000, 1796229791466839, 1796229802726866)
    assert call.recording and call.recording.endswith(f"{call.uuid}.wav")
    assert cdr_effects(call) == [CallChanged(call)]


def test_abandoned_and_callback_key_owe_a_callback() -> None:
    abandoned = _parse(cdr.load("abandoned"))
    assert abandoned is not None and (abandoned.result, abandoned.cancel_reason) == (
        "abandoned", None)
    assert [e for e in cdr_effects(abandoned) if isinstance(e, CallbackOwed)] == [
        CallbackOwed("0915000005", "f0_home_care@hotline1022", abandoned.uuid, "abandoned")]
    pressed = _parse(cdr.load("callback_key"))
    assert pressed is not None and (pressed.result, pressed.cancel_reason) == (
        "overflow", "EXIT_WITH_KEY")
    assert [e.reason for e in cdr_effects(pressed) if isinstance(e, CallbackOwed)] == [
        "requested"]


def test_a_hangup_in_the_menu_has_no_topic_and_a_chosen_one_keeps_it() -> None:
    menu = _parse(cdr.load("menu_hangup"))
    assert menu is not None and (menu.result, menu.queue, menu.menu_choice) == (
        "ivr_hangup", None, None)
    assert cdr_effects(menu) == [CallChanged(menu)]
    chose = cdr.load("menu_hangup")  # key 2 pressed, hung up before the queue
    chose["variables"].update(hotline_key="2", hotline_topic="epidemic_report")
    call = _parse(chose)
    assert call is not None and (call.result, call.queue, call.menu_choice) == (
        "ivr_hangup", "epidemic_report@hotline1022", "2")
    assert cdr_effects(call) == [CallChanged(call)]  # no callback: never in the queue


def test_the_static_menu_while_the_daemon_was_down() -> None:
    call = _parse(cdr.load("static_menu"))
    assert call is not None and (call.result, call.agent, call.menu_choice) == (
        "answered", "nurse1@hotline1022", None)


def test_an_agents_leg_is_no_call() -> None:
    assert _parse(cdr.load("agent_leg")) is None
    outbound = cdr.load("answered")
    outbound["channel_data"]["direction"] = "outbound"
    assert _parse(outbound) is None


@pytest.mark.parametrize("name, scenario", [
    ("answered", "hotline_ivr_key1_answered"), ("abandoned", "hotline_no_agent_abandoned"),
    ("callback_key", "hotline_callback_key"), ("menu_hangup", "hotline_ivr_menu_hangup"),
    ("static_menu", "hotline_static_menu_fallback")])
def test_the_same_call_as_the_live_state_makes_of_its_events(name: str, scenario: str) -> None:
    state = LiveState()
    ended: dict[str, CallState] = {}
    for event in captured_events(f"hotline/{scenario}"):
        for effect in apply(state, event):
            if isinstance(effect, CallChanged) and effect.call.ended_us:
                ended[effect.call.uuid] = effect.call
    call = _parse(cdr.load(name))
    assert call is not None
    live = ended[call.uuid]
    fields = ("caller_number", "queue", "agent", "agent_leg", "result", "cancel_reason",
              "hangup_cause", "member_uuid")
    assert [getattr(call, f) for f in fields] == [getattr(live, f) for f in fields]
    for when in ("started_us", "queued_us", "answered_us", "ended_us"):
        a, b = getattr(call, when), getattr(live, when)
        assert (a is None) == (b is None) and (a is None or abs(a - b) < 1_000_000), when


def test_values_encoded_by_default_are_decoded() -> None:
    """mod_json_cdr's encode-values defaults to true (the hotline's template turns it off):
    every variable URL-encoded, as switch_ivr_set_json_chan_vars does."""
    document = cdr.load("answered")
    document["variables"] = {k: quote(v, safe="") for k, v in document["variables"].items()}
    assert document["variables"]["cc_queue"] == "f0_home_care%40hotline1022"
    call = _parse(document)
    assert call is not None and call.queue == "f0_home_care@hotline1022"
    assert call.agent == "nurse1@hotline1022"


@pytest.mark.parametrize("text, reason", [
    ("", "not JSON"), ('{"variables": {"uuid": "x"', "not JSON"),  # half written
    ("[1, 2]", "no `variables`"), ('{"variables": []}', "no `variables`"),
    ('{"variables": {"direction": "inbound"}}', "no `uuid`"),
])
def test_malformed_files_say_why(text: str, reason: str) -> None:
    with pytest.raises(MalformedCdr, match=reason):
        parse_cdr(text, QUEUES)


def test_malformed_parts_of_a_cdr_say_why() -> None:
    no_callflow = cdr.load("answered")
    del no_callflow["callflow"]
    with pytest.raises(MalformedCdr, match="no `callflow`"):
        _parse(no_callflow)
    bad_time = cdr.load("answered")
    bad_time["variables"]["end_uepoch"] = "soon"
    with pytest.raises(MalformedCdr, match="end_uepoch"):
        _parse(bad_time)
    with pytest.raises(MalformedCdr, match="not JSON"):
        parse_cdr(b"\xff\xfe", QUEUES)
    assert json.loads(cdr.text(cdr.load("answered")))  # the fixtures themselves are whole


def test_a_queued_call_has_the_leg_of_its_queue() -> None:
    """One call_leg, as live: the member uuid, the queue, its agent, when it ended and why."""
    answered = _parse(cdr.load("answered"))
    assert answered is not None and answered.legs == [QueueLeg(
        member_uuid="ffca990c-cf6e-4459-be40-683d0c341dd8", queue="f0_home_care@hotline1022",
        queued_us=1796229791_000000, answered_us=1796229791466839, agent="nurse1@hotline1022",
        agent_leg="fe3a066e-8ed9-426f-96ae-4e2a1af0fb06", ended_us=1796229802726866,
        cause="Terminated")]
    abandoned = _parse(cdr.load("abandoned"))  # hung up waiting: the leg ends with the call
    assert abandoned is not None and [(leg.agent, leg.ended_us, leg.cause)
                                      for leg in abandoned.legs] == [
        (None, 1796230079746844, "BREAK_OUT")]
    pressed = _parse(cdr.load("callback_key"))  # left the queue, then heard the goodbye
    assert pressed is not None and [(leg.agent, leg.ended_us, leg.cause)
                                    for leg in pressed.legs] == [
        (None, 1796231955_000000, "EXIT_WITH_KEY")]
    assert cdr_effects(answered) == [CallChanged(answered)]
    effect = cdr_effects(answered)[0]
    assert isinstance(effect, CallChanged) and effect.call.legs[0] is not answered.legs[0]


def test_no_leg_without_a_queue() -> None:
    chose = cdr.load("menu_hangup")  # a topic chosen, hung up before its queue
    chose["variables"].update(hotline_key="2", hotline_topic="epidemic_report")
    for document in (cdr.load("menu_hangup"), chose):
        call = _parse(document)
        assert call is not None and call.legs == []


def _captured_cdr(scenario: str) -> tuple[dict, CallState]:
    """The caller's CDR rebuilt from a capture (as tests/fixtures/cdr are), and the call the
    live state made of the same events."""
    events = captured_events(f"hotline/{scenario}")
    state, ended = LiveState(), {}
    for event in events:
        for effect in apply(state, event):
            if isinstance(effect, CallChanged) and effect.call.ended_us:
                ended[effect.call.uuid] = effect.call
    (uuid,) = ended
    return cdr.cdr_document([e for e in events if e.get("Unique-ID") == uuid]), ended[uuid]


@pytest.mark.parametrize("scenario", [
    "hotline_ivr_key1_answered", "hotline_no_agent_abandoned", "hotline_callback_key",
    "hotline_ivr_menu_hangup", "hotline_static_menu_fallback", "hotline_transfer_to_queue",
    "hotline_no_answer_next_agent", "hotline_ivr_resume_breakout", "hotline_hold_caller_leg",
    "hotline_hold_agent_leg"])
def test_the_leg_is_the_live_states_last(scenario: str) -> None:
    """A transferred call (hotline_transfer_to_queue) has a leg per queue live, and in its CDR
    the last queue's variables only: its last leg."""
    document, live = _captured_cdr(scenario)
    call = _parse(document)
    assert call is not None and len(call.legs) == min(len(live.legs), 1)
    assert call.agent == live.agent
    for leg, seen in zip(call.legs, live.legs[-1:], strict=True):
        fields = ("member_uuid", "queue", "agent", "agent_leg", "cause")
        assert [getattr(leg, f) for f in fields] == [getattr(seen, f) for f in fields]
        for when in ("queued_us", "answered_us", "ended_us"):
            a, b = getattr(leg, when), getattr(seen, when)
            assert (a is None) == (b is None) and (a is None or abs(a - b) < 1_000_000), when


def test_an_earlier_queues_agent_is_not_the_last_queues() -> None:
    """Transferred on and hung up before the next queue's agent answered: mod_callcenter
    cleared cc_agent_bridged at the join (callcenter_function) and set the cancel; cc_agent
    and cc_queue_answered_epoch are still the first queue's agent's."""
    document, _ = _captured_cdr("hotline_transfer_to_queue")
    v = document["variables"]
    del v["cc_agent_bridged"]
    v.update(cc_cause="cancel", cc_cancel_reason="BREAK_OUT",
             cc_queue_canceled_epoch=v["end_epoch"])
    call = _parse(document)
    assert call is not None and (call.result, call.agent, call.agent_leg) == (
        "abandoned", None, None)
    assert [(leg.queue, leg.agent, leg.answered_us, leg.cause) for leg in call.legs] == [
        ("epidemic_report@hotline1022", None, None, "BREAK_OUT")]
