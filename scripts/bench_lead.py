"""The lead's live board under load: a thousand calls, 300 agents, 20 lead desktops.

latency = from an event at the switch (its Event-Date-Timestamp, stamped by the simulator when
it creates the event; at speed 1 its clock is the wall clock) to the `lead_board` push that
shows it read by the lead's WebSocket (the wall clock, read before the message is parsed),
measured in each lead's process for (scripts/bench_support/lead_clients.py):
- a new `waiting` row: received - joined_at (member-queue-start),
- an agent row whose `since` changed: received - since (the agent's status or state event),
- an agent row whose call.answered_at appeared: received - answered_at (bridge-agent-start).
Every process reads the same clock. The hub builds the board at most every 0.1 s (LeadDesk
.publish), so up to 100 ms of each latency is that wait, by design. Each sample is cut where it
was noted: the simulator's writer handing the event's frame to the kernel (the simulator is the
harness, not FreeSWITCH: its share is shown apart), the daemon's apply() of it, the push's
`server_time` (read after the build, before the first send), the lead's read.

The processes:
1. the simulator (scripts/bench_support/hub_side.py): the rendered switch_conf at speed 1,
   callers arriving until N calls are up at once (in the IVR, queued, or talking; each call
   dials again when it ends), the agents' phones answering after 1 s;
2. the real `callcenter.daemon.Daemon` (this process) with the hub on TLS, on a SQLite file
   with the shipped topics and units, the agents (phones only: tiers on the three topics,
   Available on the switch from the start, no desktop) and the leads: accounts of role
   "admin" (they see every topic and every agent), with no phone;
3. one process per lead (multiprocessing, spawn): logged in, every push applied with
   protocol.board.apply_board, as the desktop's lead window does.

Once the calls are up and a settling time has passed, three windows of equal length are
measured: no lead connected, the leads connected (after a few seconds for their whole boards),
no lead again. The hub's CPU share per lead is the daemon process's CPU seconds per wall
second with the leads, minus the mean of the two windows without, divided by the number of
leads. The daemon's process is this one: the harness's own share (a status poll every 0.5 s)
is the same in every window and cancels out."""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import gevent  # noqa: E402
from bench_hub import answer, ask, percentile, start_child  # noqa: E402
from bench_support import hub_side  # noqa: E402
from bench_support.lead_clients import KINDS, serve_lead  # noqa: E402
from bench_support.machine import machine_busy_seconds, own_seconds  # noqa: E402

LEAD_SETTLE = 5.0  # seconds after the leads' whole boards came, before their window
KIND_NAMES = {"waiting": "new waiting row", "since": "agent since", "answered": "answered_at",
              "all": "all"}
CUTS = ("in the simulator (created → sent)", "sent → the daemon's live state",
        "live state → board built", "built → read by the lead")


@dataclass
class Probe:
    """The daemon's side, timed in its process: when each event reached the live state (its
    way from its creation at the switch: the simulator's writer, the link, apply()), each
    board build, each LeadDesk.publish() that built one (the build, then a diff and a JSON
    dump per lead and the queueing: it never yields, the loop is held meanwhile)."""

    times: dict[str, list[float]] = field(default_factory=lambda: {
        "applied": [], "build": [], "publish": []})  # ms
    applied_at: dict[int, float] = field(default_factory=dict)  # event µs → wall clock, s

    def attach(self, daemon: Any) -> None:
        import callcenter.hub.lead as lead_module

        lead_desk = daemon.hub.lead
        publish: Callable[..., None] = lead_desk.publish
        build: Callable[[Any], Any] = lead_module.build
        applied: Callable[[int, list[Any]], None] = daemon.metrics.applied

        def timed_publish(force: bool = False) -> None:
            builds, start = lead_desk.builds, time.perf_counter()
            publish(force)
            if lead_desk.builds != builds:
                self.times["publish"].append((time.perf_counter() - start) * 1000)

        def timed_build(inputs: Any) -> Any:
            start = time.perf_counter()
            board = build(inputs)
            self.times["build"].append((time.perf_counter() - start) * 1000)
            return board

        def on_applied(created_us: int, effects: list[Any]) -> None:
            if created_us:
                now = time.time()
                self.times["applied"].append(now * 1000 - created_us / 1000)
                if effects:
                    self.applied_at.setdefault(created_us, now)
            applied(created_us, effects)

        lead_desk.publish, lead_module.build = timed_publish, timed_build
        daemon.metrics.applied = on_applied

    def take(self) -> tuple[dict[str, list[float]], dict[int, float]]:
        taken = self.times, self.applied_at
        self.times, self.applied_at = {name: [] for name in self.times}, {}
        return taken


