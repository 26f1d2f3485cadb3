"""The daemon's side of the latency bench: the real `callcenter.daemon.Daemon` (switch link,
live state, recorder on SQLite in gevent's thread pool, IVR on the outbound socket, agent sync
and its watch, HTTP) in this process, against the simulator in another, over loopback.

A probe wraps the daemon's `metrics.applied`, which `Tracker.on_event` calls right after
`apply(state, event)` has returned: there it reads the wall clock and keeps
`now - Event-Date-Timestamp` for every event applied during the measured window."""

from __future__ import annotations

import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_support.sim_side import AGENT_PARAMS, EXTENSION_BASE, agent_name

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from callcenter.config import Settings
    from callcenter.daemon import Daemon

PASSWORD = "bench-esl-s3cret"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_for(esl_port: int, ivr_port: int, switch: dict[str, Any]) -> Settings:
    """The daemon's defaults, but for the ports, the password and `switch` overrides."""
    from callcenter.config import Settings

    return Settings(switch={"password": PASSWORD, "port": esl_port, "command_timeout": 10,
                            **switch},
                    ivr={"listen_port": ivr_port, "max_sessions": 2000,
                         "max_sessions_per_peer": 2000},
                    http={"listen_port": 0},
                    cdr={"spool_dir": tempfile.mkdtemp(prefix="bench-cdr-")})  # not /var/spool


def switch_conf(settings: Settings, root: Path) -> Path:
    """A stock tree with the site's switch_conf installed, as tests/test_daemon_e2e.py has it."""
    from callcenter.sim.stock_tree import stock_tree
    from callcenter.switchconf.install import install
    from callcenter.switchconf.render import render_site

    conf = stock_tree(root)
    files, _ = render_site(settings)
    install(files, conf, force=True)
    return conf


def database(path: Path, agents: int) -> sessionmaker[Session]:
    """A migrated SQLite file with the shipped topics and `agents` agents on every queue."""
    from db import migrate
    from db.engine import make_engine, make_sessionmaker, transaction
    from db.models import Agent, Tier, Topic
    from db.topics import load_topics, read_topics_file

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    params = {key: int(value) for key, value in AGENT_PARAMS}
    with transaction(sessions) as session:
        load_topics(session, read_topics_file(ROOT / "db" / "seed" / "topics.toml"))
        topics = [t for t in session.query(Topic) if t.active and t.queue]
        for n in range(agents):  # a fixed hash: argon2 for a thousand agents takes minutes
            agent = Agent(username=agent_name(n), full_name=f"Agent {n}", role="nurse",
                          password_hash="bench", sip_extension=str(EXTENSION_BASE + n),
                          **params)
            agent.tiers = [Tier(topic=t, level=1, position=1) for t in topics]
            session.add(agent)
    return sessions


@dataclass
class Probe:
    """Event-to-state latencies (ms) of the events applied while `on`."""

    on: bool = False
    samples: list[float] = field(default_factory=list)

    def attach(self, metrics: Any) -> None:
        applied: Callable[[int, list[Any]], None] = metrics.applied

        def timed(created_us: int, effects: list[Any]) -> None:
            if self.on and created_us:
                self.samples.append((time.time() * 1_000_000 - created_us) / 1000)
            applied(created_us, effects)

        metrics.applied = timed

    @contextmanager
    def window(self) -> Iterator[list[float]]:
        self.samples = []
        self.on = True
        try:
            yield self.samples
        finally:
            self.on = False


def start_daemon(settings: Settings, sessions: sessionmaker[Session], probe: Probe) -> Daemon:
    from callcenter.daemon import Daemon, freeze_startup_objects

    daemon = Daemon(settings, sessions)
    probe.attach(daemon.metrics)
    daemon.start()
    if not daemon.link.wait_connected(30) or not daemon.synced.wait(300):
        raise SystemExit("the daemon did not connect to the simulator and sync")
    freeze_startup_objects(daemon)  # as `callcenter run` does
    return daemon
