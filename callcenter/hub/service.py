"""The hub's service: who is connected, who they are, and what each message may do.

Every message is parsed and validated (protocol.messages); everything but `login` and
`resume` needs a live session; each handler checks the role and topics itself. Refusals are an
`error` to the sender and an audit_log row; one client's bad message never touches another's.
Pushes are numbered per session (`seq`) and the last ones kept, so a desktop that reconnects
gets exactly what it missed, or a new snapshot when too much was missed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import gevent
import gevent.lock
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.config import Settings
from callcenter.hub import store
from callcenter.hub.server import Client
from callcenter.hub.sessions import HubSession, LoginThrottle, SessionExpired, Sessions
from callcenter.state.model import LiveState
from callcenter.store.pool import Blocking
from callcenter.switch.api import SwitchApi
from callcenter.switch.errors import SwitchError
from db.agents import verify_hash
from db.audit import record
from db.engine import transaction
from db.errors import DataError
from protocol.errors import ErrorCode
from protocol.messages import Error, ProtocolError, Reply, dump, parse_request

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLAY = 500  # pushes kept per session for a resume
OPEN = frozenset({"login", "resume"})
VERIFY_AT_ONCE = 4  # argon2 hashes in the thread pool at a time (each is ~50 ms of CPU)


@dataclass(frozen=True)
class _Refused:
    error: Exception


class Backend(Protocol):
    """What the hub needs of the daemon."""

    settings: Settings
    sessions: sessionmaker[Session]
    switch: SwitchApi
    blocking: Blocking

    @property
    def state(self) -> LiveState: ...
    def set_agent_status(self, username: str, status: str, source: str = "desktop",
                         reason: str | None = None) -> str: ...


class Denied(Exception):
    """A request refused: its code (messages.Error) and a message for the person."""

    def __init__(self, code: ErrorCode, message: str,
                 fields: list[tuple[str, str]] | None = None, target: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or []
        self.target = target  # what the audit row names (default: the request's type)


Handler = Callable[[Client, Any], dict[str, Any] | None]


class HubService:
    def __init__(self, backend: Backend, sessions: Sessions,
                 throttle: LoginThrottle | None = None) -> None:
        self.backend = backend
        self.sessions = sessions
        self.throttle = throttle or LoginThrottle()
        self.clients: set[Client] = set()
        self.handlers: dict[str, Handler] = {
            "login": self._login, "resume": self._resume, "logout": self._logout}
        self.snapshot: Callable[[HubSession], BaseModel] | None = None
        self.agent_view: Callable[[HubSession], BaseModel] = lambda session: BaseModel()
        self._verifying = gevent.lock.BoundedSemaphore(VERIFY_AT_ONCE)

    # -- the transport's callbacks ---------------------------------------------------

    def connected(self, client: Client) -> None:
        self.clients.add(client)

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        self.clients.discard(client)
        if oversized:
            self.audit(client, "hub.denied", "frame", code=ErrorCode.BAD_MESSAGE,
                       message="a frame over the transport limit; connection closed")

    def handle(self, client: Client, raw: str | bytes) -> None:
        try:
            request = parse_request(raw)
        except ProtocolError as exc:
            self.deny(client, exc.request_id, Denied(exc.code, exc.message), "bad_message")
            return
        if request.type not in OPEN:
            try:
                client.session = self.sessions.get(client.token or "")
            except SessionExpired as exc:
                code = ErrorCode.EXPIRED if client.token else ErrorCode.UNAUTHENTICATED
                client.session = None
                self.deny(client, request.id, Denied(code, str(exc) if client.token else
                                                     "log in first"), request.type)
                return
        try:
            data = self.handlers[request.type](client, request)
        except Denied as exc:
            self.deny(client, request.id, exc, exc.target or request.type)
            return
        except Exception:
            log.exception("hub: %s from %s failed", request.type, client.name)
            self.deny(client, request.id, Denied(
                ErrorCode.INTERNAL, "the server could not do this; it has been logged"),
                request.type)
            return
        client.send(dump(Reply(type=request.type, id=request.id, data=data or {})))
        if request.type == "logout":  # the session is over: its socket closes, reply first
            client.close()

    # -- refusals and the audit trail ------------------------------------------------

    def deny(self, client: Client, request_id: str | None, exc: Denied, what: str) -> None:
        self.audit(client, "hub.denied", what, code=exc.code, message=exc.message[:200])
        client.send(dump(Error(id=request_id, code=exc.code, message=exc.message,
                               fields=exc.fields)))

    def audit(self, client: Client, action: str, target: str | None = None,
              **detail: Any) -> None:
        session = client.session
        actor = session.username if session else f"anonymous@{client.address}"
        self._audit(actor, session.agent_id if session else None, client.address, action,
                    target, detail)

    def audit_as(self, session: HubSession, action: str, target: str | None = None,
                 **detail: Any) -> None:
        self._audit(session.username, session.agent_id, session.client, action, target, detail)

    def _audit(self, actor: str, actor_id: int | None, where: str, action: str,
               target: str | None, detail: dict[str, Any]) -> None:
        def write() -> None:
            with transaction(self.backend.sessions) as db:
                record(db, actor, action, target, actor_id=actor_id, client=where[:100],
                       **detail)
        try:
            self.backend.blocking(write)
        except Exception:  # the audit must not take the hub down; it is logged instead
            log.exception("hub: audit %s %s by %s not written", action, target, actor)

    def db(self, fn: Callable[..., T], *args: object) -> T:
        """Run fn(session, *args) in the thread pool, in one transaction. A refusal (a domain
        rule, a unique key) is raised again here rather than carried out of the pool, which
        prints a traceback for every exception it carries."""
        def run() -> T | _Refused:
            try:
                with transaction(self.backend.sessions) as session:
                    return fn(session, *args)
            except (DataError, IntegrityError) as exc:
                return _Refused(exc)
        result = self.backend.blocking(run)
        if isinstance(result, _Refused):
            raise result.error
        return result

    # -- login, resume, logout -------------------------------------------------------

    def _login(self, client: Client, request: Any) -> dict[str, Any]:
        host = client.address.rsplit(":", 1)[0]
        if not self.throttle.attempt(request.username, host):
            raise Denied(ErrorCode.RATE_LIMITED, "too many failed logins; wait a few minutes",
                         target=request.username)
        identity = self.db(store.agent_identity, request.username)
        ok = False
        if identity is not None and identity["active"]:
            with self._verifying:
                ok = self.backend.blocking(verify_hash, identity["password_hash"],
                                           request.password)
        if not ok or identity is None:
            self.throttle.failed(host)
            raise Denied(ErrorCode.UNAUTHENTICATED, "wrong username or password",
                         target=request.username)
        self.throttle.succeeded(request.username, host)
        if client.token:  # logging in again on the same connection ends the earlier session
            self.sessions.close(client.token)
        identity = {k: v for k, v in identity.items() if k not in ("password_hash", "active")}
        client.ready = False
        client.token, client.session = self.sessions.open(client=request.client, **identity)
        self.audit(client, "hub.login", request.username, client_name=request.client)
        data = {"token": client.token, **self._welcome_data(client.session)}
        if self.snapshot is not None:  # who they are, for the window's first paint
            data["agent"] = self.agent_view(client.session).model_dump()
        gevent.spawn(self._welcome, client, None)  # runs after the reply is queued
        return data

    def _welcome_data(self, session: HubSession) -> dict[str, Any]:
        return {"expires_in": self.sessions.expires_in(session),
                "topics": self.db(store.topics_payload), "units": self.db(store.units_payload),
                "timezone": self.backend.settings.site.timezone}

    def _resume(self, client: Client, request: Any) -> dict[str, Any]:
        try:
            session = self.sessions.get(request.token)
        except SessionExpired as exc:
            raise Denied(ErrorCode.EXPIRED, str(exc)) from None
        client.ready = False
        client.token, client.session = request.token, session
        self.audit(client, "hub.resume", session.username, last_seq=request.last_seq)
        data = self._welcome_data(session)
        gevent.spawn(self._welcome, client, request.last_seq)  # runs after the reply
        return data

    def _welcome(self, client: Client, last_seq: int | None) -> None:
        """After the reply: what was missed since last_seq, or a whole snapshot. Pushes reach
        this client only once it is `ready`, so they come after the reply and in order."""
        session = client.session
        if session is None:
            return
        if last_seq is not None and last_seq <= session.seq and (
                last_seq == session.seq or (session.sent and session.sent[0][0] <= last_seq + 1)):
            for seq, text in session.sent:
                if seq > last_seq:
                    client.send(text)
        elif self.snapshot is not None:
            # built with no yield between its reading of the live state and its sending
            self.push_to(session, self.snapshot(session), also=client)
        client.ready = True

    def _logout(self, client: Client, request: Any) -> dict[str, Any]:
        session = client.session
        if session is not None:
            self.audit(client, "hub.logout", session.username)
            self.sessions.close(client.token or "")
            client.session, client.token = None, None
            self._log_out_if_gone(session.username, "desktop")
        return {}

    def _log_out_if_gone(self, username: str, source: str) -> None:
        """With no desktop left, the agent stops taking calls (none rings at an empty desk)."""
        if self.sessions.of_agent(username):
            return
        try:
            self.backend.set_agent_status(username, "Logged Out", source)
        except SwitchError as exc:  # the resync's agent repair will see them again
            log.warning("hub: %s could not be logged out on the switch: %s", username, exc)

    def sweep(self) -> None:
        """Keep connected sessions alive; end the expired ones (their desktops are told)."""
        for client in list(self.clients):
            if client.session is not None and client.ready:
                self.sessions.touch(client.session)
        for session, reason in self.sessions.sweep():
            for client in [c for c in self.clients if c.session is session]:
                client.send(dump(Error(code=ErrorCode.EXPIRED, message=reason)))
                client.session, client.token = None, None
            self.audit_as(session, "hub.expired", session.username, reason=reason)
            self._log_out_if_gone(session.username, "daemon")

    def sweep_forever(self, every: float = 30.0) -> None:
        while True:
            gevent.sleep(every)
            try:
                self.sweep()
            except Exception:
                log.exception("hub: the session sweep failed")

    # -- pushes ----------------------------------------------------------------------

    def push_to(self, session: HubSession, message: BaseModel,
                also: Client | None = None) -> None:
        """Number the push, keep it for a resume, send it to the session's ready clients
        (and to `also`, a client being welcomed)."""
        session.seq += 1
        text = dump(message.model_copy(update={"seq": session.seq}))
        session.sent.append((session.seq, text))
        if len(session.sent) > REPLAY:
            del session.sent[:len(session.sent) - REPLAY]
        for client in list(self.clients):
            if client.session is session and (client.ready or client is also):
                client.send(text)

    def push_agent(self, username: str, message: BaseModel) -> None:
        for session in self.sessions.of_agent(username):
            self.push_to(session, message)

    def agents_online(self) -> set[str]:
        return {c.session.username for c in self.clients if c.session is not None}
