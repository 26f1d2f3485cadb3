"""Fidelity is the acceptance: for each capture, drive the simulator through the same scenario
and compare what it sends with what FreeSWITCH sent (tests/support/fidelity.py says how)."""

from __future__ import annotations

import re
import shutil
from functools import partial
from pathlib import Path

import pytest

from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.sim.runner import DEFAULT_CONF, Simulation, build_switch
from callcenter.sim.switch import SimSwitch
from callcenter.switch.errors import CommandError
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from callcenter.switch.protocol import FrameParser
from tests.support.fidelity import captured_events, differences
from tests.support.outbound_daemon import ScriptedDaemon, Wait, completed, notice, reply
from tests.support.replay import Capture
from tests.support.waiting import events_delivered, until

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
    # `show channels as json`: when created, on which host.
    text = re.sub(r'"created":"[^"]*"', '"created":"<date>"', text)
    text = re.sub(r'"hostname":"[^"]*"', '"hostname":"<host>"', text)
    # `queue list members`: base_score and score are waiting times in seconds.
    text = re.sub(r"\|(\d+)\|(\d+)\|([^|\n]*)\|([^|\n]*)\|(Waiting|Trying|Answered|Abandoned)"
                  r"\|(\d+)$", r"|<seconds>|\2|\3|\4|\5|<seconds>", text, flags=re.M)
    # `agent list`: talk_time (third from last) is seconds of talk.
    text = re.sub(r"^(agent[^|\n]*(?:\|[^|\n]*){17})\|\d+\|(\d+)\|(\d+)$", r"\1|<seconds>|\2|\3",
                  text, flags=re.M)
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

    def count(self, name: str) -> int:
        return sum(e.name == name for e in self.events)

    def stop(self) -> list[Event]:
        """Every event the switch sent so far (a fence, then the close)."""
        events_delivered(self.conn)
        self.conn.stop()
        return self.events


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


def _jobs_seen(observer: _Observer, jobs: int) -> bool:
    return observer.count("BACKGROUND_JOB") == jobs


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
    commands = capture.commands()[1:]
    for n, command in enumerate(commands):
        try:
            reply = conn.send(command)
        except CommandError as exc:
            reply = exc.reply
        got.append(str(reply))
        if command.startswith("bgapi"):  # the capture's BACKGROUND_JOB came before the next
            jobs = sum(c.startswith("bgapi") for c in commands[:n + 1])
            until(partial(_jobs_seen, observer, jobs), timeout=5)
    expected = _replies(capture)
    assert len(got) == len(expected)
    for command, want, have in zip(capture.commands()[1:], expected, got, strict=True):
        if command in ("api status", "bgapi status"):
            assert have.split(" ")[0] == want.split(" ")[0], command
            continue
        assert _normal(have) == _normal(want), command
    assert differences(captured_events("api_replies"), observer.stop()) == []


# -- calls --------------------------------------------------------------------------------

SPEED = 10.0  # simulated seconds per real second: a 3 s call takes 0.3 s


def _conf_with_socket(tmp_path: Path, port: int) -> Path:
    """The capture box's configuration, with the outbound socket pointed at our test daemon."""
    conf = tmp_path / "conf"
    shutil.copytree(DEFAULT_CONF, conf)
    hotline = conf / "dialplan" / "public" / "00_hotline_1022.xml"
    hotline.write_text(hotline.read_text().replace("127.0.0.1:8084", f"127.0.0.1:{port}"))
    return conf


@pytest.fixture
def box(tmp_path: Path):
    """The simulated FreeSWITCH of the captures, served on loopback."""
    daemon = ScriptedDaemon(_outbound_script())
    sim = build_switch(Simulation(conf_dir=_conf_with_socket(tmp_path, daemon.port),
                                  speed=SPEED),
                       Phones(default=PhoneBehaviour(answer_after=0.2)))
    server = EslServer(sim, port=0)
    server.start()
    yield sim, server, daemon
    daemon.stop()
    server.stop()
    assert sim.callcenter is not None
    sim.callcenter.stop()


