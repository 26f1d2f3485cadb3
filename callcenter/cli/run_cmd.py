"""`callcenter run` and `callcenter config show`."""

from __future__ import annotations

import argparse
import logging

from sqlalchemy import func, select

from callcenter.cli.context import database, settings
from callcenter.config import render
from db.models import Agent, Topic


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("run", help="run the daemon against the configured switch")
    p.set_defaults(handler=run)
    config = commands.add_parser("config", help="the effective configuration")
    sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    p = sub.add_parser("show", help="print the configuration in effect, secrets masked")
    p.set_defaults(handler=show)


def show(args: argparse.Namespace) -> None:
    print(render(settings(args)), end="")


def run(args: argparse.Namespace) -> int:
    """Run the daemon until SIGINT/SIGTERM: switch link, live state, IVR, agents."""
    import signal

    import gevent
    import gevent.event

    from callcenter.daemon import Daemon, freeze_startup_objects

    config = settings(args)
    logging.basicConfig(level=config.logging.level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with database(args) as session:
        topics = session.scalars(select(Topic).where(Topic.active).order_by(Topic.menu_key)).all()
        agents = session.scalar(select(func.count()).select_from(Agent).where(Agent.active))
        print(f"database: up to date; {len(topics)} active topics, {agents} active agents")
    stop: gevent.event.AsyncResult[str] = gevent.event.AsyncResult()
    for signum in (signal.SIGINT, signal.SIGTERM):  # before anything says we are up
        gevent.signal_handler(signum, stop.set, signal.Signals(signum).name)
    daemon = Daemon(config)
    daemon.start()
    gevent.spawn(freeze_startup_objects, daemon)
    print(f"switch: connecting to {config.switch.host}:{config.switch.port}; "
          f"IVR listening on {config.ivr.listen_host}:{config.ivr.listen_port}", flush=True)
    log = logging.getLogger("callcenter.daemon")
    log.warning("daemon: %s: stopping (calls on the switch go on; callers in the menu go on "
                "to the static menu)", stop.get())
    daemon.stop()
    log.warning("daemon: stopped")
    return 0
