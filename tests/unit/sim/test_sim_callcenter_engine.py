"""mod_callcenter's behaviour beyond the captures, through the simulator's Event Socket:
no-answer and max-no-answer, busy and reject delays, a caller who leaves while the agent
rings, max-wait-time, exit keys, priority by cc_base_score, ring-all, resume after abandon,
On Demand agents, hold; and `callcenter simulate` carrying calls on its own."""

from __future__ import annotations

import gevent
import pytest

from callcenter.sim.people import PhoneBehaviour, Phones
from callcenter.sim.runner import Simulation, add_agents, build_switch, run
from tests.support.engine_box import F0, SPEED, Box
from tests.support.waiting import events_delivered


@pytest.fixture
def make_box():
    boxes: list[Box] = []

    def make(**phones: PhoneBehaviour) -> Box:
        box = Box(Phones(default=PhoneBehaviour(answer_after=0.5), by_user=phones))
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


def test_no_answer_reaches_max_no_answer_and_puts_the_agent_on_break(make_box) -> None:
    box = make_box(agent1001=PhoneBehaviour(action="no_answer"))
    box.agent("agent1001", max_no_answer=1, no_answer_delay_time=30)
    box.call("0912000001", queue_patience=600)
    box.wait(lambda: any(e.cc("Agent-State") == "Waiting"
                         for e in box.actions("agent-state-change")))
    fail = box.actions("bridge-agent-fail")[0]
    assert fail.cc("Hangup-Cause") == "ALLOTTED_TIMEOUT"  # leg_timeout=4 expired
    # outbound_agent_thread_run: max-no-answer and its status change, then bridge-agent-fail.
    actions = [e.cc("Action") for e in box.events if e.cc("Action")]
    at = actions.index("agent-max-no-answer")
    assert actions[at:at + 4] == ["agent-max-no-answer", "agent-status-change",
                                  "bridge-agent-fail", "agent-state-change"]
    assert box.actions("agent-status-change")[-1].cc("Agent-Status") == "On Break"
    assert box.cc("agent get status agent1001@hotline1022") == "On Break"
    assert "|Waiting|" in box.cc(f"queue list members {F0}")  # the caller still waits


def test_answering_zeroes_the_no_answer_count(make_box) -> None:
    """max-no-answer counts no-answers in a row: the bridge sets no_answer_count = 0."""
    box = make_box(agent1001=PhoneBehaviour(action="no_answer"))
    name = box.agent("agent1001", max_no_answer=2, no_answer_delay_time=20)

    def counts() -> tuple[str, str]:
        header, row = box.cc(f"agent list {name}").splitlines()[:2]
        agent = dict(zip(header.split("|"), row.split("|"), strict=True))
        return agent["no_answer_count"], agent["calls_answered"]

    box.call("0912000011", queue_patience=600, talk_time=1)
    box.wait(lambda: box.actions("bridge-agent-fail"))
    assert counts() == ("1", "0")
    box.sim.phones.by_user["agent1001"] = PhoneBehaviour(answer_after=0.5)  # the retry
    box.wait(lambda: counts() == ("0", "1"))
    assert box.cc(f"agent get status {name}") == "Available"


def test_busy_agent_waits_busy_delay_and_the_next_agent_answers(make_box) -> None:
    box = make_box(agent1001=PhoneBehaviour(action="busy"))
    box.agent("agent1001", position=1, busy_delay_time=60)
    box.agent("agent1002", position=2)
    box.cc("agent set status agent1001@hotline1022 'Available'")
    box.call("0912000002")
    box.wait(lambda: box.actions("bridge-agent-start"))
    assert [e.cc("Hangup-Cause") for e in box.actions("bridge-agent-fail")] == ["USER_BUSY"]
    assert box.actions("bridge-agent-start")[0].cc("Agent") == "agent1002@hotline1022"


