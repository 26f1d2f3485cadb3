"""How late a process's gevent loop runs: a greenlet asks to sleep TICK seconds and notes how
much later it woke. A stall of X ms there delays every event in that process by up to X ms."""

from __future__ import annotations

import time

import gevent

TICK = 0.002


class LagMonitor:
    def __init__(self) -> None:
        self.lags_ms: list[float] = []
        self._greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        while True:
            start = time.perf_counter()
            gevent.sleep(TICK)
            self.lags_ms.append((time.perf_counter() - start - TICK) * 1000)

    def take(self) -> dict[str, float]:
        """The longest lag since the last take, in ms."""
        lags, self.lags_ms = self.lags_ms, []
        return {"lag_max_ms": max(lags, default=0.0)}

    def stop(self) -> None:
        self._greenlet.kill()
