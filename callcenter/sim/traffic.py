"""What a queue's agents make of the calls offered to it, by Erlang C (pure).

The queue is taken as M/M/c: Poisson arrivals, exponential handle times, `agents` servers, first
come first served, and no caller leaving (Erlang C has no abandonment). Callers who do leave
lighten the load of those still waiting, so for a queue whose callers have some patience the
figures below are on the safe side: the real service level is at least this, the real share of
callers who give up at most this. Times are in one clock's seconds (the simulator's, for a
demo run faster than real time)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Outlook:
    """One queue's expected figures at a steady offered load."""

    erlangs: float  # offered load: arrivals per second × mean handle time
    occupancy: float  # erlangs ÷ agents: the share of time an agent is busy (≥ 1: overloaded)
    wait_probability: float  # a caller waits for an agent at all (Erlang C)
    service_level: float  # answered within the target (the agent's ring included)
    abandon: float  # the callers whose patience runs out before an agent answers

    @property
    def stable(self) -> bool:
        return self.occupancy < 1.0


def erlang_c(agents: int, erlangs: float) -> float:
    """The probability that a caller has to wait, with `erlangs` offered to `agents` agents
    (1.0 when the queue is overloaded: erlangs ≥ agents)."""
    if agents <= 0 or erlangs >= agents:
        return 1.0
    if erlangs <= 0:
        return 0.0
    # Erlang B by its recurrence (no factorials to overflow), then C from B.
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = erlangs * blocking / (n + erlangs * blocking)
    occupancy = erlangs / agents
    return blocking / (1 - occupancy * (1 - blocking))


def outlook(arrivals_per_second: float, handle_seconds: float, agents: int, *,
            target_seconds: float, mean_patience: float, ring_seconds: float = 0.0) -> Outlook:
    """The figures of one queue. `handle_seconds`: the mean time an agent is kept by a call
    (ringing + talk + wrap-up); `target_seconds`: the service-level target, from the caller
    joining the queue to the agent answering, `ring_seconds` of it spent ringing the agent;
    `mean_patience`: the mean of the callers' (exponential) patience in queue.

    With r = agents / handle − arrivals, a caller's wait W for a free agent is 0 with
    probability 1 − C and else exponential with rate r; so the service level is
    P(W + ring ≤ target) = 1 − C·e^(−r·(target − ring)), and with patience P exponential of
    mean θ, the abandon rate is P(P < W + ring) = 1 − e^(−ring/θ)·(1 − C·(1/θ) / (r + 1/θ))."""
    erlangs = arrivals_per_second * handle_seconds
    occupancy = erlangs / agents if agents > 0 else math.inf
    if occupancy >= 1.0:
        return Outlook(erlangs, occupancy, 1.0, 0.0, 1.0)
    c = erlang_c(agents, erlangs)
    rate = agents / handle_seconds - arrivals_per_second  # of leaving the queue, once waiting
    in_queue = max(0.0, target_seconds - ring_seconds)
    service_level = 1 - c * math.exp(-rate * in_queue) if target_seconds >= ring_seconds \
        else 0.0
    give_up = 1 / mean_patience
    stays = math.exp(-ring_seconds * give_up) * (1 - c * give_up / (rate + give_up))
    return Outlook(erlangs, occupancy, c, service_level, 1 - stays)