def test_caller_leaving_while_the_agent_rings(make_box) -> None:
    box = make_box(agent1001=PhoneBehaviour(answer_after=30))
    box.agent("agent1001")
    box.call("0912000003", queue_patience=2)
    box.wait(lambda: box.actions("member-queue-end"))
    assert box.actions("bridge-agent-fail")[0].cc("Hangup-Cause") == "ORIGINATOR_CANCEL"
    end = box.actions("member-queue-end")[0]
    assert (end.cc("Cause"), end.cc("Cancel-Reason")) == ("Cancel", "BREAK_OUT")


def test_max_wait_time_ends_the_wait_with_timeout(make_box) -> None:
    box = make_box()
    box.sim.callcenter.model.get_queue(F0).max_wait_time = 3
    box.call("0912000004", queue_patience=600)
    box.wait(lambda: box.actions("member-queue-end"))
    assert box.actions("member-queue-end")[0].cc("Cancel-Reason") == "TIMEOUT"


def test_exit_key_leaves_the_queue(make_box) -> None:
    box = make_box()
    session = box.call("0912000005", queue_patience=600)
    box.observer.api(f"uuid_setvar {session.channel.uuid} cc_exit_keys 9")  # in the IVR
    box.wait(lambda: box.actions("member-queue-start"))
    session.send_dtmf("9")
    box.wait(lambda: box.actions("member-queue-end"))
    assert box.actions("member-queue-end")[0].cc("Cancel-Reason") == "EXIT_WITH_KEY"
    assert session.channel.variables["cc_exit_key"] == "9"


def test_base_score_serves_a_priority_caller_first(make_box) -> None:
    box = make_box()
    box.call("0912000006", queue_patience=600)
    box.wait(lambda: len(box.actions("member-queue-start")) == 1)
    priority = box.call("0912000007", queue_patience=600)
    priority.channel.variables["cc_base_score"] = "600"  # as the daemon's IVR would set it
    box.wait(lambda: len(box.actions("member-queue-start")) == 2)
    box.agent("agent1001")
    box.wait(lambda: box.actions("bridge-agent-start"))
    assert box.actions("bridge-agent-start")[0].cc("Member-CID-Number") == "0912000007"


def test_ring_all_first_answer_wins(make_box) -> None:
    box = make_box(agent1001=PhoneBehaviour(answer_after=3), agent1002=PhoneBehaviour(
        answer_after=0.5))
    box.sim.callcenter.model.get_queue(F0).strategy = "ring-all"
    box.agent("agent1001")
    box.agent("agent1002")
    box.call("0912000008")
    box.wait(lambda: box.actions("bridge-agent-start") and box.actions("bridge-agent-fail"))
    assert box.actions("bridge-agent-start")[0].cc("Agent") == "agent1002@hotline1022"
    assert box.actions("bridge-agent-fail")[0].cc("Hangup-Cause") == "LOSE_RACE"
    assert len(box.actions("agent-offering")) == 2


def test_abandoned_caller_who_calls_back_keeps_the_place(make_box) -> None:
    box = make_box()
    box.call("0912000009", queue_patience=1)
    box.wait(lambda: box.actions("member-queue-end"))
    first = box.actions("member-queue-start")[0].cc("Member-UUID")
    box.call("0912000009", queue_patience=600)
    box.wait(lambda: box.actions("member-queue-resume"))
    assert box.actions("member-queue-resume")[0].cc("Member-UUID") == first


def test_on_demand_agent_goes_idle_after_a_call(make_box) -> None:
    box = make_box()
    box.agent("agent1001", status="Available (On Demand)")
    box.call("0912000010", talk_time=1)
    box.wait(lambda: any(e.cc("Agent-State") == "Idle"
                         for e in box.actions("agent-state-change")))


