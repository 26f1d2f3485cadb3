"""Screen-pop latency of the desktop hub with hundreds of desktops and a thousand calls.

latency = from bridge-agent-start at the switch (the event's Event-Date-Timestamp, stamped by
the simulator when it creates the event; at speed 1 its clock is the wall clock) to the moment
the `screen_pop` message is handed over by the desktop's WebSocket (the wall clock, read before
the message is parsed), computed by the desktop as `received - call.answered_at`: the daemon's
live state takes `answered_at` from that very event's timestamp. All three processes read the
same clock.

Three processes (scripts/bench_support/hub_side.py, hub_clients.py):
1. the simulator: the rendered switch_conf at speed 1, callers arriving until N calls are up
   at once (in the IVR, queued, or talking; each call dials again when it ends), agents'
   phones answering after 1 s;
2. the real `callcenter.daemon.Daemon` (this process) with the hub on TLS, on a SQLite file with
   the shipped topics and units and 1.25 × N agents (one real argon2 hash for every row), each
   with a SIP extension and tiers on the three topics;
3. the desktops: one hub client per desktop agent (gevent, TLS, the certificate pinned), logged
   in, Available, saying `wrap_up_done` after every call so mod_callcenter keeps offering them
   calls. The other agents only answer their phone (they take the calls the desktops cannot).

Level by level (desktops, calls), the desktops log in, the calls are raised over a ramp, and once
they are up and a settling time has passed every screen-pop of the window is measured, while
calls keep ending and dialling again. Beside the table, each pop's time is split where it was
noted: the simulator's writer handing the bridge-agent-start frame to the kernel (the simulator
is the harness, not FreeSWITCH: its share is shown apart), the daemon's `apply()` returning the
AgentBridged effect, and the pop queued for the desktop's writer (the caller's history read in
the thread pool, the pop built and dumped to JSON). The `sent → live state` cut compares two
processes' clocks around a loopback write, so it can be a fraction of a millisecond below 0.
The longest stall of each process's gevent loop is reported too (a stall delays everything
that process does meanwhile)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import gevent  # noqa: E402
import gevent.socket  # noqa: E402
from bench_support import hub_side  # noqa: E402
from bench_support.hub_clients import serve_clients  # noqa: E402
from bench_support.machine import machine_busy_seconds, own_seconds  # noqa: E402
from bench_support.stats import percentile  # noqa: E402

STAGES = ("in the simulator (created → sent)", "sent → the daemon's live state",
          "→ pop queued (DB, build, JSON)", "  of which JSON + queueing",
          "queued → read by desktop")


@dataclass
class Probe:
    """The daemon's share: when apply() produced each AgentBridged, when its pop was queued."""

    bridged: dict[str, float] = field(default_factory=dict)  # call uuid → wall clock
    queued: dict[tuple[str, str], tuple[float, float, float]] = field(default_factory=dict)
    # (username, call uuid) → (answered_at, entered push_agent, returned from it)

    def attach(self, daemon: Any) -> None:
        from callcenter.state.effects import AgentBridged
        from protocol.messages import ScreenPop

        applied: Callable[[int, list[Any]], None] = daemon.metrics.applied
        push_agent: Callable[[str, Any], None] = daemon.hub.service.push_agent

        def on_applied(created_us: int, effects: list[Any]) -> None:
            for effect in effects:
                if isinstance(effect, AgentBridged):
                    self.bridged[effect.call.uuid] = time.time()
            applied(created_us, effects)

        def on_push(username: str, message: Any) -> None:
            entered = time.time()
            push_agent(username, message)
            if isinstance(message, ScreenPop) and message.call.answered_at:
                answered = datetime.fromisoformat(message.call.answered_at).timestamp()
                self.queued[(username, message.call.uuid)] = (answered, entered, time.time())

        daemon.metrics.applied = on_applied
        daemon.hub.service.push_agent = on_push

    def reset(self) -> None:
        self.bridged, self.queued = {}, {}


@dataclass
class Level:
    clients: int
    calls: int
    up: tuple[int, int]  # calls up, lowest and highest seen in the window
    latencies_ms: list[float]
    stages_ms: dict[str, list[float]]
    pop_bytes: list[int]
    notes: dict[str, Any]


def ask(control: Connection, *message: object, timeout: float = 120.0) -> Any:
    control.send(message)
    return answer(control, timeout)


def answer(control: Connection, timeout: float) -> Any:
    with gevent.Timeout(timeout):
        gevent.socket.wait_read(control.fileno())
    return control.recv()


