"""The simulator's process of the latency bench: the rendered switch_conf in callcenter.sim at
speed 1 (its clock is then the wall clock, so Event-Date-Timestamp is real time), its Event
Socket on loopback, agents on every queue, and a closed loop of callers: each caller slot dials
1022, goes through the daemon's IVR (the outbound socket), waits in the queue, talks with an
agent, hangs up, and dials again.

The parent drives it over a multiprocessing pipe: ("grow", slots, ramp_seconds) adds slots
spread over the ramp; ("status",) answers the calls up; ("take",) answers, since the last take,
the simulator's own delays (event creation → socket write, for the daemon's link) and its
longest loop stall; ("hang up",) stops the slots and ends every call; ("quit",) ends it."""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
import gevent.socket

from bench_support import emit_trace
from bench_support.lag import LagMonitor
from bench_support.machine import own_seconds

if TYPE_CHECKING:
    from callcenter.sim.people import Caller
    from callcenter.sim.session import Session
    from callcenter.sim.switch import SimSwitch

DOMAIN = "hotline1022"
EXTENSION_BASE = 20000  # agent n has the SIP extension 20000 + n
# What the database holds for every bench agent (db.models.Agent's defaults).
AGENT_PARAMS = (("max_no_answer", "3"), ("wrap_up_time", "10"), ("reject_delay_time", "10"),
                ("busy_delay_time", "60"), ("no_answer_delay_time", "60"))


def agent_name(n: int) -> str:
    return f"bench{n:04d}"


@dataclass(frozen=True)
class SimPlan:
    conf_dir: str
    port: int
    password: str
    agents: int
    seed: int = 1
    answer_after: float = 1.0  # seconds an agent's phone rings
    talk: tuple[float, float] = (30.0, 90.0)  # seconds of talk, uniform
    # A slot's first call talks U(5, 90) s, so that calls start ending soon after the ramp
    # (a stream already going, rather than a thousand calls all ending together later).
    first_talk: tuple[float, float] = (5.0, 90.0)


class Crowd:
    """Caller slots, each one call after another."""

    def __init__(self, switch: SimSwitch, plan: SimPlan) -> None:
        self.switch = switch
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.sessions: list[Session | None] = []
        self.greenlets: list[gevent.Greenlet] = []
        self.started = 0
        self.ended = 0

    def grow(self, total: int, ramp: float) -> None:
        new = max(0, total - len(self.sessions))
        for k in range(new):
            self.sessions.append(None)
            self.greenlets.append(gevent.spawn_later(ramp * k / max(1, new), self._slot,
                                                     len(self.sessions) - 1))

    def hang_up(self) -> None:
        """No more calls; those up end now."""
        gevent.killall(self.greenlets)
        self.switch.api("hupall", "NORMAL_CLEARING")

    def _slot(self, index: int) -> None:
        first = True
        while True:
            session = self.switch.inbound_call(self._caller(index, first))
            self.sessions[index] = session
            self.started += 1
            session.hungup.wait()
            self.ended += 1
            first = False
            gevent.sleep(self.rng.uniform(0.0, 0.5))

    def _caller(self, index: int, first: bool) -> Caller:
        from callcenter.sim.people import Caller

        low, high = self.plan.first_talk if first else self.plan.talk
        return Caller(number=f"09{self.rng.randrange(10**8):08d}", name=f"Caller {index}",
                      key=self.rng.choice("123"), key_delay=self.rng.uniform(0.3, 1.5),
                      queue_patience=3600.0, talk_time=self.rng.uniform(low, high))

    def status(self) -> dict[str, int]:
        live = [s for s in self.sessions if s is not None and not s.hungup.is_set()]
        return {"up": len(live), "talking": sum(s.phase == "bridged" for s in live),
                "channels": len(self.switch.sessions), "started": self.started,
                "ended": self.ended}


def add_agents(switch: SimSwitch, count: int) -> None:
    """The bench database's agents, as the daemon's agent sync would add them (so the sync
    finds nothing to do), and Available (they logged in; here the switch is told directly)."""
    assert switch.callcenter is not None
    queues = [q.name for q in switch.callcenter.model.config.queues]
    for n in range(count):
        name = f"{agent_name(n)}@{DOMAIN}"
        commands = [f"agent add {name} callback",
                    f"agent set contact {name} user/{EXTENSION_BASE + n}@{DOMAIN}",
                    *(f"agent set {key} {name} {value}" for key, value in AGENT_PARAMS),
                    *(f"tier add {queue} {name} 1 1" for queue in queues),
                    f"agent set status {name} Available"]
        for command in commands:
            switch.api("callcenter_config", command)


def quiet_gc() -> None:
    """The simulator stands in for FreeSWITCH, which has no garbage collector: a full
    collection over two thousand channels stops it for 100-200 ms, which would be counted as
    the daemon's latency. What exists after the set-up is frozen, and the collections of the
    oldest generation (that walk every call up) are put off for the bench's few minutes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 100, 1_000_000)


def serve(plan: SimPlan, control: Connection) -> None:
    """The child process: build, serve, obey the pipe."""
    from callcenter.sim.people import PhoneBehaviour, Phones
    from callcenter.sim.runner import Simulation, build_switch

    switch = build_switch(Simulation(conf_dir=Path(plan.conf_dir), speed=1.0, seed=plan.seed),
                          Phones(default=PhoneBehaviour(answer_after=plan.answer_after)))
    add_agents(switch, plan.agents)
    quiet_gc()
    server = emit_trace.traced_server(switch, plan.port, plan.password)
    server.start()
    crowd, monitor = Crowd(switch, plan), LagMonitor()
    control.send("ready")
    while True:
        gevent.socket.wait_read(control.fileno())
        message: tuple[Any, ...] = control.recv()
        if message[0] == "quit":
            break
        control.send(_answer(crowd, monitor, message))
    server.stop()
    control.send("bye")


def _answer(crowd: Crowd, monitor: LagMonitor, message: tuple[Any, ...]) -> object:
    kind = message[0]
    if kind == "grow":
        crowd.grow(message[1], message[2])
    elif kind == "hang up":
        crowd.hang_up()
    elif kind == "status":
        return crowd.status()
    elif kind == "take":
        return {"emit_ms": emit_trace.take(), "cpu_s": own_seconds(), **monitor.take()}
    return "ok"