@pytest.mark.parametrize("held_leg", ["caller", "agent"])
def test_hold_plays_the_music_to_the_other_party(make_box, held_leg: str) -> None:
    """switch_ivr_hold: the held leg's media stops and its partner hears the hold music
    (captures hotline_hold_caller_leg, hotline_hold_agent_leg)."""
    box = make_box()
    box.agent("agent1001")
    session = box.call("0912000011", talk_time=60)
    box.wait(lambda: box.actions("bridge-agent-start"))
    caller = session.channel.uuid
    agent = box.actions("bridge-agent-start")[0].cc("Agent-UUID")
    held, partner = (caller, agent) if held_leg == "caller" else (agent, caller)
    before = len(box.events)

    def music() -> list[str | None]:
        return [e.get("Playback-File-Path") for e in box.events[before:]
                if e.name == "PLAYBACK_START" and e.get("Unique-ID") == partner]

    assert box.observer.api(f"uuid_hold {held}") == "+OK Success\n"
    box.wait(music)
    assert music() == ["local_stream://moh"]
    assert box.sim.sessions[held].channel.call_state == "HELD"
    assert box.observer.api(f"uuid_hold off {held}") == "+OK Success\n"
    box.wait(lambda: [(e.name, e.get("Unique-ID")) for e in box.events
                      if e.name in ("CHANNEL_HOLD", "CHANNEL_UNHOLD", "PLAYBACK_STOP")][-3:] == [
        ("CHANNEL_HOLD", held), ("PLAYBACK_STOP", partner), ("CHANNEL_UNHOLD", held)])
    assert box.sim.sessions[held].channel.call_state == "ACTIVE"


def test_simulate_carries_calls_on_its_own() -> None:
    """`callcenter simulate` for a few seconds: callers arrive, agents answer."""
    sim = Simulation(port=0, speed=SPEED, agents=2, seed=3)
    sim.mix.rate_per_minute = 120
    runner = gevent.spawn(run, sim, 2.0)
    switch = runner.get(timeout=20)
    assert switch.sessions_since_startup >= 5
    assert switch.callcenter is not None
    answered = sum(a.calls_answered for a in switch.callcenter.model.agents)
    assert answered >= 1


def test_add_agents_puts_them_on_every_queue() -> None:
    switch = build_switch(Simulation())
    names = add_agents(switch, 2, "hotline1022")
    assert names == ["agent1001@hotline1022", "agent1002@hotline1022"]
    tiers = switch.api("callcenter_config", "tier list")
    assert tiers.count("agent1001@hotline1022") == 3
    switch.callcenter.stop()


def test_periodic_announcement_while_waiting(make_box) -> None:
    box = make_box()
    queue = box.sim.callcenter.model.get_queue(F0)
    queue.announce_sound, queue.announce_frequency = "hotline/please_hold.wav", 2
    box.observer.send("event plain PLAYBACK_START")
    box.call("0912000012", queue_patience=7)
    box.wait(lambda: box.actions("member-queue-end"))
    played = [e.get("Playback-File-Path") for e in box.events if e.name == "PLAYBACK_START"]
    assert played.count("hotline/please_hold.wav") >= 2


def _waiting(box: Box) -> int:
    return sum(m.queue == F0 and m.state == "Waiting" for m in box.sim.callcenter.model.members)


def test_one_agent_is_offered_one_caller_at_a_time(make_box) -> None:
    """mod_callcenter marks the agent Receiving inside the dispatcher, before the agent leg
    starts: callers who joined together are not all offered to the one Available agent."""
    box = make_box()
    box.agent("agent1001", wrap_up_time=0)
    for n in range(3):
        box.call(f"091234560{n}", talk_time=40)
    box.wait(lambda: len(box.actions("bridge-agent-start")) >= 1)
    model = box.sim.callcenter.model
    box.wait(lambda: _waiting(box) == 2)
    # The first caller talks. The dispatcher passes over the two waiting callers every 100 ms
    # (each pass stamps the queue's last_agent_exist_check with its second): after three
    # simulated seconds of passes they would have been offered, had they been offerable.
    since = int(box.sim.clock())
    box.wait(lambda: model.get_queue(F0).last_agent_exist_check >= since + 3)
    events_delivered(box.observer)
    assert len(box.actions("agent-offering")) == 1  # the others wait their turn
    assert _waiting(box) == 2 and len(box.actions("bridge-agent-start")) == 1
    box.wait(lambda: len(box.actions("bridge-agent-start")) == 3, timeout=30)
    starts = [e.get("CC-Member-Session-UUID") for e in box.actions("bridge-agent-start")]
    assert len(set(starts)) == 3
