"""`callcenter simulate`: the simulator stand-alone, so a deployment can rehearse and the
benchmarks can load the daemon.

It reads a FreeSWITCH configuration tree (`dialplan/`, `autoload_configs/callcenter.conf.xml`,
optionally `vars.xml` and `autoload_configs/json_cdr.conf.xml`), listens for Event Socket
clients, and, when asked, lets callers arrive at a given rate and puts simulated agents on the
queues."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from pathlib import Path

import gevent

from callcenter.sim import json_cdr
from callcenter.sim.esl_server import EslServer
from callcenter.sim.ivr_menu import load_menus
from callcenter.sim.people import CallerMix, PhoneBehaviour, Phones
from callcenter.sim.switch import SimSwitch
from fsxml.conf_tree import tree_globals

log = logging.getLogger(__name__)

DEFAULT_CONF = Path(__file__).with_name("conf")


@dataclass
class Simulation:
    conf_dir: Path = DEFAULT_CONF
    host: str = "127.0.0.1"
    port: int = 8021
    password: str = "ClueCon"  # noqa: S105 — FreeSWITCH's stock password, named to be refused
    speed: float = 1.0
    seed: int = 1
    agents: int = 0  # simulated agents put on every queue (agent1001@<domain> …)
    domain: str = "hotline1022"
    mix: CallerMix = field(default_factory=lambda: CallerMix(rate_per_minute=0))
    heartbeat_interval: float = 20.0


def build_switch(sim: Simulation, phones: Phones | None = None) -> SimSwitch:
    from fsxml.dialplan import Dialplan

    conf = sim.conf_dir
    globals_ = tree_globals(conf, {"local_ip_v4": "127.0.0.1", "sounds_dir": str(conf / "sounds"),
                                   "recordings_dir": str(conf / "recordings"),
                                   "hold_music": "local_stream://moh"})
    dialplan = Dialplan.load(conf, global_vars=globals_)
    phones = phones or Phones(default=PhoneBehaviour(answer_after=2.0))
    switch = SimSwitch(dialplan, speed=sim.speed, phones=phones,
                       globals_=dict(dialplan.global_vars))
    switch.load_callcenter(conf / "autoload_configs" / "callcenter.conf.xml",
                           random.Random(sim.seed))  # noqa: S311 — jitter and simulation, not a secret
    switch.menus = load_menus(conf / "ivr_menus", switch.globals)
    json_cdr.install(switch, conf)  # a CDR per channel, if the tree loads mod_json_cdr
    return switch


def add_agents(switch: SimSwitch, count: int, domain: str) -> list[str]:
    """Agents on every queue, Available, with phones that answer (as a rehearsal needs)."""
    if switch.callcenter is None:
        raise RuntimeError("expected switch.callcenter is not None")
    queues = [q.name for q in switch.callcenter.model.config.queues]
    names = []
    for n in range(count):
        name = f"agent{1001 + n}@{domain}"
        contact = f"[leg_timeout=15]sofia/internal/{1001 + n}@127.0.0.1:5060"
        for command in (f"agent add {name} callback", f"agent set contact {name} {contact}",
                        f"agent set wrap_up_time {name} 5",
                        *(f"tier add {q} {name} 1 1" for q in queues),
                        f"agent set status {name} 'Available'"):
            switch.api("callcenter_config", command)
        names.append(name)
    return names


def run(sim: Simulation, duration: float | None) -> SimSwitch:
    """Serve until `duration` (real seconds) has passed, or forever."""
    switch = build_switch(sim)
    server = EslServer(switch, sim.host, sim.port, sim.password)
    server.start()
    log.info("simulated FreeSWITCH listening on %s:%s", *server.address)
    add_agents(switch, sim.agents, sim.domain)
    greenlets: list[gevent.Greenlet[..., None]] = [
        gevent.spawn(_heartbeats, switch, sim.heartbeat_interval)]
    if sim.mix.rate_per_minute > 0:
        greenlets.append(gevent.spawn(_arrivals, switch, sim.mix, random.Random(sim.seed)))  # noqa: S311 — jitter and simulation, not a secret
    try:
        gevent.sleep(duration) if duration else gevent.wait()
    finally:
        gevent.killall(greenlets)
        server.stop()
    return switch


def _heartbeats(switch: SimSwitch, interval: float) -> None:
    while True:
        switch.sleep(interval)
        switch.fire(switch.heartbeat())


def _arrivals(switch: SimSwitch, mix: CallerMix, rng: random.Random) -> None:
    serial = 0
    while True:
        switch.sleep(mix.next_gap(rng))
        serial += 1
        switch.inbound_call(mix.caller(rng, serial))
