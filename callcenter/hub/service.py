"""The hub's service: who is connected, who they are, and what each message may do.

Every message is parsed and validated (protocol.messages); everything but `login` and
`resume` needs a live session; each handler checks the role and topics itself. Refusals are an
`error` to the sender and an audit_log row — the first of a kind (who, from which address, the
code, the request's type) at once, its repeats counted and written as one row per sweep — so a
flood cannot fill the log. A connection with no session that sends too much (MessageThrottle)
is refused and closed; one client's bad message never touches another's.
A session follows its agent's account: the account is read again on every login and resume,
and a change to the accounts (polled every `[switch] agent_sync_seconds`) ends the sessions of
an agent disabled or removed and narrows (or widens) the others' role and topics.
Pushes are numbered per session (`seq`) and the last ones kept, so a desktop that reconnects
gets exactly what it missed, or a new snapshot when too much was missed."""

from __future__ import annotations

import logging
import time
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
from callcenter.hub.refusals import RefusalCounter
from callcenter.hub.server import Client
from callcenter.hub.sessions import (
    HubSession,
    LoginThrottle,
    MessageThrottle,
    SessionExpired,
    Sessions,
)
from callcenter.state.model import LiveState
from callcenter.store.pool import Blocking
from callcenter.switch.api import SwitchApi
from callcenter.switch.errors import SwitchError
from db.agents import check_login
from db.audit import record
from db.engine import transaction
from db.errors import DataError
from protocol.base import ProtocolError
from protocol.errors import ErrorCode
from protocol.messages import Error, Reply, dump, parse_request

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLAY = 500  # pushes kept per session for a resume
OPEN = frozenset({"login", "resume"})
VERIFY_AT_ONCE = 4  # argon2 hashes in the thread pool at a time (each is ~50 ms of CPU)
POLICY_VIOLATION = 1008  # the WebSocket close code for a connection closed for flooding


@dataclass(frozen=True)
class _Refused:
    error: Exception


def _host(address: str) -> str:
    """The address of a connection without its port ("10.0.0.7:51234" → "10.0.0.7")."""
    return address.rsplit(":", 1)[0]


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


def switch_reply(command: Callable[[], str]) -> str:
    """An api command's reply; Denied (`switch`, with FreeSWITCH's own words) if the switch did
    not answer or answered -ERR."""
    try:
        reply = command()
    except SwitchError as exc:
        raise Denied(ErrorCode.SWITCH, f"the switch did not answer: {exc}") from None
    if reply.startswith("-ERR"):
        raise Denied(ErrorCode.SWITCH, f"the switch refused: {reply.strip()}")
    return reply


