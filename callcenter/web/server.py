"""`callcenter web`: the declaration form and the portal's API in processes of their own (a
flood of the public site cannot slow the IVR), on gevent's WSGI server over TLS, with the
operator endpoints' connection bounds (callcenter.http) and a body guard: a body must declare
its length, be no larger than `max_body_bytes`, and arrive within `body_seconds`. With
`[web] workers` above 1, that many processes share the port (SO_REUSEPORT), each with its own
database connections, caches and rate-limit counters."""

from __future__ import annotations

import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import gevent
import gevent.socket
from gevent import monkey
from gevent.event import Event
from gevent.threadpool import ThreadPool
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import Settings
from callcenter.http import HttpServer
from callcenter.hub.tls import server_context
from callcenter.web.app import Intake, create_app
from db.errors import DataError

log = logging.getLogger(__name__)
BACKLOG = 1024
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def body_guard(app: WsgiApp, max_bytes: int, seconds: float) -> WsgiApp:
    """The request's body read in full before the application sees it: refused at once if
    it has no length (411) or is too large (413), cut off if it trickles in slower than
    `seconds` (408), so a slow sender holds a connection, not a database session."""
    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _refuse(start_response, "411 Length Required")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(start_response, "400 Bad Request")
        if length > max_bytes:
            return _refuse(start_response, "413 Content Too Large")
        if length:
            try:
                with gevent.Timeout(seconds):
                    body = environ["wsgi.input"].read(length)
            except gevent.Timeout:
                return _refuse(start_response, "408 Request Timeout")
            if len(body) < length:
                return _refuse(start_response, "400 Bad Request")
            environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)
    return guarded


def _refuse(start_response: Callable[..., Any], status: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Connection", "close")])
    return [status.encode() + b"\n"]


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, shared by port with the other worker processes (SO_REUSEPORT:
    the kernel spreads the connections over the processes listening on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = gevent.socket.socket(family, socket.SOCK_STREAM)  # gevent's: accept() yields
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def make_server(settings: Settings, sessions: sessionmaker[Session],
                intake: Intake | None = None, listener: socket.socket | None = None
                ) -> HttpServer:
    """The server, not started (on `listener`, or [web] listen_host:listen_port); `intake`
    for tests that set the clock."""
    web = settings.web
    tls = None
    if web.tls_cert and web.tls_key:
        tls = server_context(web.tls_cert, web.tls_key)
    elif not web.allow_plain:
        raise DataError("[web] needs tls_cert and tls_key (or allow_plain = true behind a "
                        "TLS proxy on this host)")
    if monkey.is_module_patched("socket"):  # python -m callcenter.web: psycopg cooperates
        intake = intake or Intake(web, settings.site, sessions)
    else:
        threads = ThreadPool(web.db_connections)  # unpatched (tests): a thread each
        intake = intake or Intake(web, settings.site, sessions,
                                  run=lambda fn: threads.apply(fn))
    app = body_guard(create_app(intake), web.max_body_bytes, web.body_seconds)
    return HttpServer(listener or (web.listen_host, web.listen_port), app, web,
                      ssl_context=tls, accept_bodies=True)


def run_forever(server: HttpServer, ready: Callable[[int], None] | None = None,
                parent: int | None = None) -> None:
    """Serve until SIGTERM or SIGINT (or, for a worker, until its `parent` process is
    gone)."""
    stop = Event()
    gevent.signal_handler(signal.SIGTERM, stop.set)
    gevent.signal_handler(signal.SIGINT, stop.set)
    if parent is not None:
        gevent.spawn(_orphaned, parent, stop)
    server.start()
    port = int(server.server_port or 0)
    log.info("web: serving on %s:%s", server.server_host, port)
    if ready is not None:
        ready(port)
    stop.wait()
    server.stop(timeout=5)


def _orphaned(parent: int, stop: Event) -> None:
    while os.getppid() == parent:
        gevent.sleep(1.0)
    stop.set()


def process_command(options: list[str]) -> list[str]:
    """The command of a web process with these `serve` options (see callcenter/web/
    __main__.py: patched before anything else is imported)."""
    return [sys.executable, "-m", "callcenter.web", *options]


def start_workers(options: list[str], port: int, count: int, folder: Path
                  ) -> list[subprocess.Popen[bytes]]:
    """`count` more processes serving the same port, each writing `folder`/worker-N once it
    listens."""
    return [subprocess.Popen(process_command(  # noqa: S603 — our own command, no shell
        [*options, "--port", str(port), "--worker", "--ready-file",
         str(folder / f"worker-{n}")])) for n in range(count)]


def wait_for_workers(workers: list[subprocess.Popen[bytes]], folder: Path,
                     seconds: float = 30.0) -> int:
    """Until every worker listens (or has died, or `seconds` passed): how many listen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        up = sum(1 for n in range(len(workers)) if (folder / f"worker-{n}").exists())
        if up == len(workers) or any(w.poll() is not None for w in workers):
            return up
        gevent.sleep(0.05)
    return sum(1 for n in range(len(workers)) if (folder / f"worker-{n}").exists())
