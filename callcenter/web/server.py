"""`callcenter web`: the declaration form and the portal's API in a process of their own (a
flood of the public site cannot slow the IVR), on gevent's WSGI server over TLS, with the
operator endpoints' connection bounds (callcenter.http) and a body guard: a body must declare
its length, be no larger than `max_body_bytes`, and arrive within `body_seconds`."""

from __future__ import annotations

import io
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from gevent.event import Event
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import Settings
from callcenter.http import HttpServer
from callcenter.hub.tls import server_context
from callcenter.web.app import Intake, create_app
from db.errors import DataError

log = logging.getLogger(__name__)
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


def make_server(settings: Settings, sessions: sessionmaker[Session],
                intake: Intake | None = None) -> HttpServer:
    """The server, not started; `intake` for tests that set the clock."""
    web = settings.web
    tls = None
    if web.tls_cert and web.tls_key:
        tls = server_context(web.tls_cert, web.tls_key)
    elif not web.allow_plain:
        raise DataError("[web] needs tls_cert and tls_key (or allow_plain = true behind a "
                        "TLS proxy on this host)")
    threads = gevent.get_hub().threadpool
    intake = intake or Intake(web, settings.site, sessions,
                              run=lambda fn: threads.apply(fn))
    app = body_guard(create_app(intake), web.max_body_bytes, web.body_seconds)
    return HttpServer((web.listen_host, web.listen_port), app, web, ssl_context=tls,
                      accept_bodies=True)


def run_forever(server: HttpServer, ready: Callable[[int], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    stop = Event()
    gevent.signal_handler(signal.SIGTERM, stop.set)
    gevent.signal_handler(signal.SIGINT, stop.set)
    server.start()
    port = int(server.server_port or 0)
    log.info("web: serving on %s:%s", server.server_host, port)
    if ready is not None:
        ready(port)
    stop.wait()
    server.stop(timeout=5)
