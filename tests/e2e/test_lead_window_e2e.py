"""The real lead window on the real hotline: simulator → daemon → hub (TLS) → LeadWindow, in two
processes over real sockets. A call answered at the switch shows on the lead's board within a
second (the agent talking, the caller masked, the answered count), and a forced break from the
window reaches the switch and comes back on the board."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.windows import LeadWindow
from protocol import messages as m
from tests.support.demo_backend import Demo, running_demo, window_on


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path, lead=True) as running:
        yield running


@pytest.fixture
def window(qtbot: Any, demo: Demo, tmp_path: Path) -> Iterator[LeadWindow]:
    with window_on(qtbot, demo, tmp_path / "s.ini", LeadWindow) as window:
        qtbot.waitUntil(lambda: len(window.board.get("queues") or {}) == 3, timeout=10_000)
        yield window


def test_an_answered_call_and_a_forced_break_on_the_lead_window(
        qtbot: Any, window: LeadWindow, demo: Demo) -> None:
    seen: list[tuple[float, m.LeadBoard]] = []
    window._connection.lead_board.connect(lambda push: seen.append((time.time(), push)))
    assert window.board["queues"]["f0_home_care"]["answered"] == 0
    demo.call("0912345678", "1", talk=600)
    qtbot.waitUntil(lambda: any((a.get("call") or {}).get("caller") == "0912 ••• 678"
                                for a in window.board["agents"].values()), timeout=30_000)
    row = next(a for a in window.board["agents"].values()
               if (a.get("call") or {}).get("caller") == "0912 ••• 678")
    assert row["activity"] == "talking" and row["call"]["topic"] == "f0_home_care"
    answered_at = datetime.fromisoformat(row["call"]["answered_at"]).timestamp()
    arrived = next(t for t, push in seen if any(
        (r.get("call") or {}).get("answered_at") for r in push.changed.get("agents", {}).values()))
    # The bridge's time is the demo switch's clock, which runs 10× the wall's: it is compared
    # with the push's `server_time`, on that same clock (the hub's view of the switch's now).
    pushed_at = next(datetime.fromisoformat(p.server_time).timestamp() for t, p in seen
                     if t == arrived)
    assert (pushed_at - answered_at) / 10 < 1.0  # under a second of wall time
    qtbot.waitUntil(lambda: window.board["queues"]["f0_home_care"]["answered"] == 1,
                    timeout=5_000)
    username = row["username"]
    window.requests.set_status(username, "On Break", "meeting", row["full_name"])
    qtbot.waitUntil(lambda: window.board["agents"][username]["status"] == "On Break",
                    timeout=10_000)
    assert window.board["agents"][username]["reason"] == "meeting"