class HubService:
    def __init__(self, backend: Backend, sessions: Sessions,
                 throttle: LoginThrottle | None = None,
                 messages: MessageThrottle | None = None) -> None:
        self.backend = backend
        self.sessions = sessions
        self.throttle = throttle or LoginThrottle()
        self.messages = messages or MessageThrottle()
        self.clients: set[Client] = set()
        self.refusals = RefusalCounter()
        self._account_changes = 0  # how many changes to the accounts the watch has seen
        self._refreshing = gevent.lock.Semaphore()
        self.handlers: dict[str, Handler] = {
            "login": self._login, "resume": self._resume, "logout": self._logout}
        self.snapshot: Callable[[HubSession], BaseModel] | None = None
        # An agent's last session ends (their shift is over): each hook is given the session
        # and the colleague to hand their work to (None: the pool), and says what it did.
        self.shift_end_hooks: list[Callable[[HubSession, str | None], dict[str, Any]]] = []
        self.agent_view: Callable[[HubSession], BaseModel] = lambda session: BaseModel()
        self._verifying = gevent.lock.BoundedSemaphore(VERIFY_AT_ONCE)

    # -- the transport's callbacks ---------------------------------------------------

    def connected(self, client: Client) -> None:
        self.clients.add(client)

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        self.clients.discard(client)
        if oversized:
            self.refused(client, "frame", "frame", ErrorCode.BAD_MESSAGE,
                         "a frame over the transport limit; connection closed")

    def handle(self, client: Client, raw: str | bytes) -> None:
        if client.session is None and not self.messages.allow(client.address,
                                                               _host(client.address)):
            self.deny(client, None, Denied(
                ErrorCode.RATE_LIMITED, "too many messages without logging in; connection "
                "closed"), "flood")
            client.close(POLICY_VIOLATION, "too many messages")
            return
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
            self.deny(client, request.id, exc, exc.target or request.type, request.type)
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

    def deny(self, client: Client, request_id: str | None, exc: Denied, what: str,
             kind: str | None = None) -> None:
        """The refusal to the sender, and to the audit trail (`what`: the row's target;
        `kind`: the request's type, what repeats are counted by — default `what`)."""
        self.refused(client, kind or what, what, exc.code, exc.message[:200])
        client.send(dump(Error(id=request_id, code=exc.code, message=exc.message,
                               fields=exc.fields)))

    def refused(self, client: Client, kind: str, target: str, code: str, message: str) -> None:
        """A `hub.denied` row at once for the first refusal of its kind since the last sweep;
        the repeats of that kind counted, for one row at the sweep (hub/refusals.py)."""
        session = client.session
        if self.refusals.note(session.username if session else None,
                              session.agent_id if session else None, _host(client.address),
                              str(code), kind, target, message, time.time()):
            self.audit(client, "hub.denied", target, code=code, message=message, count=1)

    def flush_refusals(self) -> None:
        """One `hub.denied` row for each kind of refusal repeated since the last sweep, with
        its `count`, the first `targets` and the `seconds` it spans."""
        rows = self.refusals.take()
        if not rows:
            return
        now = time.time()

        def write() -> None:
            with transaction(self.backend.sessions) as db:
                for r in rows:
                    record(db, r.actor, "hub.denied", r.targets[0], actor_id=r.actor_id,
                           client=r.address[:100], code=r.code, message=r.message,
                           count=r.count, repeated=True, targets=r.targets,
                           seconds=round(now - r.since, 1))
        try:
            self.backend.blocking(write)
        except Exception:
            log.exception("hub: %d rows of repeated refusals not written", len(rows))

    def audit(self, client: Client, action: str, target: str | None = None,
              **detail: Any) -> None:
        session = client.session
        actor = session.username if session else f"anonymous@{client.address}"
        self._audit(actor, session.agent_id if session else None, client.address, action,
                    target, detail)

    def audit_as(self, session: HubSession, action: str, target: str | None = None,
                 **detail: Any) -> None:
        """For a session with no request in hand (it expired, its account changed): the address
        of the connection that last logged in or resumed it."""
        self._audit(session.username, session.agent_id, session.address, action, target, detail)

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
        if not self.throttle.attempt(request.username, _host(client.address)):
            raise Denied(ErrorCode.RATE_LIMITED, "too many failed logins; wait a few minutes",
                         target=request.username)
        changes = self._account_changes
        identity = self.db(store.agent_identity, request.username)
        usable = identity is not None and identity["active"]
        with self._verifying:  # an unknown or disabled account costs the same argon2 check
            ok = self.backend.blocking(check_login, identity["password_hash"] if usable and
                                       identity else None, request.password)
        if not ok or identity is None:
            raise Denied(ErrorCode.UNAUTHENTICATED, "wrong username or password",
                         target=request.username)
        self.throttle.succeeded(request.username, _host(client.address))
        if client.token:  # logging in again on the same connection ends the earlier session
            self.sessions.close(client.token)
        identity = {k: v for k, v in identity.items() if k not in ("password_hash", "active")}
        client.ready = False
        client.token, client.session = self.sessions.open(
            client=request.client, address=client.address, **identity)
        if self._account_changes != changes:  # the accounts changed while this one was read
            gevent.spawn(self.refresh_accounts)
        self.audit(client, "hub.login", request.username, client_name=request.client)
        data = {"token": client.token, **self._welcome_data(client.session)}
        if self.snapshot is not None:  # who they are, for the window's first paint
            data["agent"] = self.agent_view(client.session).model_dump()
        gevent.spawn(self._welcome, client, None)  # runs after the reply is queued
        return data

    def _welcome_data(self, session: HubSession) -> dict[str, Any]:
        return {"expires_in": self.sessions.expires_in(session),
                "topics": self.db(store.topics_payload), "units": self.db(store.units_payload),
                "agencies": self.db(store.agencies_payload), "agency_id": session.agency_id,
                "timezone": self.backend.settings.site.timezone}

    def _resume(self, client: Client, request: Any) -> dict[str, Any]:
        """The session of the token, as its account is now: a disabled or removed account ends
        it; a changed one (role, topics) is applied, and a whole snapshot follows."""
        try:
            session = self.sessions.get(request.token)
        except SessionExpired as exc:
            raise Denied(ErrorCode.EXPIRED, str(exc)) from None
        changes = self._account_changes
        identity = self.db(store.agent_identity, session.username)
        try:
            session = self.sessions.get(request.token)  # not ended while it was read
        except SessionExpired as exc:
            raise Denied(ErrorCode.EXPIRED, str(exc)) from None
        if identity is None or not identity["active"]:
            self.end_session(session, "your account was disabled; ask a lead or an admin")
            raise Denied(ErrorCode.EXPIRED, "your account was disabled; ask a lead or an admin")
        changed = self.sessions.update(session, identity)
        if self._account_changes != changes:  # the accounts changed while this one was read
            gevent.spawn(self.refresh_accounts)
        client.ready = False
        client.token, client.session = request.token, session
        session.address = client.address
        self.audit(client, "hub.resume", session.username, last_seq=request.last_seq)
        if changed:
            self.audit(client, "hub.changed", session.username, role=session.role,
                       topics=sorted(session.topics))
        data = self._welcome_data(session)
        # what they may see changed: a whole snapshot, not a replay of what was pushed before
        gevent.spawn(self._welcome, client, None if changed else request.last_seq)
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
        done: dict[str, Any] = {}
        if session is not None:
            if len(self.sessions.of_agent(session.username)) <= 1:  # the shift ends
                for hook in self.shift_end_hooks:  # a Denied (a wrong colleague) stops here
                    done.update(hook(session, getattr(request, "hand_to", None)))
            self.audit(client, "hub.logout", session.username)
            self.sessions.close(client.token or "")
            client.session, client.token = None, None
            self._log_out_if_gone(session.username, "desktop")
        return done

    def _shift_over(self, session: HubSession) -> None:
        """A session ended without a logout (expired, ended by the daemon): if it was the
        agent's last, their work goes back to the pool."""
        if self.sessions.of_agent(session.username):
            return
        for hook in self.shift_end_hooks:
            try:
                hook(session, None)
            except Exception:
                log.exception("hub: handing over %s's work failed", session.username)

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
            self._shift_over(session)
            self._log_out_if_gone(session.username, "daemon")

    def sweep_forever(self, every: float = 30.0) -> None:
        while True:
            gevent.sleep(every)
            try:
                self.sweep()
            except Exception:
                log.exception("hub: the session sweep failed")
            try:
                self.flush_refusals()
            except Exception:
                log.exception("hub: writing the repeated refusals failed")

    # -- the accounts behind the sessions ------------------------------------------------

    def watch_accounts_forever(self, every: float) -> None:
        """Every `every` seconds a few aggregates of the accounts (store.accounts_fingerprint);
        on a change, the logged-in agents' accounts are read again (refresh_accounts)."""
        seen: tuple[object, ...] | None = None
        while True:
            try:
                now = self.db(store.accounts_fingerprint)
                if now != seen:
                    self._account_changes += 1
                    self.refresh_accounts()
                    seen = now
            except Exception:
                log.exception("hub: watching the accounts for changes failed")
            gevent.sleep(every)

    def refresh_accounts(self) -> None:
        """Every session as its account is now: ended if the account was disabled or removed,
        its role, agency and topics replaced if they changed (the desktop gets a snapshot)."""
        with self._refreshing:  # one at a time: a later read is never undone by an earlier one
            sessions = self.sessions.all()
            if not sessions:
                return
            identities = self.db(store.agent_identities, {s.username for s in sessions})
            for session in sessions:
                if not self.sessions.holds(session):
                    continue  # ended meanwhile (this loop yields: audits, snapshots)
                identity = identities.get(session.username)
                if identity is None or not identity["active"]:
                    self.end_session(session, "your account was disabled; ask a lead or an "
                                     "admin")
                elif self.sessions.update(session, identity):
                    self.audit_as(session, "hub.changed", session.username, role=session.role,
                                  topics=sorted(session.topics))
                    if self.snapshot is not None:
                        self.push_to(session, self.snapshot(session))

    def end_session(self, session: HubSession, reason: str) -> None:
        """The session is over at once: its desktops are told (`expired`) and it is audited;
        an agent left with no session is set Logged Out."""
        self.sessions.remove(session)
        for client in [c for c in self.clients if c.session is session]:
            client.send(dump(Error(code=ErrorCode.EXPIRED, message=reason)))
            client.session, client.token = None, None
        self.audit_as(session, "hub.ended", session.username, reason=reason)
        self._shift_over(session)
        self._log_out_if_gone(session.username, "daemon")

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
