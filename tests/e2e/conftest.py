"""The demo's nurse on the real hotline, for the end-to-end tests that drive her window (a
module may define its own `demo` — the lead's, or with the web form — and `window`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.demo_backend import Demo, running_demo, window_on

if TYPE_CHECKING:
    from desktop.windows import AgentWindow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path) as running:
        yield running


@pytest.fixture
def window(qtbot: Any, demo: Demo, tmp_path: Path) -> Iterator[AgentWindow]:
    """Her window, logged in (Qt is imported only by the tests that ask for it)."""
    from desktop.drafts import DraftStore
    from desktop.windows import AgentWindow

    with window_on(qtbot, demo, tmp_path / "s.ini", lambda connection, data, settings:
                   AgentWindow(connection, data, settings,
                               drafts=DraftStore(tmp_path / "drafts"))) as window:
        qtbot.waitUntil(lambda: window.agent.username == "lan", timeout=10_000)
        yield window
