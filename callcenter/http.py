"""The daemon's HTTP side for operators: `GET /healthz` (switch link up, database reachable)
and `GET /metrics` (Prometheus text format, prometheus_client), on gevent's WSGI server."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import gevent.pywsgi
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client import Counter as CounterMetric
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from callcenter.state.effects import CallChanged, Effect

if TYPE_CHECKING:
    from callcenter.daemon import Daemon

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


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


def serve(daemon: Daemon, host: str, port: int) -> gevent.pywsgi.WSGIServer:
    server = gevent.pywsgi.WSGIServer((host, port), application(daemon), log=None)
    server.start()
    return server
