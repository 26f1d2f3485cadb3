"""The captures of tests/fixtures/freeswitch/hotline/ (FreeSWITCH master running this project's
switch_conf and daemon; README there) replayed on the simulator: the rendered switch_conf in a
stock tree, the real Daemon on its event socket and outbound socket (or a scripted daemon), the
capture's agents, callers and observer subscription."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import Settings
from callcenter.daemon import Daemon
from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import Caller, PhoneBehaviour, Phones
from callcenter.sim.runner import Simulation, build_switch
from callcenter.sim.session import Session as SimSession
from callcenter.sim.stock_tree import stock_tree
from callcenter.switch.errors import CommandError
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from callcenter.switchconf.install import install
from callcenter.switchconf.render import render_site
from db.agents import NewAgent, add_agent, get_agent, parse_membership, set_queues
from db.engine import transaction
from tests.support.fidelity import captured_events
from tests.support.hotline import PASSWORD, free_port
from tests.support.hub_client import HubClient
from tests.support.outbound_daemon import ScriptedDaemon, Wait, completed, execute, notice, reply
from tests.support.replay import Capture
from tests.support.waiting import until

SPEED = 10.0  # simulated seconds per real second
DOMAIN = "hotline1022"
AGENT_PASSWORD = "mat-khau-dai-1"
# The capture box's folders (README: "the sounds and recordings folders read /srv/fsw/…").
BOX_GLOBALS = {"sounds_dir": "/srv/fsw/sounds", "recordings_dir": "/srv/fsw/recordings"}
# What the captures' phones did: SIPp answering within ~20 ms.
ANSWERS = PhoneBehaviour(answer_after=0.02)


def scenario_path(scenario: str) -> str:
    return f"hotline/{scenario}"


def expected(scenario: str, connection: str = "observer") -> list[Event]:
    return captured_events(scenario_path(scenario), connection)


def capture(scenario: str, connection: str) -> Capture:
    return Capture.load(scenario_path(scenario), connection)


@dataclass(frozen=True)
class AgentSpec:
    """An agent of the capture box (README: agents and contacts)."""

    username: str
    role: str
    queue: str
    extension: int
    position: int = 1
    leg_timeout: int = 8
    params: tuple[tuple[str, int], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.username}@{DOMAIN}"

    @property
    def contact(self) -> str:
        # agent1001@127.0.0.1:5071 … agent1004@127.0.0.1:5074, as in the captures
        return (f"[leg_timeout={self.leg_timeout}]sofia/external/agent{self.extension}"
                f"@127.0.0.1:{5070 + self.extension - 1000}")


# clerk2 comes before clerk1 in the top-down queue: the capture's member channel ends with
# cc_last_agent_tier_position 2 / level 1 after clerk1 answered.
AGENTS = (AgentSpec("nurse1", "nurse", "f0_home_care", 1001),
          AgentSpec("health1", "health", "epidemic_report", 1002),
          AgentSpec("clerk1", "clerk", "public_services", 1003, position=2),
          AgentSpec("clerk2", "clerk", "public_services", 1004, position=1))


def add_agents(sessions: sessionmaker[Session], agents: tuple[AgentSpec, ...]) -> None:
    with transaction(sessions) as s:
        for spec in agents:
            add_agent(s, NewAgent(spec.username, spec.username.title(), spec.role,
                                  AGENT_PASSWORD, contact=spec.contact))
            set_queues(s, spec.username,
                       [parse_membership(f"{spec.queue}:1:{spec.position}")])
            row = get_agent(s, spec.username)
            for key, value in spec.params:
                setattr(row, key, value)


def ivr_commands(scenario: str) -> list[tuple[str, str]]:
    """What the capture's daemon ran on the outbound socket: the caller's applications that
    completed between the dialplan's `answer` and the end of `socket` (its sendmsg executes)."""
    events = expected(scenario)
    caller = next(e["Channel-Name"] for e in events if e.name == "CHANNEL_CREATE")
    done = [(e["Application"], e.get("Application-Data") or "") for e in events
            if e.name == "CHANNEL_EXECUTE_COMPLETE" and e.get("Channel-Name") == caller]
    start = done.index(("answer", "")) + 1
    end = next(i for i, (app, _) in enumerate(done) if app == "socket")
    return done[start:end]


def ivr_script(scenario: str, resume: bool = False) -> list[tuple[str, Wait]]:
    """The capture's daemon on the outbound socket, command for command: `connect`,
    `myevents`, `linger` (and `resume`, as the project shipped it), each application once the
    one before completed; it closes the socket after the transfer to the queue, or, when the
    caller hung up in the menu, once the linger notice came."""
    script: list[tuple[str, Wait]] = [("connect", reply), ("myevents", reply),
                                      ("linger", reply)]
    if resume:
        script.append(("resume", reply))
    commands = ivr_commands(scenario)
    for app, arg in commands:
        script.append((execute(app, arg) + f"\nevent-uuid: {uuidlib.uuid4()}", completed(app)))
    if not commands or commands[-1][0] != "transfer":
        script.append(("", notice))
    return script