def stages(pops: list[tuple[float, str, str, int]], probe: Probe,
           in_sim: dict[str, float]) -> dict[str, list[float]]:
    """Each pop's latency cut where the simulator and the daemon noted it (ms)."""
    out: dict[str, list[float]] = {name: [] for name in STAGES}
    for latency, username, uuid, _ in pops:
        bridged, queued = probe.bridged.get(uuid), probe.queued.get((username, uuid))
        sim = in_sim.get(uuid)
        if bridged is None or queued is None or sim is None:
            continue
        answered, entered, returned = queued
        cuts = (sim, (bridged - answered) * 1000 - sim, (returned - bridged) * 1000,
                (returned - entered) * 1000, latency - (returned - answered) * 1000)
        for name, ms in zip(STAGES, cuts, strict=True):
            out[name].append(ms)
    return out


def cpu_seconds(desks: Connection, sim: Connection) -> tuple[dict[str, Any], ...]:
    """Take the desktops' and the simulator's news; and the CPU seconds used so far by the
    three processes and by the whole machine."""
    seen, sim_notes = ask(desks, "take"), ask(sim, "take")
    ours = seen["cpu_s"] + sim_notes["cpu_s"] + own_seconds()
    return seen, sim_notes, {"ours": ours, "machine": machine_busy_seconds(),
                             "at": time.monotonic()}


def others_cores(before: dict[str, float], after: dict[str, float]) -> float:
    """Cores the machine's other processes used meanwhile (a bench or a test suite beside
    this one would inflate every latency: on 2 cores it shows here)."""
    others = (after["machine"] - before["machine"]) - (after["ours"] - before["ours"])
    return max(0.0, others) / (after["at"] - before["at"])


def measure(sim: Connection, desks: Connection, probe: Probe, level: tuple[int, int],
            ramp: float, settle: float, window: float) -> Level:
    clients, calls = level
    ask(sim, "grow", calls, ramp)
    deadline = time.monotonic() + ramp + 120
    while ask(sim, "status")["up"] < 0.98 * calls and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(settle)
    probe.reset()
    _, sim_notes, before = cpu_seconds(desks, sim)
    in_sim = sim_notes["bridge_waits_ms"]
    ups, end = [], time.monotonic() + window
    while time.monotonic() < end:
        ups.append(ask(sim, "status")["up"])
        gevent.sleep(0.5)
    seen, sim_notes, after = cpu_seconds(desks, sim)
    pops = seen["pops"]
    in_sim.update(sim_notes["bridge_waits_ms"])
    notes = {"stall_ms": {"simulator": sim_notes["stall_ms"], "desktops": seen["stall_ms"]},
             "ended": seen["ended"], "refused": seen["refused"], "closed": seen["closed"],
             "others_cores": others_cores(before, after)}
    return Level(clients, calls, (min(ups), max(ups)), [p[0] for p in pops],
                 stages(pops, probe, in_sim), [p[3] for p in pops], notes)


def start_child(context: Any, target: Callable[..., None], *args: object) -> Connection:
    control, child_end = context.Pipe()
    context.Process(target=target, args=(*args, child_end), daemon=True).start()
    if answer(control, 300) != "ready":
        raise SystemExit(f"{target.__name__} did not start")
    return control


@dataclass
class Rig:
    """The three processes, wired: the simulator and the desktops behind their pipes."""

    sim: Connection
    desks: Connection
    daemon: Any
    probe: Probe
    stalls: hub_side.Stalls
    cert: Path
    names: list[str]  # the desktop agents' usernames


@contextmanager
def rig(root: Path, levels: list[tuple[int, int]], talk: tuple[float, float]) -> Iterator[Rig]:
    from callcenter.hub.tls import make_self_signed

    desktops = max(clients for clients, _ in levels)
    agents = max(desktops, int(max(calls for _, calls in levels) * 1.25) + 10)
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no gevent hub forked
    cert, key = root / "hub.crt", root / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    settings = hub_side.settings_for(hub_side.free_port(), hub_side.free_port(), cert, key)
    conf = hub_side.switch_conf(settings, root)
    sessions = hub_side.database(root / "bench.sqlite3", agents, desktops)
    plan = hub_side.SimPlan(str(conf), settings.switch.port, agents, desktops, talk=talk)
    sim = start_child(context, hub_side.serve_sim, plan)
    desks = start_child(context, serve_clients)
    daemon = hub_side.start_daemon(settings, sessions)
    probe = Probe()
    probe.attach(daemon)
    try:
        yield Rig(sim, desks, daemon, probe, hub_side.Stalls(), cert,
                  [hub_side.agent_name(n) for n in range(desktops)])
    finally:
        ask(sim, "hang up")
        gevent.sleep(1)
        daemon.stop()
        ask(desks, "quit")
        ask(sim, "quit")


