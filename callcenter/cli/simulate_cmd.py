"""`callcenter simulate`: the switch simulator on its own (see callcenter/sim/runner.py)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from callcenter.sim.people import CallerMix
from callcenter.sim.runner import DEFAULT_CONF, Simulation, run


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "simulate", help="run the FreeSWITCH simulator (Event Socket, calls, mod_callcenter)")
    p.add_argument("--listen", default="127.0.0.1:8021", metavar="HOST:PORT",
                   help="Event Socket address (default 127.0.0.1:8021)")
    p.add_argument("--password", default="ClueCon", help="Event Socket password")
    p.add_argument("--conf-dir", type=Path, default=DEFAULT_CONF,
                   help="FreeSWITCH configuration tree (dialplan/, autoload_configs/)")
    p.add_argument("--rate", type=float, default=0.0, help="calls per minute (0: none)")
    p.add_argument("--agents", type=int, default=0, help="simulated agents on every queue")
    p.add_argument("--duration", type=float, default=None, help="seconds to run (default: ever)")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--seed", type=int, default=1, help="random seed, for repeatable runs")
    p.set_defaults(handler=simulate)


def simulate(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host, _, port = args.listen.rpartition(":")
    sim = Simulation(conf_dir=args.conf_dir, host=host or "127.0.0.1", port=int(port),
                     password=args.password, speed=args.speed, seed=args.seed,
                     agents=args.agents, mix=CallerMix(rate_per_minute=args.rate))
    switch = run(sim, args.duration)
    print(f"{switch.sessions_since_startup} calls carried, {len(switch.sessions)} still up")
    return 0
