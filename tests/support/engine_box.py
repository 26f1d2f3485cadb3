"""A simulated switch on loopback with an observer of its callcenter and channel events: the
box the simulator's mod_callcenter tests drive."""

from __future__ import annotations

from callcenter.sim.esl_server import EslServer
from callcenter.sim.people import Caller, Phones
from callcenter.sim.runner import Simulation, build_switch
from callcenter.switch.event import Event
from callcenter.switch.inbound import InboundConnection
from tests.support.waiting import until

SPEED = 20.0
F0 = "f0_home_care@hotline1022"


class Box:
    """A simulated switch on loopback with an observer of callcenter and channel events."""

    def __init__(self, phones: Phones, speed: float = SPEED) -> None:
        self.sim = build_switch(Simulation(speed=speed), phones)
        self.server = EslServer(self.sim, port=0)
        self.server.start()
        host, port = self.server.address
        self.observer = InboundConnection(host, port, "ClueCon")
        self.events: list[Event] = []
        self.observer.register_handle("*", self.events.append)
        self.observer.connect()
        self.observer.send("event plain CHANNEL_HOLD CHANNEL_UNHOLD PLAYBACK_START PLAYBACK_STOP "
                           "CUSTOM callcenter::info")

    def cc(self, args: str) -> str:
        return self.observer.api(f"callcenter_config {args}")

    def agent(self, user: str, queue: str = F0, *, status: str = "Available",
              position: int = 1, **params: int) -> str:
        name = f"{user}@hotline1022"
        self.cc(f"agent add {name} callback")
        self.cc(f"agent set contact {name} [leg_timeout=4]sofia/external/{user}@127.0.0.1:5071")
        for key, value in params.items():
            self.cc(f"agent set {key} {name} {value}")
        self.cc(f"tier add {queue} {name} 1 {position}")
        self.cc(f"agent set status {name} '{status}'")
        return name

    def call(self, number: str, key: str = "1", **behaviour: float) -> object:
        return self.sim.inbound_call(Caller(number, "Khách", key=key, key_delay=0.3,
                                            **behaviour))

    def actions(self, action: str) -> list[Event]:
        return [e for e in self.events if e.get("CC-Action") == action]

    def wait(self, condition, timeout: float = 10.0) -> None:
        until(condition, timeout)

    def close(self) -> None:
        self.observer.stop()
        self.server.stop()
        assert self.sim.callcenter is not None
        self.sim.callcenter.stop()
