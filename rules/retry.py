"""When to try again: one reconnect policy for every client here — the daemon's link to the
switch and the desktops' link to the hub."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: attempt n (0, 1, …) waits between half and all
    of min(cap, base·2ⁿ) — spread, so a restart is not met by every client at the same
    instant, and never an immediate retry in a loop."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        delay = min(self.cap, self.base * 2 ** min(attempt, 30))
        return rng.uniform(delay / 2, delay)
