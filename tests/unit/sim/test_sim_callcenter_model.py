"""The pure parts of the mod_callcenter model: dispatch order, member order, the hash, the XML."""

from __future__ import annotations

import random

import pytest

from callcenter.sim.callcenter_model import (
    Agent,
    CallcenterConf,
    CallcenterModel,
    Member,
    Queue,
    Tier,
    member_base_score,
    member_order,
    members_to_discard,
    offer_order,
)
from callcenter.sim.callcenter_text import separate_string
from callcenter.sim.queue_conf import QueueConfError, parse_callcenter_conf, read_callcenter_conf
from callcenter.sim.runner import DEFAULT_CONF
from callcenter.sim.switch_hash import SwitchHash

CONF = DEFAULT_CONF / "autoload_configs" / "callcenter.conf.xml"
NOW = 10_000


def model_with(strategy: str, *agents: tuple[str, int, int], **queue_params: object) -> (
        CallcenterModel):
    """Queue "q" with the strategy; agents given as (name, level, position), all offerable."""
    queue = Queue(name="q", strategy=strategy, **queue_params)  # type: ignore[arg-type]
    model = CallcenterModel(config=CallcenterConf(queues=[queue]))
    model.load_queue("q")
    for name, level, position in agents:
        model.agents.append(Agent(name=name, type="callback", status="Available"))
        model.tiers.append(Tier(queue="q", agent=name, level=level, position=position))
    return model


def names(agents: list[Agent]) -> list[str]:
    return [a.name for a in agents]


def set_agent(model: CallcenterModel, name: str, **values: object) -> None:
    agent = model.agent(name)
    assert agent is not None
    for key, value in values.items():
        setattr(agent, key, value)


def test_longest_idle_agent_orders_by_level_then_last_bridge_end() -> None:
    m = model_with("longest-idle-agent", ("a", 1, 1), ("b", 1, 2), ("c", 2, 1))
    set_agent(m, "a", last_bridge_end=500)
    set_agent(m, "b", last_bridge_end=100)
    set_agent(m, "c", last_bridge_end=0)
    assert names(offer_order(m, "q", NOW)) == ["b", "a", "c"]


def test_least_talk_time_and_fewest_calls() -> None:
    m = model_with("agent-with-least-talk-time", ("a", 1, 1), ("b", 1, 2))
    set_agent(m, "a", talk_time=90, calls_answered=1)
    set_agent(m, "b", talk_time=30, calls_answered=5)
    assert names(offer_order(m, "q", NOW)) == ["b", "a"]
    m.get_queue("q").strategy = "agent-with-fewest-calls"  # type: ignore[union-attr]
    assert names(offer_order(m, "q", NOW)) == ["a", "b"]


def test_sequentially_by_agent_order_uses_position_then_last_offered() -> None:
    m = model_with("sequentially-by-agent-order", ("a", 1, 2), ("b", 1, 1), ("c", 1, 1))
    set_agent(m, "b", last_offered_call=50)
    set_agent(m, "c", last_offered_call=20)
    assert names(offer_order(m, "q", NOW)) == ["c", "b", "a"]
    m.get_queue("q").strategy = "no-such-strategy"  # type: ignore[union-attr]
    assert names(offer_order(m, "q", NOW)) == ["c", "b", "a"]  # the same fallback


def test_top_down_continues_after_the_members_last_tier() -> None:
    m = model_with("top-down", ("a", 1, 1), ("b", 1, 2), ("c", 1, 3), ("d", 2, 1))
    assert names(offer_order(m, "q", NOW)) == ["a", "b", "c", "d"]
    after_b = offer_order(m, "q", NOW, last_tier_level=1, last_tier_position=2)
    assert names(after_b) == ["c", "d"]  # a and b wait until no agent is found at all


def test_round_robin_starts_after_the_last_offered_agents_position() -> None:
    m = model_with("round-robin", ("a", 1, 1), ("b", 1, 2), ("c", 1, 3))
    assert names(offer_order(m, "q", NOW)) == ["a", "b", "c"]
    set_agent(m, "b", last_offered_call=NOW - 5, status="Logged Out")  # any status counts here
    assert names(offer_order(m, "q", NOW)) == ["c", "a"]


def test_random_shuffles_within_a_level_with_the_given_rng() -> None:
    m = model_with("random", *((f"a{i}", 1, 1) for i in range(6)), ("z", 2, 1))
    first = names(offer_order(m, "q", NOW, random.Random(1)))
    assert first == names(offer_order(m, "q", NOW, random.Random(1)))
    assert sorted(first[:6]) == [f"a{i}" for i in range(6)] and first[6] == "z"
    assert {tuple(names(offer_order(m, "q", NOW, random.Random(s)))) for s in range(5)} != {
        tuple(first)}
    with pytest.raises(ValueError):
        offer_order(m, "q", NOW)


