"""The simulated switch and the daemon wired as in production, over real sockets: the rendered
switch_conf tree in the simulated FreeSWITCH, the daemon's IVR on the outbound socket, its link on
the event socket. Shared by the daemon's end-to-end tests."""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Any

import gevent
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import Settings
from callcenter.daemon import Daemon
from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import Caller, Phones
from callcenter.sim.runner import Simulation, build_switch
from callcenter.sim.stock_tree import stock_tree
from callcenter.switchconf.install import install
from callcenter.switchconf.render import render_site
from db.models import AuditLog, Call
from tests.support.hub_client import HubClient

SPEED = 10.0
PASSWORD = "esl-s3cret"


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port free now, below the ephemeral range: a port the kernel handed out for `bind(0)`
    can be taken by any outgoing connection (the database's, the daemon's) before our server
    binds it, and the test then fails with EADDRINUSE."""
    low = _ephemeral_low()
    for _ in range(100):
        port = random.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hotline:
    """Simulated switch + daemon, wired as in production."""

    def __init__(self, sessions: sessionmaker[Session], tmp_path: Path,
                 phones: Phones, overrides: dict[str, dict[str, Any]] | None = None) -> None:
        ivr_port, esl_port = free_port(), free_port()
        conf = stock_tree(tmp_path)
        sections: dict[str, dict[str, Any]] = {
            "switch": {"password": PASSWORD, "port": esl_port, "command_timeout": 5},
            "ivr": {"listen_port": ivr_port, "digit_timeout_ms": 3000},
            "http": {"listen_port": 0},
            "cdr": {"spool_dir": tmp_path / "cdr"},  # never the real /var/spool
            "site": {"recordings_dir": conf / "recordings"}}  # the simulator's $${recordings_dir}
        for section, values in (overrides or {}).items():
            sections[section] = {**sections.get(section, {}), **values}
        self.settings = Settings(**sections)
        files, _ = render_site(self.settings)
        install(files, conf, force=True)
        self.sim = build_switch(Simulation(conf_dir=conf, speed=SPEED), phones)
        self.server = EslServer(self.sim, "127.0.0.1", esl_port, PASSWORD)
        self.server.start()
        self.sessions = sessions
        self.daemon = Daemon(self.settings, sessions)
        self.daemon.start()
        assert self.daemon.link.wait_connected(10)

    def call(self, number: str, key: str | None, **behaviour: float):
        return self.sim.inbound_call(Caller(number, "Khách", destination="1022", key=key,
                                            key_delay=0.3, **behaviour))

    def rows(self) -> list[Call]:
        self.daemon.flush()
        with self.sessions() as s:
            return list(s.scalars(select(Call).order_by(Call.id)))

    def audit(self, action: str) -> list[AuditLog]:
        with self.sessions() as s:
            return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))

    def audit_all(self, prefix: str) -> list[AuditLog]:
        """The audit rows whose action starts with `prefix`, in order."""
        with self.sessions() as s:
            return list(s.scalars(select(AuditLog).where(AuditLog.action.startswith(prefix))
                                  .order_by(AuditLog.id)))

    def hub_client(self) -> HubClient:
        """A desktop's connection to the hub (a Hotline made by with_hub)."""
        return HubClient(self.daemon.hub.server.address[1], self.ca)

    def logged_in(self, username: str, password: str) -> HubClient:
        """A desktop logged in as `username`, its snapshot taken."""
        client = self.hub_client()
        assert client.login(username, password)["ok"]
        client.push("snapshot")
        return client

    def agent_status(self, agent: str) -> str | None:
        """The daemon's view of an agent's status; None until an event or the resync has told
        it of the agent (a test's status change may be read before its event arrived)."""
        seen = self.daemon.state.agents.get(agent)
        return None if seen is None else seen.status

    def wait(self, condition, timeout: float = 20.0) -> None:
        with gevent.Timeout(timeout):
            while not condition():
                gevent.sleep(0.05)

    def close(self) -> None:
        self.daemon.stop()
        self.server.stop()
        self.sim.callcenter.stop()


def with_hub(sessions: sessionmaker[Session], tmp_path: Path, agents_on_switch: int,
             phones: Phones | None = None) -> Hotline:
    """A Hotline whose daemon serves the desktop hub over TLS (a development certificate in
    tmp_path, `.ca`, for the clients to pin), once its agents are on the switch."""
    from callcenter.hub.tls import make_self_signed
    from callcenter.sim.people import PhoneBehaviour

    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    hotline = Hotline(sessions, tmp_path, phones or Phones(default=PhoneBehaviour(
        answer_after=0.3)), overrides={"hub": {"listen_port": 0, "tls_cert": cert,
                                                "tls_key": key}})
    hotline.ca = cert
    hotline.wait(lambda: len(hotline.sim.callcenter.model.agents) == agents_on_switch
                 and hotline.daemon.synced.is_set())
    return hotline
