"""The daemon's HTTP side for operators: `GET /healthz` (switch link up, database reachable)
and `GET /metrics` (Prometheus text format, prometheus_client), on gevent's WSGI server.

A connection is bounded in time and number ([http] settings): its request line and headers
within `header_seconds` (a deadline, not an idle timer: a client that trickles a byte now and
then is closed all the same), the next request on a kept-alive connection within
`idle_seconds`, a response taken by the client within SEND_SECONDS; at most
`max_connections_per_address` open from one address and `max_connections` in all, one beyond
closed at once."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import socket
import ssl
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

import gevent.pywsgi
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client import Counter as CounterMetric
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from callcenter.hub.server import ConnectionLimits
from callcenter.state.effects import CallChanged, Effect

if TYPE_CHECKING:
    from callcenter.config import HttpSettings
    from callcenter.daemon import Daemon

log = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
SEND_SECONDS = 10.0  # a client that has not taken a response by then is cut off


class Metrics:
    """The daemon's metrics, in a registry of its own."""

    def __init__(self, daemon: Daemon) -> None:
        self.registry = CollectorRegistry()
        self.events = CounterMetric("callcenter_events_ingested_total",
                                    "Events applied to the live state", registry=self.registry)
        self.calls = CounterMetric("callcenter_calls_total", "Calls ended, by result",
                                   ["result"], registry=self.registry)
        self.latency = Histogram(
            "callcenter_event_to_state_seconds",
            "From an event's creation in FreeSWITCH to its effect on the live state",
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry)
        self.registry.register(_StateCollector(daemon))

    def applied(self, created_us: int, effects: list[Effect]) -> None:
        self.events.inc()
        if created_us:
            self.latency.observe(max(0.0, time.time() - created_us / 1_000_000))
        for effect in effects:
            if isinstance(effect, CallChanged) and effect.call.ended_us and effect.call.result:
                self.calls.labels(effect.call.result).inc()


