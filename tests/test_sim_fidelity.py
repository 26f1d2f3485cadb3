"""Fidelity is the acceptance: for each capture, drive the simulator through the same scenario
and compare what it sends with what FreeSWITCH sent (tests/support/fidelity.py says how)."""

from __future__ import annotations

import re

import gevent
import pytest

from callcenter.sim.esl_server import EslServer
from callcenter.sim.runner import DEFAULT_CONF
from callcenter.sim.switch import SimSwitch
from callcenter.switch.errors import CommandError
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from callcenter.switch.protocol import FrameParser
from tests.support.fidelity import captured_events, differences
from tests.support.replay import Capture

CONF = DEFAULT_CONF / "autoload_configs" / "callcenter.conf.xml"
# Values in replies that are times or counters of the running switch.
_EPOCH = re.compile(r"\b1\d{9}\b")


def _replies(capture: Capture) -> list[str]:
    out = []
    for frame in FrameParser().feed(capture.recv):
        if frame.content_type == "api/response":
            out.append(frame.body.decode("utf-8"))
        elif frame.content_type == "command/reply":
            out.append(frame.get("Reply-Text") or "")
    return out[1:]  # the reply to `auth`


def _normal(text: str) -> str:
    text = _EPOCH.sub("<epoch>", text)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)


class _Observer:
    """An ESL client subscribed as the capture's observer was, collecting events."""

    def __init__(self, server: EslServer, subscription: str) -> None:
        host, port = server.address
        self.conn = InboundConnection(host, port, "ClueCon")
        self.events: list[Event] = []
        self.conn.register_handle("*", self.events.append)
        self.conn.connect()
        self.conn.send(subscription)


@pytest.fixture
def switch():
    sim = SimSwitch(dialplan=None)
    sim.load_callcenter(CONF)
    server = EslServer(sim, port=0)
    server.start()
    yield sim, server
    server.stop()
    assert sim.callcenter is not None
    sim.callcenter.stop()


def test_api_replies(switch) -> None:
    """Every command of the api_replies capture gets FreeSWITCH's reply, and the observer the
    same callcenter events and BACKGROUND_JOB."""
    _sim, server = switch
    capture = Capture.load("api_replies", "control")
    observer = _Observer(server, "event plain BACKGROUND_JOB CUSTOM callcenter::info")
    host, port = server.address
    conn = InboundConnection(host, port, "ClueCon")
    conn.connect()
    got: list[str] = []
    for command in capture.commands()[1:]:
        try:
            reply = conn.send(command)
        except CommandError as exc:
            reply = exc.reply
        got.append(str(reply))
        if command.startswith("bgapi"):
            gevent.sleep(0.2)  # the capture's BACKGROUND_JOB came before the next command
    expected = _replies(capture)
    assert len(got) == len(expected)
    for command, want, have in zip(capture.commands()[1:], expected, got, strict=True):
        if command in ("api status", "bgapi status"):
            assert have.split(" ")[0] == want.split(" ")[0], command
            continue
        assert _normal(have) == _normal(want), command
    gevent.sleep(0.1)
    observer.conn.stop()
    assert differences(captured_events("api_replies"), observer.events) == []