def test_ring_all_returns_every_eligible_agent_by_level_and_position() -> None:
    m = model_with("ring-all", ("a", 2, 1), ("b", 1, 2), ("c", 1, 1))
    assert names(offer_order(m, "q", NOW)) == ["c", "b", "a"]
    set_agent(m, "b", instance_id="other_box")  # ring-all stops at another box's agent
    assert names(offer_order(m, "q", NOW)) == ["c"]


@pytest.mark.parametrize(("change", "offered"), [
    ({}, True),
    ({"status": "Logged Out"}, False),
    ({"status": "On Break"}, False),
    ({"status": "available"}, False),  # the SQL compares status case-sensitively
    ({"status": "Available (On Demand)"}, True),
    ({"state": "Receiving"}, False),
    ({"state": "waiting"}, True),  # agents_callback uses strcasecmp for the state
    ({"last_bridge_end": NOW - 30, "wrap_up_time": 30}, False),
    ({"last_bridge_end": NOW - 31, "wrap_up_time": 30}, True),
    ({"ready_time": NOW + 1}, False),
    ({"ready_time": NOW}, True),
    ({"external_calls_count": 1}, False),
])
def test_agent_eligibility(change: dict[str, object], offered: bool) -> None:
    m = model_with("longest-idle-agent", ("a", 1, 1))
    set_agent(m, "a", **change)
    assert names(offer_order(m, "q", NOW + 0.9)) == (["a"] if offered else [])


@pytest.mark.parametrize(("state", "offered"), [
    ("Ready", True), ("No Answer", True), ("ready", True), ("Offering", False),
    ("Active Inbound", False), ("Standby", False),
])
def test_tier_state_eligibility(state: str, offered: bool) -> None:
    m = model_with("longest-idle-agent", ("a", 1, 1))
    m.tiers[0].state = state
    assert names(offer_order(m, "q", NOW)) == (["a"] if offered else [])


def test_external_calls_only_skip_when_the_queue_says_so() -> None:
    m = model_with("longest-idle-agent", ("a", 1, 1), skip_agents_with_external_calls=False)
    set_agent(m, "a", external_calls_count=2)
    assert names(offer_order(m, "q", NOW)) == ["a"]


def test_tier_rules_wait_before_the_next_level() -> None:
    m = model_with("longest-idle-agent", ("a", 1, 1), ("b", 2, 1), tier_rules_apply=True,
                   tier_rule_wait_second=60, tier_rule_no_agent_no_wait=False)
    assert names(offer_order(m, "q", NOW, member_joined_epoch=NOW - 59)) == []  # level 1 too
    assert names(offer_order(m, "q", NOW, member_joined_epoch=NOW - 60)) == ["a", "b"]
    m.get_queue("q").tier_rule_wait_multiply_level = True  # type: ignore[union-attr]
    assert names(offer_order(m, "q", NOW, member_joined_epoch=NOW - 60)) == ["a"]
    assert names(offer_order(m, "q", NOW, member_joined_epoch=NOW - 120)) == ["a", "b"]


def test_tier_rules_no_agent_no_wait_skips_an_empty_level() -> None:
    m = model_with("longest-idle-agent", ("b", 2, 1), tier_rules_apply=True,
                   tier_rule_wait_second=60)
    assert names(offer_order(m, "q", NOW, member_joined_epoch=NOW)) == ["b"]


def test_member_order_by_score_and_discard() -> None:
    m = model_with("longest-idle-agent")
    m.members += [
        Member(queue="q", uuid="old", joined_epoch=NOW - 100),
        Member(queue="q", uuid="vip", joined_epoch=NOW - 10, base_score=500),
        Member(queue="q", uuid="new", joined_epoch=NOW - 5),
        Member(queue="q", uuid="gone", joined_epoch=NOW - 300, state="Abandoned",
               abandoned_epoch=NOW - 61),
        Member(queue="q", uuid="ringing", joined_epoch=NOW - 1, state="Trying",
               serving_agent="a"),
        Member(queue="other", uuid="elsewhere", joined_epoch=NOW - 1000),
    ]
    assert [x.uuid for x in member_order(m, "q", NOW)] == ["vip", "old", "new"]
    assert [x.uuid for x in members_to_discard(m, NOW)] == ["gone", "elsewhere"]
    queue = Queue(name="q", time_base_score="system")
    assert member_base_score(queue, NOW, answered_epoch=NOW - 7, cc_base_score="3") == 10
    assert member_base_score(Queue(name="q"), NOW, NOW - 7, "3") == 3


