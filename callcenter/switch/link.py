"""The daemon's link to FreeSWITCH: one inbound connection kept alive.

It connects, subscribes, and when the connection is lost it says so (`lost`), waits a capped
exponential backoff with jitter (rules.retry), and connects again (`connected`), re-subscribing and
keeping every registered handler. What to do after a reconnect (re-reading mod_callcenter's
state) is the daemon's business: it listens to `connected`.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import gevent
import gevent.event

from callcenter.switch.connection import one_line
from callcenter.switch.errors import (
    AuthenticationFailed,
    CommandError,
    CommandTimeout,
    ConnectionLost,
    SwitchError,
)
from callcenter.switch.event import Event
from callcenter.switch.inbound import Handler, InboundConnection
from rules.retry import Backoff

log = logging.getLogger(__name__)

# What the daemon follows; `subscribe` puts CUSTOM and its subclasses last (reference §1.5).
DEFAULT_EVENTS = (
    "HEARTBEAT", "BACKGROUND_JOB", "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_EXECUTE_COMPLETE",
    "DTMF", "RECORD_START", "RECORD_STOP", "callcenter::info",
)


@dataclass
class BackgroundJob:
    """A `bgapi` command; `get()` waits for its BACKGROUND_JOB and returns the body."""

    job_uuid: str
    command: str
    result: gevent.event.AsyncResult[str] = field(default_factory=gevent.event.AsyncResult)

    def get(self, timeout: float | None = None) -> str:
        try:
            text = self.result.get(timeout=timeout)
        except gevent.Timeout:
            raise CommandTimeout(f"bgapi {self.command}: no BACKGROUND_JOB "
                                 f"within {timeout} s") from None
        if text is None:  # only a text or an exception is ever set
            raise CommandError(f"bgapi {self.command}", "-ERR no job text")
        if text.startswith("-ERR"):
            raise CommandError(f"bgapi {self.command}", text)
        return text


class SwitchLink:
    """A self-healing inbound Event Socket link.

    Signals: `on_connected(fn)` and `on_lost(fn)` register callbacks (`fn()` and
    `fn(reason)`), called from the link's greenlet.
    """

    def __init__(self, host: str, port: int, password: str, *,
                 events: tuple[str, ...] = DEFAULT_EVENTS, connect_timeout: float = 5.0,
                 command_timeout: float = 10.0, backoff: Backoff | None = None,
                 rng: random.Random | None = None) -> None:
        self.host, self.port, self._password = host, port, password
        self.events = events
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.backoff = backoff or Backoff()
        self._rng = rng or random.Random()  # noqa: S311 — jitter and simulation, not a secret
        self._handlers: dict[str, list[Handler]] = {}
        self._connected_callbacks: list[Callable[[], None]] = []
        self._lost_callbacks: list[Callable[[str], None]] = []
        self._jobs: dict[str, BackgroundJob] = {}
        self._connection: InboundConnection | None = None
        self._ready = gevent.event.Event()
        self._running = False
        self._greenlet: gevent.Greenlet | None = None
        self.attempts = 0  # failed attempts since the last successful connection

    # -- wiring ------------------------------------------------------------------------

    def register_handle(self, name: str, handler: Handler) -> None:
        self._handlers.setdefault(name, []).append(handler)
        if self._connection is not None:
            self._connection.register_handle(name, handler)

    def on_connected(self, callback: Callable[[], None]) -> None:
        self._connected_callbacks.append(callback)

    def on_lost(self, callback: Callable[[str], None]) -> None:
        self._lost_callbacks.append(callback)

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        return bool(self._ready.wait(timeout))

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        self._running = True
        self._greenlet = gevent.spawn(self._run)

    def stop(self) -> None:
        self._running = False
        connection = self._connection
        if connection is not None:
            connection.stop()
        if self._greenlet is not None:
            self._greenlet.kill(block=True, timeout=5)

    def _run(self) -> None:
        while self._running:
            try:
                connection = self._open()
            except AuthenticationFailed as exc:
                log.error("switch link: %s", exc)
                self._sleep_before_retry()
                continue
            except SwitchError as exc:
                log.warning("switch link: %s", exc)
                self._sleep_before_retry()
                continue
            self.attempts = 0
            self._ready.set()
            log.info("switch link: connected to %s:%s", self.host, self.port)
            self._notify(self._connected_callbacks)
            connection.closed.wait()
            self._ready.clear()
            self._connection = None
            reason = connection.close_reason
            self._fail_jobs(reason)
            if self._running:
                log.warning("switch link: lost (%s)", reason)
                self._notify(self._lost_callbacks, reason)

    def _open(self) -> InboundConnection:
        connection = InboundConnection(self.host, self.port, self._password,
                                       self.connect_timeout, self.command_timeout)
        for name, handlers in self._handlers.items():
            for handler in handlers:
                connection.register_handle(name, handler)
        connection.register_handle("BACKGROUND_JOB", self._job_done)
        try:
            connection.connect()
        except SwitchError:
            connection.stop()  # e.g. no reply to `auth`: nothing may stay open
            raise
        try:
            if self.events:
                connection.subscribe(*self.events)
        except SwitchError:
            connection.stop()
            raise
        self._connection = connection
        return connection

    def _sleep_before_retry(self) -> None:
        delay = self.backoff.delay(self.attempts, self._rng)
        self.attempts += 1
        gevent.sleep(delay)

    @staticmethod
    def _notify(callbacks: list, *args: object) -> None:
        for callback in list(callbacks):
            try:
                callback(*args)
            except Exception:
                log.exception("switch link callback %r failed", callback)

    # -- commands ----------------------------------------------------------------------

    def _current(self) -> InboundConnection:
        connection = self._connection
        if connection is None or not connection.connected:
            raise ConnectionLost(f"not connected to FreeSWITCH at {self.host}:{self.port}")
        return connection

    def send(self, command: str, timeout: float | None = None) -> str | Event:
        return self._current().send(command, timeout)

    def api(self, command: str, timeout: float | None = None) -> str:
        return self._current().api(command, timeout)

    def bgapi(self, command: str) -> BackgroundJob:
        """Run `command` in FreeSWITCH's background; the job id is ours, chosen up front, so
        its BACKGROUND_JOB cannot arrive before we know what to wait for."""
        job = BackgroundJob(str(uuid.uuid4()), command)
        self._jobs[job.job_uuid] = job
        try:
            self._current().send(f"bgapi {one_line(command)}\nJob-UUID: {job.job_uuid}")
        except SwitchError:
            self._jobs.pop(job.job_uuid, None)
            raise
        return job

    def _job_done(self, event: Event) -> None:
        job = self._jobs.pop(event.get("Job-UUID") or "", None)
        if job is not None:
            job.result.set(event.text)

    def _fail_jobs(self, reason: str) -> None:
        jobs, self._jobs = self._jobs, {}
        for job in jobs.values():
            job.result.set_exception(ConnectionLost(f"bgapi {job.command}: {reason}"))
