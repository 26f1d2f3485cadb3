"""Event-to-state latency at N concurrent calls: the simulator in a process of its own
(bench_support.sim_side), the real daemon in this one (bench_support.daemon_side).

Level by level, the simulator's caller slots are raised to N over a ramp (`ramp_rate` new calls
a second); once N callers are up and the ramp's burst has settled, every event the daemon applies
during the window is measured, while calls keep ending and their slots keep dialling again. The
calls up are sampled through the window."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gevent
import gevent.socket

from bench_support import daemon_side
from bench_support.lag import LagMonitor
from bench_support.machine import machine_busy_seconds, own_seconds
from bench_support.sim_side import SimPlan, serve
from bench_support.stats import percentile  # also latency.percentile, for bench_daemon

if TYPE_CHECKING:
    from callcenter.daemon import Daemon


@dataclass(frozen=True)
class Level:
    calls: int  # concurrent calls asked for
    up: tuple[int, int]  # calls up, lowest and highest seen in the window
    latencies_ms: list[float]  # event-to-state, every event of the window
    in_sim_ms: list[float]  # of which inside the simulator (creation → socket write)
    stall_ms: tuple[float, float]  # the longest loop stall, simulator and daemon
    tracked: int  # calls in the daemon's live state at the end of the window
    others_cores: float  # CPU the machine's other processes used meanwhile, in cores

    @property
    def events(self) -> int:
        return len(self.latencies_ms)


def ask(control: Connection, *message: object, timeout: float = 60.0) -> Any:
    control.send(message)
    with gevent.Timeout(timeout):
        gevent.socket.wait_read(control.fileno())
    return control.recv()


def wait_up(control: Connection, calls: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while ask(control, "status")["up"] < 0.98 * calls and time.monotonic() < deadline:
        gevent.sleep(0.5)


def measure_level(control: Connection, daemon: Daemon, probe: daemon_side.Probe,
                  lag: LagMonitor, calls: int, ramp: float, settle: float,
                  window: float) -> Level:
    ask(control, "grow", calls, ramp)
    wait_up(control, calls, ramp + 120)
    gevent.sleep(settle)
    ups: list[int] = []
    lag.take()
    before = (ask(control, "take")["cpu_s"], own_seconds(), machine_busy_seconds(),
              time.monotonic())
    with probe.window() as samples:
        while time.monotonic() < before[3] + window:
            ups.append(ask(control, "status")["up"])
            gevent.sleep(0.5)
        taken = list(samples)
    sim, lag_here = ask(control, "take"), lag.take()
    ours = sim["cpu_s"] - before[0] + own_seconds() - before[1]
    others = (machine_busy_seconds() - before[2] - ours) / (time.monotonic() - before[3])
    return Level(calls, (min(ups), max(ups)), taken, sim["emit_ms"],
                 (sim["lag_max_ms"], lag_here["lag_max_ms"]), len(daemon.state.calls),
                 max(0.0, others))


def run(levels: list[int], window: float, switch: dict[str, Any] | None = None,
        ramp_rate: float = 50.0, settle: float = 8.0) -> list[Level]:
    """Raise the calls level by level and measure each; agents: 1.25 × the highest level.
    `switch`: overrides of the daemon's [switch] settings."""
    esl_port, ivr_port = daemon_side.free_port(), daemon_side.free_port()
    settings = daemon_side.settings_for(esl_port, ivr_port, switch or {})
    agents = int(max(levels) * 1.25) + 10
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no gevent hub forked
    with tempfile.TemporaryDirectory() as tmp:
        conf = daemon_side.switch_conf(settings, Path(tmp))
        sessions = daemon_side.database(Path(tmp) / "bench.sqlite3", agents)
        control, child_end = context.Pipe()
        child = context.Process(target=serve, daemon=True, args=(
            SimPlan(str(conf), esl_port, daemon_side.PASSWORD, agents), child_end))
        child.start()
        with gevent.Timeout(300):
            gevent.socket.wait_read(control.fileno())
        if control.recv() != "ready":
            raise SystemExit("the simulator did not start")
        probe, lag = daemon_side.Probe(), LagMonitor()
        daemon = daemon_side.start_daemon(settings, sessions, probe)
        try:
            results, before = [], 0
            for calls in sorted(levels):
                ramp = (calls - before) / ramp_rate
                results.append(measure_level(control, daemon, probe, lag, calls, ramp, settle,
                                             window))
                before = calls
        finally:
            ask(control, "hang up")  # every call ends, as the daemon sees
            gevent.sleep(1)
            daemon.stop()
            lag.stop()
            ask(control, "quit")
            child.join(10)
    return results


def print_table(levels: list[Level], window: float) -> None:
    print(f"latency: event created in the simulator (Event-Date-Timestamp) → applied to the "
          f"daemon's live state; {window:.0f} s window per level, simulator in another process")
    print(f"{'concurrent calls':>16} {'events':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for level in levels:
        print(f"{level.calls:>16,} {level.events:>8,} {percentile(level.latencies_ms, 0.5):>8.1f}"
              f" {percentile(level.latencies_ms, 0.99):>8.1f}")
    for level in levels:
        print(f"  {level.calls:,} calls: {level.up[0]:,}-{level.up[1]:,} up in the window, "
              f"{level.tracked:,} in the daemon's live state at its end; other processes used "
              f"{level.others_cores:.2f} of the machine's {os.cpu_count()} cores meanwhile")
        print(f"    inside the simulator (creation → socket write): p50 "
              f"{percentile(level.in_sim_ms, 0.5):.1f} ms, p99 "
              f"{percentile(level.in_sim_ms, 0.99):.1f} ms; longest loop stall: simulator "
              f"{level.stall_ms[0]:.0f} ms, daemon {level.stall_ms[1]:.0f} ms")
