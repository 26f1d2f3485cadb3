"""Pure: today's numbers per topic and per quarter hour, folded from the queue legs of calls.

A leg (one caller's time in one topic's queue, `state.model.QueueLeg`) adds its counts to the
quarter hour it joined the queue in, in the site's time zone. The same leg seen again (every
change of its call is a new `CallChanged`; a restart seeds the day from the database) first
takes back what it added before: folding is idempotent, so the order and repetition of the
updates do not matter. After-call work is added to the topic of the call it follows.

The definitions (README, "The lead's guide"):
- offered: legs that joined the queue; answered: legs an agent took;
- abandoned: legs the caller left by hanging up while waiting (`BREAK_OUT`) after at least
  `short_abandon_seconds`; a shorter one is a short abandon, counted apart;
- timed out: legs mod_callcenter ended (no agent, the queue's maximum wait, the callback key);
- moved: legs a lead moved to another topic's queue (counted there again, not here);
- service level: answered within the topic's target ÷ (answered + abandoned + timed out);
- abandon rate: abandoned ÷ (answered + abandoned + timed out);
- speed of answer: queue join → agent answer; handle time: talk + after-call work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

QUARTER_US = 15 * 60 * 1_000_000
QUARTERS = 96  # in a day
TIMED_OUT = frozenset({"NO_AGENT_TIMEOUT", "TIMEOUT", "EXIT_WITH_KEY"})


@dataclass
class Counts:
    """What legs add to one quarter hour of one topic (sums, so they add and subtract)."""

    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    moved: int = 0  # a lead moved the waiting caller to another topic's queue
    waiting: int = 0  # joined, not yet ended (the board shows the live queue instead)
    wait_us: int = 0  # summed over answered legs: join → answer
    talked: int = 0  # answered legs that have ended
    talk_us: int = 0
    wrapped: int = 0  # after-call works that ended
    wrap_us: int = 0

    def add(self, other: Counts, sign: int = 1) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + sign * getattr(other, f.name))

    def resolved(self) -> int:
        """Legs that ended in a way the service level counts (not short abandons)."""
        return self.answered + self.abandoned + self.timed_out

    def figures(self) -> dict[str, float | int | None]:
        """The board's numbers of these counts (None where there is nothing to divide by)."""
        resolved = self.resolved()
        handled = self.talked
        return {
            "offered": self.offered, "answered": self.answered, "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned, "timed_out": self.timed_out,
            "service_level_pct": _pct(self.answered_in_target, resolved),
            "abandon_pct": _pct(self.abandoned, resolved),
            "asa_seconds": _mean(self.wait_us, self.answered),
            "aht_seconds": None if not handled else round(
                (self.talk_us / handled + (self.wrap_us / self.wrapped if self.wrapped else 0))
                / 1e6, 1),
        }


def _pct(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(100.0 * part / whole, 1)


def _mean(total_us: int, n: int) -> float | None:
    return None if n <= 0 else round(total_us / n / 1e6, 1)


@dataclass(frozen=True)
class LegFacts:
    """A queue leg as the tally needs it (from the live state or a `call_leg` row)."""

    member_uuid: str
    topic: str
    queued_us: int
    answered_us: int | None
    ended_us: int | None
    cause: str | None  # Terminated, BREAK_OUT, NO_AGENT_TIMEOUT, TIMEOUT, EXIT_WITH_KEY


def leg_counts(leg: LegFacts, target_seconds: float, short_seconds: float) -> Counts:
    """What one leg adds (pure)."""
    c = Counts(offered=1)
    if leg.answered_us is not None:
        c.answered = 1
        wait = max(0, leg.answered_us - leg.queued_us)
        c.wait_us = wait
        c.answered_in_target = int(wait <= target_seconds * 1_000_000)
        if leg.ended_us is not None:
            c.talked, c.talk_us = 1, max(0, leg.ended_us - leg.answered_us)
    elif leg.ended_us is None:
        c.waiting = 1
    elif leg.cause in TIMED_OUT:
        c.timed_out = 1
    elif leg.cause == "MOVED":
        c.moved = 1
    elif leg.ended_us - leg.queued_us < short_seconds * 1_000_000:
        c.short_abandoned = 1
    else:
        c.abandoned = 1
    return c


@dataclass
class Tally:
    """Counts by (local day, topic, quarter) and what each leg added, to take it back."""

    zone: ZoneInfo
    buckets: dict[tuple[date, str, int], Counts] = field(default_factory=dict)
    legs: dict[str, tuple[tuple[date, str, int], Counts]] = field(default_factory=dict)
    touched: set[tuple[date, str, int]] = field(default_factory=set)  # since the last take

    def bucket_of(self, us: int, topic: str) -> tuple[date, str, int]:
        local = datetime.fromtimestamp(us / 1e6, self.zone)
        return local.date(), topic, (local.hour * 60 + local.minute) // 15

    def fold_leg(self, leg: LegFacts, target_seconds: float, short_seconds: float) -> None:
        old = self.legs.get(leg.member_uuid)
        new = leg_counts(leg, target_seconds, short_seconds)
        key = self.bucket_of(leg.queued_us, leg.topic)
        if old is not None:
            if old[0] == key and old[1] == new:
                return
            self._bucket(old[0]).add(old[1], -1)
            self.touched.add(old[0])
        self._bucket(key).add(new)
        self.touched.add(key)
        self.legs[leg.member_uuid] = (key, new)

    def fold_wrap(self, us: int, topic: str, seconds_us: int, token: str) -> None:
        """One after-call work of `seconds_us`, ended at `us`, after a call of `topic`
        (`token` names it, so the same one twice counts once)."""
        if token in self.legs:
            return
        key = self.bucket_of(us, topic)
        added = Counts(wrapped=1, wrap_us=max(0, seconds_us))
        self._bucket(key).add(added)
        self.touched.add(key)
        self.legs[token] = (key, added)

    def _bucket(self, key: tuple[date, str, int]) -> Counts:
        counts = self.buckets.get(key)
        if counts is None:
            counts = self.buckets[key] = Counts()
        return counts

    def day(self, day: date, topic: str) -> Counts:
        """The whole day's counts of a topic."""
        total = Counts()
        for (d, t, _q), counts in self.buckets.items():
            if d == day and t == topic:
                total.add(counts)
        return total

    def take_touched(self) -> set[tuple[date, str, int]]:
        touched, self.touched = self.touched, set()
        return touched

    def forget_before(self, day: date) -> None:
        """Drop what is older than `day` (the board keeps today and the same day last week)."""
        keep = {day, day - timedelta(days=7)}
        self.buckets = {k: v for k, v in self.buckets.items() if k[0] >= day or k[0] in keep}
        self.legs = {m: v for m, v in self.legs.items() if v[0][0] >= day or v[0][0] in keep}


def fold_legs(tally: Tally, legs: Iterable[LegFacts],
              targets: Mapping[str, tuple[float, float]]) -> None:
    """Fold legs whose topic has (target seconds, short-abandon seconds) in `targets`."""
    for leg in legs:
        target = targets.get(leg.topic)
        if target is not None:
            tally.fold_leg(leg, *target)


def local_day(us: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(us / 1e6, zone).date()


def day_start_us(day: date, zone: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * 1_000_000)


TopicOfQueue = Callable[[str], str | None]
