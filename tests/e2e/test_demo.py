"""The README's first command: the headless demo carries calls end to end."""

from __future__ import annotations

from pathlib import Path

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
