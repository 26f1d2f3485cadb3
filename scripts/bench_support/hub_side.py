"""The switch and the daemon of the screen-pop bench (scripts/bench_hub.py).

The simulator's process: callcenter.sim with the rendered switch_conf at speed 1 (its clock is
then the wall clock, so Event-Date-Timestamp is real time), its Event Socket on loopback, the
bench's agents, and a closed loop of callers: each caller slot dials 1022, goes through the
daemon's IVR (the outbound socket), waits in a queue, talks with an agent, hangs up, and dials
again. The parent drives it over a multiprocessing pipe: ("grow", slots, ramp_seconds),
("status",) → the calls up, ("take",) → since the last take, the longest loop stall and how
long each bridge-agent-start waited inside the simulator, ("hang up",), ("quit",).

The agents: the first `desktops` are the desktop agents, tier level 1 on the three queues and
Logged Out until their desktop sets them Available (the hub makes that `Available (On
Demand)`); the others only answer their phone, tier level 2, Available from the start. Every
queue sorts by level first, so a desktop agent back to Waiting takes the next call and the
others take the rest.

The daemon's side: a migrated SQLite file with the shipped topics and units and every agent
(one real argon2 hash, shared by all the rows), the settings with the hub on TLS, and the real
`callcenter.daemon.Daemon` started against the simulator."""

from __future__ import annotations

import dataclasses
import random
import re
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
import gevent.socket

from bench_support import sim_side
from bench_support.lag import LagMonitor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession
    from sqlalchemy.orm import sessionmaker

    from callcenter.config import Settings
    from callcenter.daemon import Daemon
    from callcenter.sim.people import Caller
    from callcenter.sim.switch import SimSwitch

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "hotline1022"
ESL_PASSWORD = "bench-hub-s3cret"
AGENT_PASSWORD = "bench-hub-mat-khau-1"
EXTENSION_BASE = 30000  # agent n has the SIP extension 30000 + n
# What the database holds for every bench agent (db.models.Agent's defaults).
AGENT_PARAMS = (("max_no_answer", "3"), ("wrap_up_time", "10"), ("reject_delay_time", "10"),
                ("busy_delay_time", "60"), ("no_answer_delay_time", "60"))


def agent_name(n: int) -> str:
    return f"hub{n:04d}"


def tier_level(n: int, desktops: int) -> int:
    return 1 if n < desktops else 2


@dataclass(frozen=True)
class SimPlan:
    conf_dir: str
    port: int
    agents: int
    desktops: int
    seed: int = 1
    answer_after: float = 1.0  # seconds an agent's phone rings
    talk: tuple[float, float] = (30.0, 90.0)  # seconds of talk, uniform
    # A slot's first call talks U(5, 90) s, so that calls start ending soon after the ramp.
    first_talk: tuple[float, float] = (5.0, 90.0)
    phones: int = 3000  # callers' numbers: a pool, so callers come back and have a history
    every_event: bool = False  # trace every event frame (EventTrace), not only the bridges


class Crowd(sim_side.Crowd):
    """sim_side's caller slots, dialling from a pool of numbers (callers come back, so
    screen-pops carry a history)."""

    def __init__(self, switch: SimSwitch, plan: SimPlan) -> None:
        super().__init__(switch, plan)  # type: ignore[arg-type]  (the fields it reads match)
        self.numbers = [f"09{self.rng.randrange(10**8):08d}" for _ in range(plan.phones)]

    def _caller(self, index: int, first: bool) -> Caller:
        return dataclasses.replace(super()._caller(index, first),
                                   number=self.rng.choice(self.numbers))


class Stalls(LagMonitor):
    """The worst lag of this process's gevent loop since the last take, in ms."""

    def take(self) -> float:  # type: ignore[override]
        return super().take()["lag_max_ms"]


_BRIDGE = re.compile(rb"CC-Action: bridge-agent-start\n")
_HEADER = {name: re.compile(rb"\n" + name.encode() + rb": ([^\n]*)\n")
           for name in ("Event-Date-Timestamp", "CC-Member-Session-UUID")}


