"""Logging out of the hub over a real TLS WebSocket (SQLite and PostgreSQL): the reply reaches
the desktop before its connection closes, and a logged-out connection is not taken for one
that never logged in."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from callcenter.hub import server
from db.agents import NewAgent, add_agent, parse_membership, set_queues
from db.engine import transaction
from tests.support.hotline import Hotline, with_hub

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def line(seeded: sessionmaker[Session], tmp_path: Path):
    with transaction(seeded) as s:
        add_agent(s, NewAgent("lan", "Lan", "nurse", PASSWORD, sip_extension="1001"))
        set_queues(s, "lan", [parse_membership("f0_home_care")])
    hotline = with_hub(seeded, tmp_path, agents_on_switch=1)
    yield hotline
    hotline.close()


def test_the_logout_reply_arrives_then_the_connection_closes(
        line: Hotline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    nurse = line.logged_in("lan", PASSWORD)
    # The connection is now older than the login deadline (made 0 here rather than waiting
    # 30 s): a logged-out connection must not be read as one that never logged in.
    monkeypatch.setattr(server, "LOGIN_SECONDS", 0.0)
    with caplog.at_level(logging.INFO, logger="callcenter.hub.server"):
        reply = nurse.request("logout")
        assert reply["ok"] and reply["type"] == "logout"
        assert nurse.push("closed")["type"] == "closed"  # the hub ends the connection
    assert not [r for r in caplog.records if "did not log in" in r.getMessage()]
    assert [a.target for a in line.audit("hub.logout")] == ["lan"]
    line.wait(lambda: line.daemon.state.agents["lan@hotline1022"].status == "Logged Out")