@dataclass
class Window:
    name: str
    seconds: float
    up: tuple[int, int]  # calls up, lowest and highest seen
    cores: dict[str, float]  # CPU seconds per wall second: daemon, simulator, leads, others
    builds: int
    daemon_ms: dict[str, list[float]]  # Probe's times, and the simulator's ("sim")
    applied_at: dict[int, float]  # Probe's
    sim_waits: dict[str, float]  # event µs (text) → ms it waited inside the simulator
    stall_ms: dict[str, float]  # daemon, simulator, leads (the worst of them)
    leads: list[dict[str, Any]]  # each lead's take at the end


@dataclass
class Rig:
    sim: Connection
    leads: list[Connection]
    daemon: Any
    probe: Probe
    stalls: hub_side.Stalls
    cert: Path


def lead_name(n: int) -> str:
    return f"lead{n:03d}"


def broadcast(controls: list[Connection], *message: object,
              timeout: float = 120.0) -> list[Any]:
    """The same message to every child, then their answers (they work meanwhile)."""
    for control in controls:
        control.send(message)
    return [answer(control, timeout) for control in controls]


def start_children(context: Any, target: Callable[[Connection], None], count: int
                   ) -> list[Connection]:
    """bench_hub.start_child, `count` times, all started before the first is waited for."""
    controls = []
    for _ in range(count):
        control, child_end = context.Pipe()
        context.Process(target=target, args=(child_end,), daemon=True).start()
        controls.append(control)
    for control in controls:
        if answer(control, 300) != "ready":
            raise SystemExit(f"{target.__name__} did not start")
    return controls


@contextmanager
def rig(root: Path, agents: int, leads: int, talk: tuple[float, float]) -> Iterator[Rig]:
    from callcenter.hub.tls import make_self_signed

    context = multiprocessing.get_context("spawn")  # fresh interpreters: no gevent hub forked
    cert, key = root / "hub.crt", root / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    settings = hub_side.settings_for(hub_side.free_port(), hub_side.free_port(), cert, key)
    conf = hub_side.switch_conf(settings, root)
    sessions = hub_side.database(root / "bench.sqlite3", agents, 0)
    hub_side.add_accounts(sessions, [lead_name(n) for n in range(leads)], "admin")
    plan = hub_side.SimPlan(str(conf), settings.switch.port, agents, 0, talk=talk,
                            every_event=True)
    sim = start_child(context, hub_side.serve_sim, plan)
    lead_controls = start_children(context, serve_lead, leads)
    daemon = hub_side.start_daemon(settings, sessions)
    assert daemon.hub is not None
    probe = Probe()
    probe.attach(daemon)
    try:
        yield Rig(sim, lead_controls, daemon, probe, hub_side.Stalls(), cert)
    finally:
        ask(sim, "hang up")
        gevent.sleep(1)
        daemon.stop()
        broadcast(lead_controls, "quit")
        ask(sim, "quit")


def point(wired: Rig) -> dict[str, Any]:
    """The children's news since the last point, and the CPU seconds used so far by each of
    our processes and by the whole machine."""
    sim, leads = ask(wired.sim, "take"), broadcast(wired.leads, "take")
    return {"sim": sim, "leads": leads, "daemon": own_seconds(), "simulator": sim["cpu_s"],
            "lead processes": sum(lead["cpu_s"] for lead in leads),
            "machine": machine_busy_seconds(), "at": time.monotonic()}


def window(wired: Rig, name: str, seconds: float,
           profile: cProfile.Profile | None = None) -> Window:
    before = point(wired)
    wired.stalls.take()
    wired.probe.take()
    builds = wired.daemon.hub.lead.builds
    if profile is not None:
        profile.enable()
    ups, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        ups.append(ask(wired.sim, "status")["up"])
        gevent.sleep(0.5)
    if profile is not None:
        profile.disable()
    builds = wired.daemon.hub.lead.builds - builds
    stall, (daemon_ms, applied_at) = wired.stalls.take(), wired.probe.take()
    after = point(wired)
    wall = after["at"] - before["at"]
    cores = {k: (after[k] - before[k]) / wall for k in ("daemon", "simulator", "lead processes",
                                                          "machine")}
    cores["others"] = max(0.0, cores.pop("machine") - sum(cores.values()))
    sim_waits = after["sim"]["bridge_waits_ms"]  # every event's (SimPlan.every_event)
    daemon_ms["sim"] = list(sim_waits.values())
    stalls = {"daemon": stall, "simulator": after["sim"]["stall_ms"],
              "leads": max((lead["stall_ms"] for lead in after["leads"]), default=0.0)}
    return Window(name, wall, (min(ups), max(ups)), cores, builds, daemon_ms, applied_at,
                  sim_waits, stalls, after["leads"])