@dataclass
class BridgeTrace:
    """The simulator's share of a screen-pop's latency: how long each bridge-agent-start
    frame waited inside the simulator, from the event's creation (its Event-Date-Timestamp)
    until the listener's writer handed the frame to the kernel (`sendall` returned)."""

    queued: int = 0  # bytes given to the listener
    written: int = 0  # bytes the kernel took
    pending: deque[tuple[int, int, str]] = field(default_factory=deque)  # (end, created, uuid)
    waits_ms: dict[str, float] = field(default_factory=dict)  # call uuid → ms

    def frame(self, data: bytes) -> None:
        self.queued += len(data)
        if _BRIDGE.search(data):
            created, uuid = (_HEADER[name].search(data) for name in _HEADER)
            if created and uuid:
                self.pending.append((self.queued, int(created.group(1)),
                                     uuid.group(1).decode()))

    def sent(self, size: int) -> None:
        self.written += size
        now_us = time.time() * 1_000_000
        while self.pending and self.pending[0][0] <= self.written:
            _, created, uuid = self.pending.popleft()
            self.waits_ms[uuid] = (now_us - created) / 1000

    def take(self) -> dict[str, float]:
        waits, self.waits_ms = self.waits_ms, {}
        return waits


_STAMP = re.compile(rb"\nEvent-Date-Timestamp: ([0-9]+)\n")


class EventTrace(BridgeTrace):
    """BridgeTrace's measure for every event frame, not only bridge-agent-start: how long it
    waited inside the simulator, keyed by its Event-Date-Timestamp (µs, as text)."""

    def frame(self, data: bytes) -> None:
        self.queued += len(data)
        stamp = _STAMP.search(data)
        if stamp:
            self.pending.append((self.queued, int(stamp.group(1)), stamp.group(1).decode()))