def test_switch_hash_iterates_like_freeswitch() -> None:
    h: SwitchHash[int] = SwitchHash()
    for i, key in enumerate(["epidemic_report@hotline1022", "public_services@hotline1022",
                             "f0_home_care@hotline1022"]):
        h.insert(key, i)
    assert list(h) == ["f0_home_care@hotline1022", "public_services@hotline1022",
                       "epidemic_report@hotline1022"]  # buckets 1, 9, 16 of 53
    h.insert("public_services@hotline1022", 9)
    assert len(h) == 3 and h.find("public_services@hotline1022") == 9
    for i in range(40):  # past the load limit of 35: the table grows to 97 buckets
        h.insert(f"q{i}", i)
    assert len(h) == 43 and sorted(h) == sorted({*h}) and h.find("q39") == 39
    assert h.delete("q0") == 0 and h.find("q0") is None


@pytest.mark.parametrize(("line", "argv"), [
    ("agent set status a 'On Break'", ["agent", "set", "status", "a", "On Break"]),
    ('agent set status a "On Break"', ["agent", "set", "status", "a", '"On', 'Break"']),
    ("  a   b  ", ["a", "b"]),
    ("a b\\ c", ["a", "b\\ c"]),  # kept together, but cleanup keeps the backslash
    ("a b\\sc", ["a", "b c"]),
    ("1 2 3 4 5 6 7 8 9 10", ["1", "2", "3", "4", "5", "6", "7", "8 9 10"]),
    ("a 'it''s'", ["a", "its"]),
    ("a don't", ["a", "don't"]),
])
def test_separate_string(line: str, argv: list[str]) -> None:
    assert separate_string(line) == argv


def test_queue_conf_fixture() -> None:
    conf = read_callcenter_conf(CONF)
    assert [q.name for q in conf.queues] == [
        "f0_home_care@hotline1022", "epidemic_report@hotline1022", "public_services@hotline1022"]
    f0 = conf.queues[0]
    assert (f0.tier_rule_wait_second, f0.tier_rule_wait_multiply_level,
            f0.tier_rule_no_agent_no_wait, f0.abandoned_resume_allowed) == (300, True, False, True)
    assert conf.queues[2].strategy == "top-down" and conf.agents is None and conf.tiers is None


def test_queue_params_parse_like_switch_xml_config() -> None:
    conf = parse_callcenter_conf("""
      <configuration name="callcenter.conf">
        <settings><param name="Reserve-Agents" value="yes"/>
          <param name="agent-originate-timeout" value="0"/></settings>
        <queues><queue name="q">
          <param name="Strategy" value="round-robin"/>
          <param name="no-such-param" value="1"/>
          <param name="max-wait-time" value="90000"/>
          <param name="discard-abandoned-after" value="1x"/>
          <param name="tier-rule-wait-second" value="12.7"/>
          <param name="tier-rules-apply" value="maybe"/>
          <param name="tier-rule-no-agent-no-wait" value="off"/>
          <param name="moh-sound" value="$${hold_music}"/>
          <param name="agent-no-answer-status" value="bogus"/>
          <param name="record-template" value="x"/><param name="record-template" value=""/>
        </queue></queues>
        <agents><agent name="1000@default" type="callback"/></agents>
      </configuration>""", variables={"hold_music": "local_stream://moh"})
    q = conf.queues[0]
    assert q.strategy == "round-robin" and q.max_wait_time == 0  # out of range: default
    assert q.discard_abandoned_after == 60 and q.tier_rule_wait_second == 12
    assert q.tier_rules_apply is False and q.tier_rule_no_agent_no_wait is False
    assert q.moh_sound == "local_stream://moh" and q.record_template is None
    assert conf.settings.reserve_agents and conf.settings.agent_originate_timeout == 60
    assert conf.agents == [{"name": "1000@default", "type": "callback"}]
    model = CallcenterModel(config=conf)
    assert model.get_queue("Q").agent_no_answer_status == "On Break"  # type: ignore[union-attr]


def test_bad_xml_raises_a_clear_error() -> None:
    with pytest.raises(QueueConfError, match="not well-formed"):
        parse_callcenter_conf("<configuration><queues>")
    with pytest.raises(QueueConfError, match=r"callcenter\.conf"):
        parse_callcenter_conf("<document/>")
