"""The Erlang C outlook of a queue (callcenter.sim.traffic) and the caller mix's offered load."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.sim.people import MIN_TALK, CallerMix
from callcenter.sim.traffic import erlang_c, outlook


def _erlang_c_by_definition(agents: int, erlangs: float) -> float:
    """The textbook formula, with factorials."""
    top = erlangs ** agents / math.factorial(agents) * agents / (agents - erlangs)
    return top / (sum(erlangs ** k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize(("agents", "erlangs"), [(1, 0.5), (2, 1.0), (2, 1.5), (10, 8.0),
                                                 (30, 25.0)])
def test_erlang_c_is_the_textbook_formula(agents: int, erlangs: float) -> None:
    assert erlang_c(agents, erlangs) == pytest.approx(_erlang_c_by_definition(agents, erlangs))


def test_erlang_c_known_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) is the occupancy
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(2, 2.0) == 1.0 and erlang_c(2, 3.0) == 1.0  # overloaded
    assert erlang_c(3, 0.0) == 0.0


def test_an_overloaded_queue_answers_nothing_in_time() -> None:
    view = outlook(1 / 10, 30.0, 2, target_seconds=20, mean_patience=60)  # 3 erlangs, 2 agents
    assert not view.stable and view.occupancy == pytest.approx(1.5)
    assert view.service_level == 0.0 and view.abandon == 1.0


def test_one_agent_queue_by_hand() -> None:
    # M/M/1, λ = 1/60, handle 30 s: ρ = 0.5, C = 0.5, a waiting caller leaves at r = 1/60.
    view = outlook(1 / 60, 30.0, 1, target_seconds=20, mean_patience=120, ring_seconds=5)
    assert view.wait_probability == pytest.approx(0.5)
    assert view.service_level == pytest.approx(1 - 0.5 * math.exp(-15 / 60))
    stays = math.exp(-5 / 120) * (1 - 0.5 * (1 / 120) / (1 / 60 + 1 / 120))
    assert view.abandon == pytest.approx(1 - stays)


def test_more_agents_or_more_patience_never_make_it_worse() -> None:
    base = outlook(0.05, 30.0, 2, target_seconds=20, mean_patience=90, ring_seconds=3)
    staffed = outlook(0.05, 30.0, 3, target_seconds=20, mean_patience=90, ring_seconds=3)
    patient = outlook(0.05, 30.0, 2, target_seconds=20, mean_patience=300, ring_seconds=3)
    assert staffed.service_level > base.service_level and staffed.abandon < base.abandon
    assert patient.abandon < base.abandon


def test_the_outlook_agrees_with_a_queue_simulated_here() -> None:
    """A plain M/M/2 FCFS queue with no abandonment, simulated: its share answered within the
    target matches the formula (so the formula is not merely self-consistent)."""
    rng = random.Random(7)
    arrivals, handle, target = 1 / 40, 50.0, 20.0
    free = [0.0, 0.0]
    t, within, n = 0.0, 0, 40_000
    for _ in range(n):
        t += rng.expovariate(arrivals)
        agent = min(range(2), key=free.__getitem__)
        start = max(t, free[agent])
        free[agent] = start + rng.expovariate(1 / handle)
        within += start - t <= target
    view = outlook(arrivals, handle, 2, target_seconds=target, mean_patience=1e12)
    assert within / n == pytest.approx(view.service_level, abs=0.02)


def test_mean_talk_counts_the_floor() -> None:
    mix = CallerMix(mean_talk_time=15.0)
    rng = random.Random(3)
    drawn = [mix.caller(rng, n).talk_time for n in range(40_000)]
    assert min(drawn) == MIN_TALK
    assert sum(drawn) / len(drawn) == pytest.approx(mix.mean_talk(), rel=0.02)
    assert mix.mean_talk() > 15.0


@given(st.dictionaries(st.sampled_from(["1", "2", "3", "7", None]),
                       st.floats(0.01, 10.0), min_size=1),
       st.floats(0.1, 60.0))
def test_queue_arrivals_share_out_the_rate(keys: dict[str | None, float], rate: float) -> None:
    mix = CallerMix(rate_per_minute=rate, keys=keys)
    arrivals = mix.queue_arrivals({"1": "a", "2": "b", "3": "c"}, "a")
    lost = sum(w for k, w in keys.items() if k == "7") / sum(keys.values())  # not on the menu
    assert sum(arrivals.values()) == pytest.approx(rate / 60 * (1 - lost))
    if None in keys:
        assert arrivals["a"] >= rate / 60 * keys[None] / sum(keys.values()) * (1 - 1e-9)