class _CountedSocket:
    def __init__(self, sock: Any, trace: BridgeTrace) -> None:
        self._sock, self._trace = sock, trace

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)
        self._trace.sent(len(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def traced_server(switch: SimSwitch, port: int, trace: BridgeTrace) -> Any:
    """callcenter.sim's EslServer, its listeners' frames and writes traced."""
    from callcenter.sim.esl_server import EslListener, EslServer

    class Listener(EslListener):
        def send(self, data: bytes) -> None:
            trace.frame(data)
            super().send(data)

    class Server(EslServer):
        def _accept(self, sock: gevent.socket.socket, _address: object) -> None:
            sock.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
            listener = Listener(self.switch, _CountedSocket(sock, trace), self.password)
            self._listeners.add(listener)
            try:
                listener.serve()
            finally:
                self._listeners.discard(listener)

    return Server(switch, "127.0.0.1", port, ESL_PASSWORD)


def add_agents(switch: SimSwitch, plan: SimPlan) -> None:
    """The bench database's agents and tiers, as the daemon's agent sync would add them (so it
    finds nothing to do); the phone-only ones Available."""
    assert switch.callcenter is not None
    queues = [q.name for q in switch.callcenter.model.config.queues]
    for n in range(plan.agents):
        name = f"{agent_name(n)}@{DOMAIN}"
        level = tier_level(n, plan.desktops)
        commands = [f"agent add {name} callback",
                    f"agent set contact {name} user/{EXTENSION_BASE + n}@{DOMAIN}",
                    *(f"agent set {key} {name} {value}" for key, value in AGENT_PARAMS),
                    *(f"tier add {queue} {name} {level} 1" for queue in queues)]
        if level == 2:
            commands.append(f"agent set status {name} Available")
        for command in commands:
            switch.api("callcenter_config", command)


def serve_sim(plan: SimPlan, control: Connection) -> None:
    """The simulator's process: build, serve, obey the pipe."""
    from bench_support.machine import own_seconds
    from callcenter.sim.people import PhoneBehaviour, Phones
    from callcenter.sim.runner import Simulation, build_switch

    switch = build_switch(Simulation(conf_dir=Path(plan.conf_dir), speed=1.0, seed=plan.seed),
                          Phones(default=PhoneBehaviour(answer_after=plan.answer_after)))
    assert switch.speed == 1.0  # Event-Date-Timestamp is the wall clock
    add_agents(switch, plan)
    sim_side.quiet_gc()  # FreeSWITCH has no garbage collector: its stand-in's pauses are not ours
    trace = EventTrace() if plan.every_event else BridgeTrace()
    server = traced_server(switch, plan.port, trace)
    server.start()
    crowd, stalls = Crowd(switch, plan), Stalls()
    control.send("ready")
    while True:
        gevent.socket.wait_read(control.fileno())
        message: tuple[Any, ...] = control.recv()
        if message[0] == "grow":
            crowd.grow(message[1], message[2])
            control.send("ok")
        elif message[0] == "status":
            control.send(crowd.status())
        elif message[0] == "take":
            control.send({"stall_ms": stalls.take(), "bridge_waits_ms": trace.take(),
                          "cpu_s": own_seconds()})
        elif message[0] == "hang up":
            crowd.hang_up()
            control.send("ok")
        else:
            break
    server.stop()
    control.send("bye")


# -- the daemon's side -------------------------------------------------------------------

def free_port() -> int:
    """A free port below the ephemeral range (a port from bind(0) may be taken by an outgoing
    connection before our server binds it)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(100):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port")


def settings_for(esl_port: int, ivr_port: int, cert: Path, key: Path) -> Settings:
    """The daemon's defaults, but for the ports, the password and the hub on TLS."""
    from callcenter.config import Settings

    return Settings(switch={"password": ESL_PASSWORD, "port": esl_port, "command_timeout": 10},
                    ivr={"listen_port": ivr_port, "max_sessions": 2000,
                         "max_sessions_per_peer": 2000},
                    http={"listen_port": 0},
                    hub={"listen_port": 0, "tls_cert": cert, "tls_key": key,
                         "max_connections_per_address": 1000},
                    cdr={"spool_dir": cert.parent / "cdr"})  # never the real /var/spool


def switch_conf(settings: Settings, root: Path) -> Path:
    """A stock tree with the site's switch_conf installed, as tests/test_daemon_e2e.py has it."""
    from callcenter.sim.stock_tree import stock_tree
    from callcenter.switchconf.install import install
    from callcenter.switchconf.render import render_site

    conf = stock_tree(root)
    files, _ = render_site(settings)
    install(files, conf, force=True)
    return conf


def database(path: Path, agents: int, desktops: int) -> sessionmaker[DbSession]:
    """A migrated SQLite file: the shipped topics and units, and the bench's agents, each with
    a SIP extension, tiers on every topic and the same real argon2 hash (one hash computed:
    a thousand would take a minute)."""
    from db import migrate
    from db.agents import hash_password
    from db.engine import make_engine, make_sessionmaker, transaction
    from db.models import Agent, Tier, Topic
    from db.topics import load_topics, read_topics_file
    from db.units import load_units, read_units_csv

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    params = {key: int(value) for key, value in AGENT_PARAMS}
    password_hash = hash_password(AGENT_PASSWORD)
    with transaction(sessions) as session:
        load_topics(session, read_topics_file(ROOT / "db" / "seed" / "topics.toml"))
        load_units(session, read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv"))
        topics = [t for t in session.query(Topic) if t.active and t.queue]
        for n in range(agents):
            agent = Agent(username=agent_name(n), full_name=f"Điều dưỡng {n}", role="nurse",
                          password_hash=password_hash, sip_extension=str(EXTENSION_BASE + n),
                          **params)
            agent.tiers = [Tier(topic=t, level=tier_level(n, desktops), position=1)
                           for t in topics]
            session.add(agent)
    return sessions


def add_accounts(sessions: sessionmaker[DbSession], usernames: list[str],
                 role: str = "admin") -> None:
    """Accounts with no phone (leads, admins: the switch never rings them), with the bench's
    password (one more argon2 hash)."""
    from db.agents import hash_password
    from db.engine import transaction
    from db.models import Agent

    password_hash = hash_password(AGENT_PASSWORD)
    with transaction(sessions) as session:
        for username in usernames:
            session.add(Agent(username=username, full_name=f"Trưởng ca {username}", role=role,
                              password_hash=password_hash))


def start_daemon(settings: Settings, sessions: sessionmaker[DbSession]) -> Daemon:
    from callcenter.daemon import Daemon, freeze_startup_objects

    daemon = Daemon(settings, sessions)
    if daemon.hub is None:
        raise SystemExit("the daemon did not build its desktop hub")
    daemon.start()
    if not daemon.link.wait_connected(30) or not daemon.synced.wait(300):
        raise SystemExit("the daemon did not connect to the simulator and sync")
    freeze_startup_objects(daemon)  # as `callcenter run` does
    return daemon
