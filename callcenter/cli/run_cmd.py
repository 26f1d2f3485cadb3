"""`callcenter run` and `callcenter config show`."""

from __future__ import annotations

import argparse

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
    """Check what the daemon will stand on, then say plainly that the daemon is not built yet.

    The switch link, the IVR server and the live state arrive with the next issues; until
    then there is nothing to run, and pretending otherwise would mislead the operator.
    """
    config = settings(args)
    with database(args) as session:
        topics = session.scalars(select(Topic).where(Topic.active).order_by(Topic.menu_key)).all()
        agents = session.scalar(select(func.count()).select_from(Agent).where(Agent.active))
        print(f"configuration: ok; database: up to date; {len(topics)} active topics, "
              f"{agents} active agents")
        for t in topics:
            print(f"  key {t.menu_key}: {t.name_vi} → queue {t.queue}")
    print(f"switch: FreeSWITCH's event socket would be {config.switch.host}:{config.switch.port}, "
          f"the IVR socket {config.ivr.listen_host}:{config.ivr.listen_port}.")
    print("The daemon itself (switch link, IVR, live state) is not built yet: there is no switch "
          "to run against and no simulator either. Nothing was started.")
    return 0
