"""`callcenter db`: migrations and reference data."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url

from callcenter.cli.context import database, settings
from db import migrate
from db.audit import command_line_actor, record
from db.engine import make_engine
from db.units import load_units, read_units_csv


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema and reference data")
    sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    p = sub.add_parser("upgrade", help="migrate the schema up (default: to the newest)")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(handler=upgrade)
    p = sub.add_parser("downgrade", help="migrate the schema down to REVISION (base: empty)")
    p.add_argument("revision")
    p.set_defaults(handler=downgrade)
    p = sub.add_parser("current", help="show the schema revision of the database")
    p.set_defaults(handler=current)
    p = sub.add_parser("revision", help="write a new migration from the models' changes")
    p.add_argument("-m", "--message", required=True)
    p.add_argument("--empty", action="store_true", help="do not autogenerate operations")
    p.set_defaults(handler=revision)
    p = sub.add_parser("load-units", help="load or update administrative units from a CSV file")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=load_units_cmd)


def _url(args: argparse.Namespace) -> str:
    return settings(args).database_url()


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def upgrade(args: argparse.Namespace) -> None:
    url = _url(args)
    migrate.upgrade(url, args.revision)
    print(f"database {_shown(url)} is at revision {_revision(url)}")


def downgrade(args: argparse.Namespace) -> None:
    url = _url(args)
    migrate.downgrade(url, args.revision)
    print(f"database {_shown(url)} is at revision {_revision(url)}")


def current(args: argparse.Namespace) -> None:
    url = _url(args)
    rev, head = _revision(url), migrate.head_revision()
    state = "up to date" if rev == head else f"newest is {head}"
    print(f"{_shown(url)}: revision {rev} ({state})")


def revision(args: argparse.Namespace) -> None:
    migrate.revision(_url(args), args.message, autogenerate=not args.empty)


def _revision(url: str) -> str:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine) or "none (empty)"
    finally:
        engine.dispose()


def load_units_cmd(args: argparse.Namespace) -> None:
    rows = read_units_csv(args.file)
    with database(args) as session:
        changes = load_units(session, rows)
        record(session, command_line_actor(), "units.load", str(args.file), changes=len(changes))
    for line in changes:
        print(line)
    print(f"{len(rows)} units read, {len(changes)} changed")
