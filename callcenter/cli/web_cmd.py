"""`callcenter web`: serve the declaration form and the portal's API; manage the API keys of
the sources that may post declarations; write the API's OpenAPI document."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.cli.context import database, settings
from db import audit
from db.errors import DataError
from db.models import ApiSource

SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
RESERVED = ("web",)  # the public form's own source name


def register(commands: argparse._SubParsersAction) -> None:
    web = commands.add_parser("web", help="the public declaration form and the portal's API")
    sub = web.add_subparsers(dest="web_command", required=True, metavar="ACTION")
    p = sub.add_parser("serve", help="serve the form and the API ([web] settings)")
    p.add_argument("--port", type=int, help="listen on this port instead of [web] listen_port")
    p.add_argument("--ready-file", type=Path, help="write the port here once listening")
    p.add_argument("--workers", type=int, help="processes serving the port (default: [web] "
                   "workers)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=serve)
    key = sub.add_parser("key", help="API keys of the sources that post declarations")
    keys = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    p = keys.add_parser("add", help="make a source and print its key (shown once)")
    p.add_argument("source", help="the source's name, e.g. portal")
    p.set_defaults(handler=key_add)
    p = keys.add_parser("rotate", help="a new key for a source (the old one stops working)")
    p.add_argument("source")
    p.set_defaults(handler=key_rotate)
    p = keys.add_parser("revoke", help="stop a source's key")
    p.add_argument("source")
    p.set_defaults(handler=key_revoke)
    p = keys.add_parser("list", help="the sources and whether their key works")
    p.set_defaults(handler=key_list)
    p = sub.add_parser("openapi", help="write the API's OpenAPI document for a topics file")
    p.add_argument("--topics", type=Path, help="topics file (default: the shipped one)")
    p.add_argument("--out", type=Path, help="write here (default: standard output)")
    p.set_defaults(handler=write_openapi)


def serve(args: argparse.Namespace) -> int:
    from gevent import monkey

    from callcenter.web.process import stop
    from callcenter.web.server import (
        listening_socket,
        make_server,
        process_command,
        run_forever,
        start_workers,
        wait_for_workers,
    )
    from db.engine import make_engine, make_sessionmaker
    from db.migrate import is_current

    passed = ["--config", str(args.config)] if args.config else []
    if not monkey.is_module_patched("socket"):  # become `python -m callcenter.web`
        again = [*passed, *(["--port", str(args.port)] if args.port is not None else []),
                 *(["--ready-file", str(args.ready_file)] if args.ready_file else []),
                 *(["--workers", str(args.workers)] if args.workers is not None else []),
                 *(["--worker"] if args.worker else [])]
        command = process_command(again)
        os.execv(command[0], command)  # noqa: S606 — our own command, no shell
    config = settings(args)
    logging.basicConfig(level=config.logging.level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web = config.web
    port = args.port if args.port is not None else web.listen_port
    engine = make_engine(config.database_url(), pool_size=web.db_connections, max_overflow=0)
    if not is_current(engine):
        raise DataError("the database schema is not current: run `callcenter db upgrade`")
    listener = listening_socket(web.listen_host, port)
    server = make_server(config, make_sessionmaker(engine), listener=listener)
    workers: list[subprocess.Popen[bytes]] = []
    signals = Path(tempfile.mkdtemp(prefix="hotline1022-web-")) if not args.worker else Path()
    if not args.worker:
        count = (args.workers if args.workers is not None else web.workers) - 1
        workers = start_workers(passed, listener.getsockname()[1], count, signals)

    def ready(bound: int) -> None:
        """Said once every process listens (a worker says it through its own file)."""
        up = wait_for_workers(workers, signals) if workers else 0
        if up < len(workers):
            logging.getLogger("callcenter.web").error(
                "web: %d of %d worker processes did not start", len(workers) - up,
                len(workers))
        if args.ready_file is not None:
            args.ready_file.write_text(str(bound))
        logging.getLogger("callcenter.web").info("web: ready on port %s (%d processes)",
                                                 bound, up + 1)

    try:
        run_forever(server, ready, parent=os.getppid() if args.worker else None)
    finally:
        stop(workers)
        if not args.worker:
            shutil.rmtree(signals, ignore_errors=True)
        engine.dispose()
    return 0


def key_add(args: argparse.Namespace) -> int:
    name = _name(args.source)
    key = _new_key()
    with database(args) as session:
        if session.scalar(select(ApiSource).where(ApiSource.name == name)) is not None:
            raise DataError(f"source {name!r} exists: `callcenter web key rotate {name}` "
                            "gives it a new key")
        session.add(ApiSource(name=name, key_sha256=_sha256(key)))
        audit.record(session, audit.command_line_actor(), "api_key_added", name)
    print(f"source: {name}\nkey (shown once, keep it secret): {key}\n"
          f"send it as: Authorization: Bearer {key}")
    return 0


def key_rotate(args: argparse.Namespace) -> int:
    name = _name(args.source)
    key = _new_key()
    with database(args) as session:
        row = _source(session, name)
        row.key_sha256, row.active = _sha256(key), True
        audit.record(session, audit.command_line_actor(), "api_key_rotated", name)
    print(f"source: {name}\nnew key (shown once; the old one no longer works): {key}")
    return 0


def key_revoke(args: argparse.Namespace) -> int:
    name = _name(args.source)
    with database(args) as session:
        _source(session, name).active = False
        audit.record(session, audit.command_line_actor(), "api_key_revoked", name)
    print(f"source {name}: key revoked (within 30 s on a running `callcenter web`)")
    return 0


def key_list(args: argparse.Namespace) -> int:
    with database(args) as session:
        rows = session.scalars(select(ApiSource).order_by(ApiSource.name)).all()
        for row in rows:
            state = "active" if row.active else "revoked"
            print(f"{row.name:<32} {state:<8} since {row.created_at:%Y-%m-%d %H:%M} UTC")
        if not rows:
            print("no API sources: `callcenter web key add NAME` makes one")
    return 0


def write_openapi(args: argparse.Namespace) -> int:
    from callcenter.switchconf.render import TOPICS_FILE
    from callcenter.web.openapi import build, topics_of_file
    from db.topics import read_topics_file

    spec = read_topics_file(args.topics or TOPICS_FILE)
    text = json.dumps(build(topics_of_file(spec), settings(args).web.public_url),
                      ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _name(raw: str) -> str:
    if not SOURCE_NAME.match(raw) or raw in RESERVED:
        raise DataError(f"a source's name is 2 to 32 lower-case letters, digits, '-' or '_' "
                        f"(not {', '.join(RESERVED)}): {raw!r}")
    return raw


def _source(session: Session, name: str) -> ApiSource:
    row = session.scalar(select(ApiSource).where(ApiSource.name == name))
    if row is None:
        raise DataError(f"no source {name!r}: `callcenter web key add {name}` makes one")
    return row


def _new_key() -> str:
    return "hk_" + secrets.token_urlsafe(32)


def _sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
