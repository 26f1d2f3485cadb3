"""The lead's board (callcenter.lead.board): rows from a hand-built live state, one agency's
part, the difference between two boards and its application on the desktop's side."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from callcenter.lead.board import Inputs, Person, build, diff, scope
from callcenter.lead.tally import LegFacts, Tally, fold_legs
from callcenter.state.model import AgentState, CallState, LiveState, Member, QueueLeg
from protocol.board import apply_board, numbered
from rules.board import board_rules, levels, worst

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = int(datetime(2026, 12, 3, 7, 0, tzinfo=ZONE).timestamp()) * 1_000_000
TODAY = date(2026, 12, 3)
TOPICS = [{"key": "f0", "name_vi": "F0 tại nhà", "name_en": "F0 at home", "menu_key": "1",
           "queue": "f0@d", "service_level_seconds": 20, "agencies": [1],
           "rules": {"board": {"waiting": {"amber": 2, "red": 3}}}},
          {"key": "hc", "name_vi": "Hành chính", "name_en": "Public services", "menu_key": "3",
           "queue": "hc@d", "service_level_seconds": 30, "agencies": [2], "rules": {}}]
PEOPLE = [Person("lan", "Nguyễn Thị Lan", "nurse", 1, "CDC", frozenset({"f0"})),
          Person("mai", "Trần Thị Mai", "nurse", 1, "CDC", frozenset({"f0"})),
          Person("an", "Lê Văn An", "nurse", 1, "CDC", frozenset({"f0"})),
          Person("binh", "Phạm Văn Bình", "clerk", 2, "TTPVHCC", frozenset({"hc"})),
          Person("truong", "Võ Trường", "lead", 1, "CDC", frozenset({"f0"}))]


def live_state() -> LiveState:
    state = LiveState()
    call = CallState("c1", "+84912345678", queue="f0@d", answered_us=NOW - 60_000_000,
                     legs=[QueueLeg("m1", "f0@d", NOW - 70_000_000, answered_us=NOW - 60_000_000,
                                    agent="lan@d")])
    state.calls["c1"] = call
    state.agents["lan@d"] = AgentState("lan@d", "Available (On Demand)", "In a queue call",
                                       NOW - 60_000_000, call="c1", calls_answered=3)
    state.agents["mai@d"] = AgentState("mai@d", "On Break", "Waiting", NOW - 300_000_000)
    state.agents["binh@d"] = AgentState("binh@d", "Available", "Waiting", NOW - 5_000_000,
                                        no_answers=2)
    queue = state.queue("f0@d")
    queue.members["m3"] = Member("m3", "c3", "0912000003", NOW - 30_000_000, base_score=600,
                                 case_id=42)
    queue.members["m2"] = Member("m2", "c2", "0912000002", NOW - 90_000_000)
    state.queue("hc@d").members["m4"] = Member("m4", "c4", "0912000004", NOW - 10_000_000)
    return state


def inputs(state: LiveState, tally: Tally | None = None) -> Inputs:
    return Inputs(state=state, tally=tally or Tally(ZONE), today=TODAY, now_us=NOW, domain="d",
                  topics=TOPICS, people=PEOPLE, reasons={"mai": "meal", "lan": "rest"},
                  acw_until={"an": "2026-12-03T00:01:00+00:00"},
                  callbacks={"f0": (5, 2)})


def test_rows_from_the_live_state() -> None:
    board = build(inputs(live_state()))
    agents = board["agents"]
    assert agents["lan"]["activity"] == "talking" and agents["lan"]["status"] == "Available"
    assert agents["lan"]["reason"] is None  # a reason only while on a break
    assert agents["lan"]["call"] == {"call_uuid": "c1", "topic": "f0",
                                     "caller": "0912 ••• 678",
                                     "answered_at": "2026-12-02T23:59:00+00:00"}  # 06:59 local
    assert (agents["mai"]["activity"], agents["mai"]["reason"]) == ("on_break", "meal")
    assert agents["an"]["activity"] == "logged_out"  # not on the switch at all
    assert agents["binh"]["no_answers"] == 2
    waiting = numbered(board["waiting"])  # the desktop numbers them
    assert [(waiting[m]["position"], waiting[m]["caller"]) for m in ("m2", "m3", "m4")] == \
        [(1, "0912 ••• 002"), (2, "0912 ••• 003"), (1, "0912 ••• 004")]  # per topic
    assert "position" not in board["waiting"]["m2"]  # not sent: it would change for all
    assert waiting["m3"]["returning"] and waiting["m3"]["base_score"] == 600
    f0 = board["queues"]["f0"]
    assert (f0["waiting"], f0["oldest_joined_at"]) == (2, "2026-12-02T23:58:30+00:00")
    assert f0["agents"] == {"available": 0, "ringing": 0, "talking": 1, "wrap_up": 0,
                            "on_break": 1, "logged_out": 2}  # lan, mai; an, truong
    assert (f0["callbacks_owed"], f0["callbacks_overdue"]) == (5, 2)
    assert f0["rules"]["waiting"] == {"amber": 2.0, "red": 3.0}


def test_the_quarter_hours_of_today_and_last_week() -> None:
    tally = Tally(ZONE)
    fold_legs(tally, [LegFacts("a", "f0", NOW, NOW + 5_000_000, None, None),
                      LegFacts("w", "f0", NOW - 7 * 86_400_000_000, None,
                               NOW - 7 * 86_400_000_000 + 40_000_000, "BREAK_OUT")],
              {"f0": (20, 5)})
    board = build(inputs(LiveState(), tally))
    assert board["today"] == {"f0/28": {"topic": "f0", "quarter": 28, "offered": 1,
                                        "answered": 1, "abandoned": 0,
                                        "service_level_pct": 100.0}}  # answered in 5 s
    assert board["last_week"]["f0/28"]["abandoned"] == 1


def test_a_lead_gets_their_agencys_part() -> None:
    board = build(inputs(live_state()))
    cdc = scope(board, {"f0"}, {"lan", "mai", "an", "truong"})
    assert set(cdc["queues"]) == {"f0"} and set(cdc["waiting"]) == {"m2", "m3"}
    assert "binh" not in cdc["agents"]
    assert scope(board, None, None) is board  # an admin's


def test_only_what_changed_is_sent_and_the_desktop_rebuilds_the_same_board() -> None:
    state = live_state()
    before = build(inputs(state))
    state.queue("f0@d").members.pop("m2")
    state.agents["mai@d"].status = "Available"
    after = build(inputs(state))
    changed, removed = diff(before, after)
    assert removed == {"waiting": ["m2"]}
    assert "waiting" not in changed  # m3 moved up, and that is the desktop's to number
    assert set(changed["agents"]) == {"mai"} and set(changed["queues"]) == {"f0"}
    held = apply_board({}, {"full": True, "changed": before})
    assert held["waiting"]["m3"]["position"] == 2
    now = apply_board(held, {"changed": changed, "removed": removed})
    assert now == {**after, "waiting": numbered(after["waiting"])}
    assert now["waiting"]["m3"]["position"] == 1


def test_levels_of_a_topic() -> None:
    rules = board_rules(TOPICS[0]["rules"])
    assert worst(levels({"waiting": 1}, rules)) == "green"
    assert worst(levels({"waiting": 2}, rules)) == "amber"
    assert worst(levels({"waiting": 1, "longest_wait_seconds": 130}, rules)) == "red"
    assert levels({"service_level_pct": 79.9}, rules)["service_level_pct"] == "amber"
    assert levels({"service_level_pct": 70}, rules)["service_level_pct"] == "red"
    assert levels({"service_level_pct": None}, rules)["service_level_pct"] == "green"