def run_level(rig: Rig, clients: int, calls: int, ramp: float, settle: float,
              window: float) -> Level:
    """Log in the level's desktops, raise the calls, measure."""
    port = rig.daemon.hub.server.address[1]
    logged = ask(rig.desks, "connect", port, str(rig.cert), rig.names[:clients], timeout=900)
    if logged["failed"]:
        raise SystemExit(f"desktops not logged in: {logged['failed'][:5]}")
    rig.stalls.take()
    level = measure(rig.sim, rig.desks, rig.probe, (clients, calls), ramp, settle, window)
    level.notes.update(logins=(logged["new"], logged["seconds"]),
                       daemon_stall_ms=rig.stalls.take())
    return level


def run(levels: list[tuple[int, int]], window: float, settle: float, ramp_rate: float,
        talk: tuple[float, float]) -> list[Level]:
    results, before = [], 0
    with tempfile.TemporaryDirectory() as tmp, rig(Path(tmp), levels, talk) as wired:
        for clients, calls in levels:
            ramp = max(0, calls - before) / ramp_rate
            results.append(run_level(wired, clients, calls, ramp, settle, window))
            before = max(before, calls)
    return results


def print_table(levels: list[Level], window: float) -> None:
    print("screen-pop latency: bridge-agent-start at the switch (Event-Date-Timestamp) → the "
          "screen_pop read by the desktop's WebSocket (wall clock)")
    print(f"simulator, daemon + hub (TLS), desktops: three processes on this machine; "
          f"{window:.0f} s measured per level after the ramp")
    print(f"{'clients':>7} {'calls':>6} {'calls up':>10} {'pops':>6} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7}")
    for level in levels:
        lat = level.latencies_ms
        print(f"{level.clients:>7} {level.calls:>6} {level.up[0]:>5}-{level.up[1]:<4} "
              f"{len(lat):>6} {percentile(lat, 0.5):>7.1f} {percentile(lat, 0.99):>7.1f} "
              f"{max(lat, default=float('nan')):>7.1f}")
    print()
    print(f"{'where the time goes, p50 / p99 ms':<34}" +
          "".join(f"{f'{lv.clients} × {lv.calls}':>16}" for lv in levels))
    for name in STAGES:
        cells = [f"{percentile(lv.stages_ms[name], 0.5):.1f} / "
                 f"{percentile(lv.stages_ms[name], 0.99):.1f}" for lv in levels]
        print(f"{name:<34}" + "".join(f"{c:>16}" for c in cells))
    print()
    for level in levels:
        print_notes(level)


def print_notes(level: Level) -> None:
    notes, stall = level.notes, level.notes["stall_ms"]
    new, seconds = notes["logins"]
    logins = f"{new} desktops logged in first ({seconds:.1f} s)" if new else "no new desktop"
    size = percentile([float(b) for b in level.pop_bytes], 0.5) / 1024
    refused = f"{len(notes['refused'])} {notes['refused'][:3]}" if notes["refused"] else "0"
    stalls = (f"simulator {stall['simulator']:.0f} ms, daemon {notes['daemon_stall_ms']:.0f} "
              f"ms, desktops {stall['desktops']:.0f} ms")
    print(f"  {level.clients} × {level.calls}: {logins}; pop {size:.1f} KiB; "
          f"{notes['ended']} call_ended; longest loop stall: {stalls}; refused {refused}; "
          f"connections closed {notes['closed']}; other processes used "
          f"{notes['others_cores']:.2f} of the machine's {os.cpu_count()} cores")


def level_pair(text: str) -> tuple[int, int]:
    clients, _, calls = text.partition(":")
    return int(clients), int(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="50:100,300:500,300:1000",
                        help="clients:calls levels, raised in this order")
    parser.add_argument("--window", type=float, default=90.0, help="seconds measured per level")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds after the calls are up before the window")
    parser.add_argument("--ramp-rate", type=float, default=50.0, help="new calls a second")
    parser.add_argument("--talk", default="30:90", help="talk seconds, uniform low:high")
    args = parser.parse_args()
    levels = [level_pair(t) for t in args.levels.split(",")]
    low, _, high = args.talk.partition(":")
    results = run(levels, args.window, args.settle, args.ramp_rate, (float(low), float(high)))
    print_table(results, args.window)
    at = next((r for r in results if (r.clients, r.calls) == (300, 1000)), None)
    p99 = "not measured" if at is None else f"{percentile(at.latencies_ms, 0.99):.0f} ms"
    print(f"screen-pop p99 at 1000 calls, 300 clients: {p99}")


if __name__ == "__main__":
    main()