class _StateCollector:
    """Gauges read from the live state at scrape time."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    def collect(self) -> Iterable[GaugeMetricFamily]:
        state = self.daemon.state
        waiting = GaugeMetricFamily("callcenter_queue_waiting", "Callers waiting, by queue",
                                    labels=["queue"])
        for name, queue in state.queues.items():
            waiting.add_metric([name], len(queue.waiting()))
        agents = GaugeMetricFamily("callcenter_agents", "Agents by status",
                                   labels=["status"])
        for status, count in Counter(a.status for a in state.agents.values()).items():
            agents.add_metric([status], count)
        up = GaugeMetricFamily("callcenter_switch_link_up", "1 when the switch link is up")
        up.add_metric([], 1.0 if self.daemon.link.connected else 0.0)
        yield from (waiting, agents, up)


def application(daemon: Daemon) -> Callable[[dict[str, Any], StartResponse], list[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET":
            start_response("405 Method Not Allowed", [("Allow", "GET")])
            return [b""]
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4")])
            return [generate_latest(daemon.metrics.registry)]
        if path == "/healthz":
            health = _health(daemon)
            status = "200 OK" if all(health.values()) else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps(health).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return app


def _health(daemon: Daemon) -> dict[str, bool]:
    try:
        with daemon.sessions() as session:
            session.execute(text("SELECT 1"))
        database = True
    except Exception:
        database = False
    return {"switch_link": daemon.link.connected, "database": database}


class _Handler(gevent.pywsgi.WSGIHandler):
    """pywsgi's handler, with the connection counted against the server's limits and its
    requests' heads and responses under deadlines. A request with a body is refused (400) unless
    the server accepts bodies: the operator's endpoints take none, and pywsgi would read one to
    its end, however slowly it came."""

    server: HttpServer
    # a response the client did not take within SEND_SECONDS: the connection ends quietly
    ignored_socket_errors = (*gevent.pywsgi.WSGIHandler.ignored_socket_errors, errno.ETIMEDOUT)

    def handle(self) -> None:
        address = str(self.client_address[0])
        limits = self.server.limits
        if not limits.admit(address):
            self.socket.close()
            return
        self._requests, self._waiting = 0, False
        self._deadline: gevent.Timeout | None = None
        # pywsgi writes a response's head and body apart: without this the body waits for
        # the client's delayed ACK (40 ms on Linux) — Nagle's algorithm
        with contextlib.suppress(OSError):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if self.server.tls and not self._handshake(address):
                self.socket.close()
                return
            super().handle()  # its own `finally` closes the socket
        except gevent.Timeout as exc:
            if exc is not self._deadline:
                raise
            if self._waiting:  # a kept-alive connection left idle: routine
                log.debug("http: %s sent no next request in time; closed", address)
            else:
                log.info("http: %s did not send its request's head in time; closed", address)
        finally:
            if self._deadline is not None:
                self._deadline.close()
            limits.release(address)

    def _handshake(self, address: str) -> bool:
        """TLS's handshake, once the connection is admitted, within header_seconds (the
        server makes it wait till here: a client that never finishes one is counted and cut
        off like one that never sends its head)."""
        try:
            with gevent.Timeout(self.server.settings.header_seconds):
                cast(ssl.SSLSocket, self.socket).do_handshake()
        except (gevent.Timeout, OSError) as exc:
            log.info("http: %s: no TLS handshake (%s); closed", address,
                     type(exc).__name__ if isinstance(exc, gevent.Timeout) else exc)
            return False
        return True

    def read_requestline(self) -> str:
        """The deadlines start here: on a kept-alive connection, the next request's first byte
        within idle_seconds; then its line and headers within header_seconds."""
        settings = self.server.settings
        if self._requests:
            self._waiting = True
            self._deadline = gevent.Timeout(settings.idle_seconds)
            self._deadline.start()
            self.rfile.peek(1)  # b"" if the client closed: the read below says so
            self._deadline.close()
            self._waiting = False
        self._requests += 1
        self._deadline = gevent.Timeout(settings.header_seconds)
        self._deadline.start()
        return super().read_requestline()

    def read_request(self, raw_requestline: str) -> Any:
        try:
            parsed = super().read_request(raw_requestline)
        finally:  # the head is in (or refused): what follows is the response's
            if self._deadline is not None:
                self._deadline.close()
        if not self.server.accept_bodies and (
                self.content_length
                or "chunked" in self.headers.get("transfer-encoding", "").lower()):
            raise ValueError("a request body is not accepted here")
        return parsed

    def process_result(self) -> None:
        """The response is written within SEND_SECONDS (the application's own work is not
        under it: the database may be slow, which /healthz is there to say)."""
        timer = gevent.Timeout(SEND_SECONDS)
        timer.start()
        try:
            super().process_result()
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            raise OSError(errno.ETIMEDOUT, "the client did not take the response") from None
        finally:
            timer.close()


class HttpServer(gevent.pywsgi.WSGIServer):
    """gevent's WSGI server, its connections bounded by `settings` (see the module)."""

    handler_class = _Handler

    def __init__(self, listener: tuple[str, int] | socket.socket, app: Callable[..., Any],
                 settings: HttpSettings, ssl_context: ssl.SSLContext | None = None,
                 accept_bodies: bool = False) -> None:
        """`accept_bodies`: requests may have one (the web form's server, which reads it
        under its own limits: callcenter.web.server.body_guard)."""
        if ssl_context is not None:  # the handshake in the handler, under its deadline
            super().__init__(listener, app, log=None, ssl_context=ssl_context,
                             do_handshake_on_connect=False)
        else:
            super().__init__(listener, app, log=None)
        self.tls = ssl_context is not None
        self.settings = settings
        self.accept_bodies = accept_bodies
        self.limits = ConnectionLimits(settings.max_connections,
                                       settings.max_connections_per_address, log, "http")


def serve(daemon: Daemon, host: str, port: int) -> gevent.pywsgi.WSGIServer:
    server = HttpServer((host, port), application(daemon), daemon.settings.http)
    server.start()
    return server
