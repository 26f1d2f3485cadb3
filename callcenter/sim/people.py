"""Simulated people: callers who dial in, press (or do not press) a key, wait with some patience
and talk; agents' phones that answer after a delay, reject, are busy or ring out. All driven by
one seeded random generator so that a run can be repeated exactly."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

MIN_TALK = 5.0  # simulated seconds: a drawn talk time is never shorter


@dataclass
class Caller:
    """One caller's behaviour for one call (durations in simulated seconds)."""

    number: str
    name: str = ""
    destination: str = "1022"
    key: str | None = "1"  # the menu key pressed, None: presses nothing
    key_delay: float = 1.0  # after the prompt starts
    ivr_patience: float | None = None  # hangs up in the menu after this long
    queue_patience: float = 120.0  # hangs up while waiting in queue after this long
    talk_time: float = 60.0  # hangs up this long after an agent answers
    network_addr: str = "127.0.0.1"
    sip_port: int = 5090  # the caller's SIP port: part of its channel name
    tone_ms: int = 280  # how long each DTMF tone lasts (SIPp's RFC 2833 pcap: 280 ms)


@dataclass
class PhoneBehaviour:
    """How an agent's phone answers an offered call."""

    action: str = "answer"  # answer | reject | busy | no_answer | unregistered
    answer_after: float = 2.0
    talk_time: float | None = None  # the agent hangs up first after this long, if set


@dataclass
class Phones:
    """Agents' phones, by the user part of the dial string (1001 for user/1001@dom,
    agent1001 for sofia/external/agent1001@host)."""

    default: PhoneBehaviour = field(default_factory=PhoneBehaviour)
    by_user: dict[str, PhoneBehaviour] = field(default_factory=dict)

    def behaviour(self, user: str) -> PhoneBehaviour:
        return self.by_user.get(user, self.default)


@dataclass
class CallerMix:
    """The arrival process of `callcenter simulate`: Poisson arrivals at `rate` per minute,
    menu keys by weight (None: no key), exponential patience."""

    rate_per_minute: float = 6.0
    keys: dict[str | None, float] = field(default_factory=lambda: {"1": 0.6, "2": 0.2,
                                                                   "3": 0.15, None: 0.05})
    mean_queue_patience: float = 90.0
    mean_talk_time: float = 120.0
    ivr_hangup_share: float = 0.03

    def next_gap(self, rng: random.Random) -> float:
        return rng.expovariate(self.rate_per_minute / 60.0)

    def mean_talk(self) -> float:
        """The mean talk time of `caller`'s draws: exponential, but never under MIN_TALK
        (E[max(m, X)] = m + mean·e^(−m/mean))."""
        mean = self.mean_talk_time
        return MIN_TALK + mean * math.exp(-MIN_TALK / mean) if mean > 0 else MIN_TALK

    def queue_arrivals(self, menu: dict[str, str], no_key: str) -> dict[str, float]:
        """Callers per second reaching each queue: `menu` maps a key to its queue, `no_key` is
        where a caller who presses nothing is sent, a key the menu does not have reaches none.
        Those who hang up in the menu (`ivr_hangup_share`) are counted too, on the safe side:
        some of them press their key before they go."""
        total = sum(self.keys.values())
        reach = self.rate_per_minute / 60.0
        arrivals: dict[str, float] = {}
        for key, weight in self.keys.items():
            queue = no_key if key is None else menu.get(key)
            if queue is not None and total > 0:
                arrivals[queue] = arrivals.get(queue, 0.0) + reach * weight / total
        return arrivals

    def caller(self, rng: random.Random, serial: int) -> Caller:
        keys, weights = zip(*self.keys.items(), strict=True)
        key = rng.choices(keys, weights)[0]
        number = "09" + "".join(rng.choice("0123456789") for _ in range(8))
        return Caller(
            # A trunk in Vietnam sends no caller-ID name: the number again, as here.
            number=number, name=number, key=key,
            key_delay=rng.uniform(0.5, 3.0),
            ivr_patience=rng.uniform(0.5, 3.0) if rng.random() < self.ivr_hangup_share else None,
            queue_patience=rng.expovariate(1 / self.mean_queue_patience),
            talk_time=max(MIN_TALK, rng.expovariate(1 / self.mean_talk_time)))