def _run_control(server: EslServer, commands: list[str]) -> list[str]:
    host, port = server.address
    conn = InboundConnection(host, port, "ClueCon")
    conn.connect()
    out = []
    for command in commands:
        try:
            out.append(str(conn.send(command)))
        except CommandError as exc:
            out.append(exc.reply)
    conn.stop()
    return out


def _setup_commands(scenario: str) -> tuple[list[str], list[str]]:
    """The control connection's commands before the call, and after it."""
    commands = Capture.load(scenario, "control").commands()[1:]
    split = next(i for i, c in enumerate(commands) if i > 0 and c.startswith((
        "api callcenter_config agent list", "api show", "exit", "api hupall",
        "api callcenter_config queue list")))
    return commands[:split], commands[split:]


def _wait_calls_over(sim, timeout: float = 10.0) -> None:
    """Every channel destroyed (mod_callcenter's end events come before: it holds the
    channels until it has reported)."""
    until(lambda: not sim.sessions, timeout)


def _heartbeats(sim, scenario: str) -> None:
    """As many HEARTBEATs as FreeSWITCH happened to send during the capture (every 20 s)."""
    for event in captured_events(scenario):
        if event.name == "HEARTBEAT":
            sim.fire(sim.heartbeat())


CALLS = {
    # scenario: (caller number, destination, key, seconds in IVR before hanging up,
    #            seconds in queue before hanging up, talk time)
    "call_answered": ("0912345678", "1022", "1", None, 60.0, 3.0),
    "call_recorded": ("0912345678", "1022", "1", None, 60.0, 3.0),
    "call_abandoned": ("0987654321", "1022", "2", None, 4.0, 3.0),
    "ivr_hangup": ("0944555666", "1022", None, 1.0, 60.0, 3.0),
}
# The captures were taken one after the other on one FreeSWITCH: ivr_hangup's `queue list
# members` still shows the member call_abandoned left (discard-abandoned-after is 60 s).
EARLIER = {"ivr_hangup": "call_abandoned"}


def _call(sim, scenario: str):
    number, destination, key, ivr, queue_patience, talk = CALLS[scenario]
    return sim.inbound_call(Caller(number, "Nguyen Van A", destination=destination, key=key,
                                   key_delay=0.5, ivr_patience=ivr,
                                   queue_patience=queue_patience, talk_time=talk))


@pytest.mark.parametrize("scenario", sorted(CALLS))
def test_call_scenario(box, scenario: str, tmp_path: Path) -> None:
    sim, server, _daemon = box
    if scenario == "call_recorded":
        # The capture's path is the real switch's /var/lib/freeswitch/recordings: the events
        # are compared, and the WAV the simulator writes must not land there (as root in CI).
        sim.file_root = tmp_path
        queue = sim.callcenter.model.get_queue("f0_home_care@hotline1022")
        queue.record_template = ("/var/lib/freeswitch/recordings/${strftime(%Y)}/"
                                 "${strftime(%m)}/${strftime(%d)}/${uuid}.wav")
    if scenario in EARLIER:
        _call(sim, EARLIER[scenario])
        _wait_calls_over(sim)
    observer = _Observer(server, "event plain ALL")
    before, after = _setup_commands(scenario)
    _run_control(server, before)
    _call(sim, scenario)
    _wait_calls_over(sim)
    _heartbeats(sim, scenario)
    replies = _run_control(server, after)
    problems = differences(captured_events(scenario), observer.stop())
    assert problems == [], "\n".join(problems)
    expected = _replies(Capture.load(scenario, "control"))[-len(after):]
    assert [_normal(r) for r in replies] == [_normal(r) for r in expected]


def _outbound_script() -> list[tuple[str, Wait]]:
    """The capture's daemon: each command after the reply to the one before, `getvar` only
    once play_and_get_digits has completed, then the wait for the linger notice."""
    commands = Capture.load("outbound_socket", "session").commands()
    return [(c, completed("play_and_get_digits") if "play_and_get_digits" in c else reply)
            for c in commands] + [("", notice)]