class Box:
    """The capture box: simulated FreeSWITCH with the rendered switch_conf, the real daemon on
    the event socket (agents and tiers, statuses, the desktop hub), and on the outbound socket
    the capture's IVR conversation replayed (`ivr`; None: nothing listens, the daemon is down).

    The IVR is replayed rather than run: the captures are of the daemon at 4574d4e (its
    call ids, its menu arguments, no `resume`); the project's IVR moves on from there, and
    what is compared here is the switch's side."""

    def __init__(self, sessions: sessionmaker[Session], tmp_path: Path,
                 agents: tuple[AgentSpec, ...] = AGENTS, phones: Phones | None = None,
                 hub: bool = False, ivr: list[tuple[str, Wait]] | None = None) -> None:
        add_agents(sessions, agents)
        self.agents = agents
        self.ivr = ScriptedDaemon(ivr) if ivr is not None else None
        esl_port = free_port()
        sections: dict[str, dict[str, Any]] = {
            "switch": {"password": PASSWORD, "port": esl_port, "command_timeout": 5},
            "ivr": {"listen_port": self.ivr.port if self.ivr else free_port()},
            "http": {"listen_port": 0},
            "cdr": {"spool_dir": tmp_path / "cdr"}}  # never the machine's real spool
        if hub:
            from callcenter.hub.tls import make_self_signed

            self.ca, key = tmp_path / "hub.crt", tmp_path / "hub.key"
            make_self_signed(self.ca, key, ["127.0.0.1"])
            sections["hub"] = {"listen_port": 0, "tls_cert": self.ca, "tls_key": key}
        self.settings = Settings(**sections)
        conf = stock_tree(tmp_path)
        vars_xml = conf / "vars.xml"
        box = "".join(f'  <X-PRE-PROCESS cmd="set" data="{k}={v}"/>\n'
                      for k, v in BOX_GLOBALS.items())
        vars_xml.write_text(vars_xml.read_text().replace("<include>\n", "<include>\n" + box, 1))
        files, _ = render_site(self.settings)  # the dialplan's `socket` reaches self.ivr
        install(files, conf, force=True)
        self.settings.ivr.listen_port = free_port()  # the daemon's own IVR: unused
        self.sim = build_switch(Simulation(conf_dir=conf, speed=SPEED),
                                phones or Phones(default=ANSWERS))
        self.sim.file_root = tmp_path / "box"  # the box's /srv/fsw/recordings, not this one's
        self.server = EslServer(self.sim, "127.0.0.1", esl_port, PASSWORD)
        self.server.start()
        self.sessions = sessions
        self.daemon: Daemon | None = Daemon(self.settings, sessions)
        self.daemon.start()
        assert self.daemon.link.wait_connected(10)
        model = self.sim.callcenter.model
        self.wait(lambda: all(sum(t.agent == a.name for t in model.tiers) == 1
                              for a in agents))

    # -- helpers -------------------------------------------------------------------------

    def wait(self, condition, timeout: float = 20.0) -> None:
        until(condition, timeout, every=0.01)

    def status(self, username: str, status: str) -> None:
        """The agent's status, set through the daemon (as the captures' daemon did)."""
        assert self.daemon is not None
        assert self.daemon.set_agent_status(username, status).startswith("+OK")
        self.wait(lambda: self.sim.callcenter.model.agent(f"{username}@{DOMAIN}").status
                  == status)

    def stop_daemon(self) -> None:
        """The daemon is down: its IVR port refuses the `socket` application."""
        assert self.daemon is not None
        self.daemon.stop()
        self.daemon = None

    def call(self, number: str, key: str | None, *, port: int = 5090,
             name: str = "Nguyen Van A", **behaviour: float) -> SimSession:
        return self.sim.inbound_call(Caller(number, name, destination="1022", key=key,
                                            sip_port=port, **behaviour))

    def session(self, name_part: str) -> SimSession | None:
        return next((s for s in self.sim.sessions.values() if name_part in s.channel.name),
                    None)

    def calls_over(self, timeout: float = 30.0) -> None:
        """Every channel destroyed (mod_callcenter's end events come before: it holds the
        channels until it has reported)."""
        self.wait(lambda: not self.sim.sessions, timeout)

    def heartbeats(self, scenario: str) -> None:
        """As many HEARTBEATs as FreeSWITCH happened to send during the capture."""
        for event in expected(scenario):
            if event.name == "HEARTBEAT":
                self.sim.fire(self.sim.heartbeat())

    def connection(self) -> InboundConnection:
        host, port = self.server.address
        conn = InboundConnection(host, port, PASSWORD)
        conn.connect()
        return conn

    def observer(self, scenario: str) -> Observer:
        """An ESL client subscribed as the capture's observer was."""
        return Observer(self.connection(), capture(scenario, "observer").commands()[1])

    def desktop(self, username: str) -> HubClient:
        assert self.daemon is not None and self.daemon.hub is not None
        client = HubClient(self.daemon.hub.server.address[1], self.ca)
        assert client.login(username, AGENT_PASSWORD)["ok"]
        client.push("snapshot")
        return client

    def close(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
        if self.ivr is not None:
            self.ivr.stop()
        self.server.stop()
        self.sim.callcenter.stop()


class Observer:
    def __init__(self, conn: InboundConnection, subscription: str) -> None:
        self.conn = conn
        self.events: list[Event] = []
        conn.register_handle("*", self.events.append)
        conn.send(subscription)

    def stop(self) -> list[Event]:
        """The events so far: a command's reply comes after every event queued before it."""
        self.conn.api("version")
        self.conn.stop()
        return self.events


def send(conn: InboundConnection, command: str) -> str:
    try:
        return str(conn.send(command))
    except CommandError as exc:
        return exc.reply


