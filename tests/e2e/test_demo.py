"""The README's first command: the headless demo carries calls end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from callcenter.demo import DemoOptions, run_demo
from callcenter.state import LiveState
from callcenter.state.model import Member
from callcenter.wallboard import render
from db.models import Call


def test_headless_demo_carries_calls(tmp_path: Path) -> None:
    lines: list[str] = []
    daemon = run_demo(DemoOptions(rate_per_minute=40, speed=20, duration=4, every=1,
                                  workdir=tmp_path), out=lines.append)
    assert lines[0].startswith("demo: simulated FreeSWITCH on 127.0.0.1:")
    assert "topic" in lines[-1] and "agents: 6 Available" in lines[-1]
    clock, header = lines[-1].splitlines()[:2]
    assert clock.startswith("Hotline 1022 · ") and "simulated" in clock and "(20×" in clock
    assert "oldest (sim)" in header
    # Not a terminal: a block when the board changed, at most every 30 s, and the last one;
    # not one a second (4 s at every=1 wrote five).
    assert sum(1 for line in lines if "\ntopic " in line) == 2
    with daemon.sessions() as s:
        calls = s.scalar(select(func.count()).select_from(Call))
        answered = s.scalar(select(func.count()).select_from(Call).where(
            Call.answered_at.is_not(None)))
    assert calls >= 5 and answered >= 1


def test_wallboard_render() -> None:
    state = LiveState()
    queue = state.queue("f0@h")
    queue.members["m1"] = Member("m1", "s1", "0912", joined_us=10_000_000)
    queue.answered, queue.abandoned = 3, 1
    state.agent("lan@h").status = "Available"
    text = render(state, [("f0@h", "1 F0"), ("x@h", "2 Khác")], now_us=75_000_000)
    assert text.splitlines()[1].split() == ["1", "F0", "1", "1:05", "3", "1"]
    assert text.splitlines()[2].split()[-4:] == ["0", "0:00", "0", "0"]
    assert "agents: 1 Available" in text


def test_headless_demo_redraws_in_place_on_a_terminal(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    lines: list[str] = []
    run_demo(DemoOptions(rate_per_minute=40, speed=20, duration=3, every=0.5, workdir=tmp_path,
                         web=False), out=lines.append, tty=True)
    screen = capsys.readouterr().out
    frames = screen.split("\x1b[J")[1:]  # each board: clear to the end of the screen, then it
    assert len(frames) >= 4
    assert screen.startswith("\x1b[J")  # the first where the cursor is
    for before in frames[:-1]:  # each next one drawn over the one before
        assert before.endswith(f"\x1b[{before.count(chr(10))}A\r")
    assert "agents: 6 Available" in frames[-1] and "Hotline 1022 · " in frames[-1]
    assert all("topic" not in line for line in lines)  # the boards went to the terminal only