def test_outbound_socket_scenario(box) -> None:
    sim, server, daemon = box
    observer = _Observer(server, "event plain ALL")
    before, after = _setup_commands("outbound_socket")
    _run_control(server, before)
    sim.inbound_call(Caller("0912345678", "Nguyen Van A", destination="1023", key="1",
                            key_delay=0.5, talk_time=3.0))
    _wait_calls_over(sim)
    assert daemon.done.wait(5)
    _heartbeats(sim, "outbound_socket")
    _run_control(server, after)
    problems = differences(captured_events("outbound_socket"), observer.stop())
    session_events = [Event.from_frame(f) for f in daemon.frames
                      if f.content_type == "text/event-plain"]
    problems += differences(captured_events("outbound_socket", "session"), session_events)
    assert problems == [], "\n".join(problems)
    replies = [f.get("Reply-Text") for f in daemon.frames if f.content_type == "command/reply"]
    expected = [f.get("Reply-Text") for f in FrameParser().feed(
        Capture.load("outbound_socket", "session").recv) if f.content_type == "command/reply"]
    assert replies == expected
    notice = [f for f in daemon.frames if f.content_type == "text/disconnect-notice"]
    assert [(f.get("Content-Disposition"), f.get("Linger-Time")) for f in notice] == [
        ("linger", "-1")]


def _session(sim, name_part: str):
    return next((s for s in sim.sessions.values() if name_part in s.channel.name), None)


def test_lead_transfer_callback_scenario(box) -> None:
    """A lead listens in (originate … &eavesdrop), the caller is moved to 115 (uuid_transfer,
    while mod_callcenter still holds the bridge), then a click-to-dial callback (originate …
    &bridge(…)); the control connection's commands are the capture's, with our uuids."""
    sim, server, _daemon = box
    observer = _Observer(server, "event plain ALL")
    capture = Capture.load("lead_transfer_callback", "control")
    commands = capture.commands()[1:]
    host, port = server.address
    control = InboundConnection(host, port, "ClueCon")
    control_events: list[Event] = []
    control.register_handle("*", control_events.append)
    control.connect()
    replies: list[str] = []

    def send(command: str) -> str:
        try:
            reply = str(control.send(command))
        except CommandError as exc:
            reply = exc.reply
        replies.append(reply)
        return reply

    for command in commands[:11]:  # clean up, subscribe, agent and tier, Available
        send(command)
    caller = sim.inbound_call(Caller("0912345678", "Nguyen Van A", key="1", key_delay=0.5,
                                     talk_time=600))
    until(lambda: caller.phase == "bridged")
    agent_uuid = send(commands[11])  # agent get uuid
    send(commands[12])  # show channels as json
    send(commands[13].replace("fc274857-442e-4d73-9ff8-d4043071c9f4", agent_uuid))
    until(lambda: sum(e.name == "BACKGROUND_JOB" for e in control_events) == 1)
    until(lambda: _session(sim, "lead2001") is not None and
              _session(sim, "lead2001").current_app == "eavesdrop")
    send(commands[14])  # show channels count
    send(commands[15].replace("b74514d9-044a-41e2-a2ee-12f081377738", caller.channel.uuid))
    until(lambda: _session(sim, "er115") is not None and
              _session(sim, "er115").bridged_to is not None)
    until(lambda: _session(sim, "lead2001") is None and _session(sim, "agent1001") is None)
    send(commands[16])  # show channels count
    send(commands[17])  # hupall
    _wait_calls_over(sim)
    send(commands[18])  # bgapi originate … &bridge(…)
    until(lambda: sum(e.name == "BACKGROUND_JOB" for e in control_events) == 2)
    until(lambda: _session(sim, "5094") is not None and
              _session(sim, "5094").bridged_to is not None)
    for command in commands[19:]:  # show channels count, hupall ×2, agent del ×3, exit
        send(command)
        if "hupall" in command:
            _wait_calls_over(sim)
    _heartbeats(sim, "lead_transfer_callback")
    observed = observer.stop()
    control.stop()  # it said `exit`: stop() joins its dispatcher, every event handed out
    problems = differences(captured_events("lead_transfer_callback"), observed)
    problems += differences(captured_events("lead_transfer_callback", "control"),
                            control_events)
    assert problems == [], "\n".join(problems)
    expected = _replies(capture)
    assert [_normal(r) for r in replies] == [_normal(r) for r in expected]