def raise_calls(wired: Rig, calls: int, ramp: float, settle: float) -> None:
    ask(wired.sim, "grow", calls, ramp)
    deadline = time.monotonic() + ramp + 120
    while ask(wired.sim, "status")["up"] < 0.98 * calls and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(settle)


def connect_leads(wired: Rig) -> list[dict[str, Any]]:
    port = wired.daemon.hub.server.address[1]
    for n, control in enumerate(wired.leads):
        control.send(("connect", port, str(wired.cert), lead_name(n)))
    logged = [answer(control, 300) for control in wired.leads]
    failed = [one["failed"] for one in logged if one["failed"]]
    if failed:
        raise SystemExit(f"leads not logged in: {failed[:5]}")
    return logged


@dataclass
class Result:
    args: argparse.Namespace
    windows: list[Window]
    logins: list[dict[str, Any]]


def run(args: argparse.Namespace) -> Result:
    low, _, high = args.talk.partition(":")
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp, \
            rig(Path(tmp), args.agents, args.leads, (float(low), float(high))) as wired:
        raise_calls(wired, args.calls, args.calls / args.ramp_rate, args.settle)
        windows = [window(wired, "no lead", args.window)]
        logins = connect_leads(wired)
        gevent.sleep(LEAD_SETTLE)
        windows.append(window(wired, f"{args.leads} leads", args.window, profile))
        broadcast(wired.leads, "disconnect")
        gevent.sleep(LEAD_SETTLE)
        windows.append(window(wired, "no lead again", args.window))
    if profile is not None:
        profile.dump_stats(args.profile)
    return Result(args, windows, logins)


def pooled(leads: list[dict[str, Any]]) -> dict[str, list[tuple[float, float, int]]]:
    """Every lead's samples by kind: (received - event, built - event ms, event µs)."""
    out: dict[str, list[tuple[float, float, int]]] = {kind: [] for kind in (*KINDS, "all")}
    for lead in leads:
        for kind in KINDS:
            out[kind] += lead["samples"][kind]
            out["all"] += lead["samples"][kind]
    return out


def cuts(samples: list[tuple[float, float, int]], w: Window) -> list[list[float]]:
    """Each sample whose event the simulator saw sent and the probe saw applied, cut in CUTS
    (ms). The second cut compares two processes' clocks around a loopback write."""
    out: list[list[float]] = [[] for _ in CUTS]
    for latency, built, event_us in samples:
        applied, sim = w.applied_at.get(event_us), w.sim_waits.get(str(event_us))
        if applied is not None and sim is not None:
            state = applied * 1000 - event_us / 1000
            for row, ms in zip(out, (sim, state - sim, built - state, latency - built),
                               strict=True):
                row.append(ms)
    return out


def beyond_simulator(rows: list[list[float]]) -> list[float]:
    """Each matched sample's latency less its first cut, the time the event waited inside the
    simulator (the harness: FreeSWITCH sends an event as it makes it)."""
    return [sum(row[i] for row in rows[1:]) for i in range(len(rows[0]))]


def spread(values: list[float], top: bool = False) -> str:
    if not values:
        return "-"
    text = f"{percentile(values, 0.5):.1f} / {percentile(values, 0.99):.1f}"
    return f"{text} / {max(values):.1f}" if top else text


