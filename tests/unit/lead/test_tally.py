"""Today's tally of queue legs (callcenter.lead.tally): each count worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from callcenter.lead.tally import LegFacts, Tally, day_start_us, fold_legs, leg_counts

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7, no summer time
S = 1_000_000


def at(day: int, hour: int, minute: int, second: int = 0) -> int:
    """Epoch µs of a local time in Cà Mau, December 2026."""
    return int(datetime(2026, 12, day, hour, minute, second, tzinfo=ZONE).timestamp() * S)


def leg(member: str, queued: int, answered: float | None = None, ended: float | None = None,
        cause: str | None = None, topic: str = "f0") -> LegFacts:
    """A leg joined at `queued`, answered and ended that many seconds after it joined."""
    return LegFacts(member, topic, queued, None if answered is None else
                    queued + int(answered * S), None if ended is None else
                    queued + int(ended * S), cause)


TARGETS = {"f0": (20.0, 5.0), "pa": (30.0, 5.0)}


def test_each_outcome_counts_where_it_should() -> None:
    t0 = at(3, 9, 0)
    assert leg_counts(leg("a", t0, 12, 72, "Terminated"), 20, 5).answered_in_target == 1
    late = leg_counts(leg("b", t0, 25, 85, "Terminated"), 20, 5)
    assert (late.answered, late.answered_in_target, late.wait_us, late.talk_us) == \
        (1, 0, 25 * S, 60 * S)
    assert leg_counts(leg("c", t0, None, 30, "BREAK_OUT"), 20, 5).abandoned == 1
    assert leg_counts(leg("d", t0, None, 4.9, "BREAK_OUT"), 20, 5).short_abandoned == 1
    assert leg_counts(leg("e", t0, None, 120, "NO_AGENT_TIMEOUT"), 20, 5).timed_out == 1
    assert leg_counts(leg("f", t0, None, 40, "MOVED"), 20, 5).moved == 1
    assert leg_counts(leg("g", t0), 20, 5).waiting == 1


def test_the_days_figures_by_hand() -> None:
    """f0: answered in 12 s (talk 60 s) and in 25 s (talk 120 s); abandoned after 30 s; a
    short abandon (3 s); timed out (no agent); one moved on; one still waiting.
    Resolved = 2 answered + 1 abandoned + 1 timed out = 4; service level = 1 / 4 = 25 %;
    abandon rate 1 / 4 = 25 %; ASA (12 + 25) / 2 = 18.5 s; AHT: talk (60 + 120) / 2 = 90 s
    plus after-call work (30 + 50) / 2 = 40 s = 130 s."""
    tally = Tally(ZONE)
    t0 = at(3, 9, 0)
    fold_legs(tally, [leg("a", t0, 12, 72, "Terminated"), leg("b", t0 + S, 25, 145, "Terminated"),
                      leg("c", t0 + 2 * S, None, 30, "BREAK_OUT"),
                      leg("d", t0 + 3 * S, None, 3, "BREAK_OUT"),
                      leg("e", t0 + 4 * S, None, 120, "NO_AGENT_TIMEOUT"),
                      leg("f", t0 + 5 * S, None, 10, "MOVED"), leg("g", t0 + 6 * S)], TARGETS)
    tally.fold_wrap(t0 + 100 * S, "f0", 30 * S, "w1")
    tally.fold_wrap(t0 + 200 * S, "f0", 50 * S, "w2")
    f = tally.day(date(2026, 12, 3), "f0").figures()
    assert (f["offered"], f["answered"], f["abandoned"], f["short_abandoned"], f["timed_out"]) \
        == (7, 2, 1, 1, 1)
    assert f["service_level_pct"] == 25.0 and f["abandon_pct"] == 25.0
    assert f["asa_seconds"] == 18.5 and f["aht_seconds"] == 130.0


def test_a_leg_seen_again_replaces_what_it_added() -> None:
    """Every change of a call folds its legs again: waiting → answered → ended, once each;
    the same after-call work twice counts once."""
    tally = Tally(ZONE)
    t0 = at(3, 10, 7)
    for update in (leg("a", t0), leg("a", t0, 8), leg("a", t0, 8, 68, "Terminated"),
                   leg("a", t0, 8, 68, "Terminated")):
        fold_legs(tally, [update], TARGETS)
    tally.fold_wrap(t0 + 90 * S, "f0", 20 * S, "w")
    tally.fold_wrap(t0 + 90 * S, "f0", 20 * S, "w")
    c = tally.day(date(2026, 12, 3), "f0")
    assert (c.offered, c.waiting, c.answered, c.talked, c.wrapped) == (1, 0, 1, 1, 1)
    assert tally.day(date(2026, 12, 3), "f0").figures()["aht_seconds"] == 80.0


def test_quarter_hours_and_the_day_boundary_are_local_time() -> None:
    """23:59:59 on the 3rd (16:59:59 UTC) is the 3rd's last quarter; 00:00:00 on the 4th
    (17:00 UTC on the 3rd) is the 4th's first; the UTC date would say both are the 3rd."""
    tally = Tally(ZONE)
    late, early = at(3, 23, 59, 59), at(4, 0, 0, 0)
    assert datetime.fromtimestamp(early / S, ZoneInfo("UTC")).day == 3
    fold_legs(tally, [leg("late", late, 5, 60, "Terminated"),
                      leg("early", early, None, 40, "BREAK_OUT"),
                      leg("pa", at(4, 8, 20), 45, 100, "Terminated", topic="pa"),
                      leg("unknown", at(4, 8, 21), topic="gone")], TARGETS)
    assert tally.bucket_of(late, "f0") == (date(2026, 12, 3), "f0", 95)
    assert tally.bucket_of(early, "f0") == (date(2026, 12, 4), "f0", 0)
    assert tally.bucket_of(at(4, 8, 20), "pa") == (date(2026, 12, 4), "pa", 33)  # 8:15–8:30
    assert tally.day(date(2026, 12, 3), "f0").answered == 1
    assert tally.day(date(2026, 12, 4), "f0").abandoned == 1
    assert tally.day(date(2026, 12, 4), "pa").figures()["service_level_pct"] == 0.0  # 45 > 30
    assert tally.day(date(2026, 12, 4), "gone").offered == 0  # a topic not on the board
    assert day_start_us(date(2026, 12, 4), ZONE) == early


def test_forgetting_keeps_today_and_the_same_day_last_week() -> None:
    tally = Tally(ZONE)
    fold_legs(tally, [leg("old", at(1, 9, 0)), leg("week", at(3, 9, 0)),
                      leg("now", at(10, 9, 0))], TARGETS)
    tally.forget_before(date(2026, 12, 10))
    assert {k[0].day for k in tally.buckets} == {3, 10}
    assert set(tally.legs) == {"week", "now"}
