"""Fixtures of the desktop windows' tests: real widgets offscreen, a HubConnection that is never
connected, translations, a hand-moved clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QApplication,
)

from db.topics import read_topics_file
from db.units import read_units_csv
from desktop.connection import HubConnection
from desktop.i18n import Translations
from desktop.windows import AgentWindow, LeadWindow
from rules.forms import with_outcomes
from tests.support.desktop_windows import (
    NOW,
    ROOT,
    Clock,
    Requests,
    agent_view,
    busy_board,
    iso,
    lead_board,
    open_lead_window,
)
from tests.support.qt_windows import add_window
from tests.support.scripted_hub import ScriptedHub


@pytest.fixture(scope="module")
def session_data() -> dict[str, Any]:
    """The login reply's data, with the shipped topics and units, as the hub sends them."""
    spec = read_topics_file(ROOT / "db" / "seed" / "topics.toml")
    topics = [{"key": t.key, "name_vi": t.name_vi, "name_en": t.name_en,
               "short_vi": t.short_vi, "short_en": t.short_en,
               "form_schema": with_outcomes(t.form, [o.model_dump() for o in t.outcomes]),
               "rules": t.rules, "acw_seconds": t.acw_seconds,
               "outcomes": [o.model_dump() for o in t.outcomes]} for t in spec.topic]
    units = [{"code": u.code, "name": u.name, "kind": u.kind,
              "former": [name for name, _ in u.former]}
             for u in read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv")]
    agent = agent_view("Available", since=iso(NOW - timedelta(minutes=12)), calls_today=7)
    agencies = [{"id": n, "code": a.code, "name": a.name}
                for n, a in enumerate(spec.agency, start=1)]
    return {"token": "t" * 32, "agent": agent.model_dump(), "expires_at": iso(NOW),
            "units": units, "topics": topics, "agencies": agencies, "agency_id": 1}


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desktop.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    translations = Translations(qapp)
    assert translations.apply("vi"), "desktop/i18n/hotline_vi.qm is missing"
    yield translations
    translations.apply("en")  # the application object outlives the test


@pytest.fixture
def connection(qapp: QApplication) -> Iterator[HubConnection]:
    connection = HubConnection()
    yield connection
    connection.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: Any, connection: HubConnection, session_data: dict[str, Any],
           settings: QSettings, translations: Translations, clock: Clock) -> AgentWindow:
    window = AgentWindow(connection, session_data, settings, translations, clock=clock)
    add_window(qtbot, window)
    with qtbot.waitActive(window):  # shortcuts go to the active window
        window.show()
    return window


@pytest.fixture
def requests(connection: HubConnection, monkeypatch: pytest.MonkeyPatch) -> Requests:
    """What a window asks the hub, caught (and answerable) instead of sent."""
    return Requests(connection, monkeypatch)


@pytest.fixture
def lead_window(qtbot: Any, connection: HubConnection, settings: QSettings,
                translations: Translations, clock: Clock, requests: Requests) -> LeadWindow:
    """A lead window on a busy board (three topics, agents on calls and breaks, callers
    waiting), its requests caught and its bell silent."""
    window = open_lead_window(qtbot, connection, settings, translations, clock,
                              bell=lambda: None)
    window.apply_board(lead_board(busy_board()))
    return window


@pytest.fixture
def scripted(qapp: Any) -> Iterator[ScriptedHub]:
    hub = ScriptedHub()
    yield hub
    hub.close()
