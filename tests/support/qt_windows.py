"""Agent windows in pytest-qt tests."""

from __future__ import annotations

from typing import Any

from desktop.windows import AgentWindow


def add_window(qtbot: Any, window: AgentWindow) -> None:
    """Closed at the test's end like the application quitting: nobody is there to answer
    "log out anyway?" for a call left up."""
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "quitting", True))