def print_report(result: Result) -> int:
    """The tables; answers the overall p99 (ms)."""
    args, with_leads = result.args, result.windows[1]
    samples = pooled(with_leads.leads)
    print("lead board latency: an event at the switch (Event-Date-Timestamp) → the lead_board "
          "push that shows it, read by the lead's WebSocket (wall clock)")
    print(f"simulator, daemon + hub (TLS), {args.leads} lead processes (role admin: every "
          f"topic, every agent) on this machine; {args.calls} calls, {args.agents} agents "
          f"(phones only); {args.window:.0f} s windows")
    print(f"{'kind':<16} {'samples':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind in (*KINDS, "all"):
        total = [s[0] for s in samples[kind]]
        print(f"{KIND_NAMES[kind]:<16} {len(total):>8} {percentile(total, 0.5):>7.1f} "
              f"{percentile(total, 0.99):>7.1f} {max(total, default=float('nan')):>7.1f}")
    print()
    split = {kind: cuts(samples[kind], with_leads) for kind in (*KINDS, "all")}
    print(f"{'where the time goes, p50 / p99 ms':<34}" +
          "".join(f"{KIND_NAMES[kind]:>16}" for kind in split))
    for n, name in enumerate(CUTS):
        print(f"{name:<34}" + "".join(f"{spread(rows[n]):>16}" for rows in split.values()))
    print(f"{'  (samples matched)':<34}" +
          "".join(f"{len(rows[0]):>16}" for rows in split.values()))
    print(f"{'less the simulator (sent → read)':<34}" +
          "".join(f"{spread(beyond_simulator(rows)):>16}" for rows in split.values()))
    print()
    print(f"{'window':<14} {'calls up':>10}  {'CPU % of a core: daemon':>23} {'sim':>5} "
          f"{'leads':>6} {'others':>6}  {'builds/s':>8}  {'stall ms: daemon':>16} "
          f"{'leads':>5} {'sim':>5}")
    for w in result.windows:
        c = {k: v * 100 for k, v in w.cores.items()}
        print(f"{w.name:<14} {w.up[0]:>5}-{w.up[1]:<4}  {c['daemon']:>23.1f} "
              f"{c['simulator']:>5.1f} {c['lead processes']:>6.1f} {c['others']:>6.1f}  "
              f"{w.builds / w.seconds:>8.1f}  {w.stall_ms['daemon']:>16.0f} "
              f"{w.stall_ms['leads']:>5.0f} {w.stall_ms['simulator']:>5.0f}")
    print()
    print(f"{'every event, ms':<16} {'event → live state':>19} {'of which in the sim':>20} "
          f"{'board build':>13} {'publish (loop held)':>22}")
    print(f"{'':<16} {'p50 / p99':>19} {'p50 / p99':>20} {'p50 / p99':>13} "
          f"{'p50 / p99 / max':>22}")
    for w in result.windows:
        ms = w.daemon_ms
        print(f"{w.name:<16} {spread(ms['applied']):>19} {spread(ms['sim']):>20} "
              f"{spread(ms['build']):>13} {spread(ms['publish'], True):>22}")
    print()
    print_summary(result)
    return round(percentile([s[0] for s in samples["all"]], 0.99))


def print_summary(result: Result) -> None:
    args, (before, with_leads, after) = result.args, result.windows
    leads, seconds = with_leads.leads, with_leads.seconds
    total = {key: sum(lead[key] for lead in leads)
             for key in ("pushes", "bytes", "rows", "position_only", "closed", "others")}
    base = (before.cores["daemon"] + after.cores["daemon"]) / 2
    share = (with_leads.cores["daemon"] - base) / max(1, args.leads)
    holding = sum(with_leads.daemon_ms["publish"]) / 1000 / seconds
    print(f"hub CPU per lead: {share * 100:.2f} % of one core (the daemon's process "
          f"{with_leads.cores['daemon']:.1%} with {args.leads} leads, {base:.1%} without: the "
          f"mean of {before.cores['daemon']:.1%} and {after.cores['daemon']:.1%}); publish() "
          f"held its loop {holding:.1%} of the time")
    print(f"per lead: {total['pushes'] / len(leads) / seconds:.1f} pushes/s, "
          f"{total['bytes'] / len(leads) / seconds / 1024:.1f} KiB/s of JSON (a whole board: "
          f"{max(one['full_bytes'] for one in result.logins) / 1024:.0f} KiB), "
          f"{total['rows'] / max(1, total['pushes']):.0f} rows a push "
          f"({total['position_only'] / max(1, total['rows']):.0%} of them waiting rows whose "
          f"position alone changed); board builds {with_leads.builds / seconds:.1f}/s")
    rows = leads[0]["board"] if leads else {}
    print("board rows: " + ", ".join(f"{section} {count}" for section, count in rows.items()))
    refused = [r for lead in leads for r in lead["refused"]]
    print(f"{args.leads} leads logged in with their whole board in "
          f"{max(one['seconds'] for one in result.logins):.1f} s at most; refused "
          f"{len(refused)} {refused[:3]}; connections closed {total['closed']}; other pushes "
          f"{total['others']}; the machine has {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="calls up at once")
    parser.add_argument("--agents", type=int, default=300, help="agents answering their phone")
    parser.add_argument("--leads", type=int, default=20, help="lead desktops, a process each")
    parser.add_argument("--window", type=float, default=60.0, help="seconds measured per window")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds after the calls are up before the first window")
    parser.add_argument("--ramp-rate", type=float, default=50.0, help="new calls a second")
    parser.add_argument("--talk", default="30:90", help="talk seconds, uniform low:high")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the daemon's process during the leads' window into FILE "
                             "(and print its top functions)")
    args = parser.parse_args()
    result = run(args)
    p99 = print_report(result)
    if args.profile:
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    matched = beyond_simulator(cuts(pooled(result.windows[1].leads)["all"], result.windows[1]))
    print(f"lead board p99 at {args.calls} calls, {args.leads} leads, from the event leaving "
          f"the simulator: {percentile(matched, 0.99):.0f} ms")
    print(f"lead board p99 at {args.calls} calls, {args.leads} leads: {p99} ms")


if __name__ == "__main__":
    main()
