"""Desktop sessions: tokens, idle and absolute expiry, the throttle on failed logins, and the
one on messages from connections that have not logged in.

A token is 32 random bytes (url-safe); the daemon keeps only its SHA-256, so a memory dump or a
log line cannot be replayed. Sessions live in the daemon's memory: a daemon restart asks the
desktops to log in again (their drafts are on their own disk, nothing is lost). A session
carries who the agent is (role, agency, topics) as the database last said: the hub updates it
when the account changes, and ends it when the account is disabled or removed. The clock is
passed in, so expiry is tested without sleeping."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

LEADS = frozenset({"lead", "admin"})


class SessionExpired(Exception):
    """The token is unknown, logged out, idle too long, or past its absolute lifetime."""


@dataclass
class HubSession:
    agent_id: int
    username: str
    full_name: str
    role: str
    agency_id: int | None
    topics: frozenset[str]  # topic keys this agent answers (their tiers, or the agency's)
    created: float
    last_seen: float
    client: str = ""  # the name the desktop gave at login ("desktop 0.1.0 on host")
    address: str = ""  # host:port of the connection that logged in or last resumed
    seq: int = 0  # the last push numbered for this session
    sent: list[tuple[int, str]] = field(default_factory=list)  # recent pushes, for resume

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Open sessions by token digest.

    A session with a desktop connected to it is alive (a nurse waiting for calls is working,
    not idle); one without stays resumable for `idle_seconds`; none outlives `max_seconds`."""

    def __init__(self, idle_seconds: float, max_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds, self.max_seconds, self.clock = idle_seconds, max_seconds, clock
        self._by_digest: dict[str, HubSession] = {}

    def open(self, **identity: object) -> tuple[str, HubSession]:
        now = self.clock()
        token = secrets.token_urlsafe(32)
        session = HubSession(created=now, last_seen=now, **identity)  # type: ignore[arg-type]
        self._by_digest[_digest(token)] = session
        return token, session

    def _expiry(self, session: HubSession, now: float) -> str | None:
        if now - session.created > self.max_seconds:
            return "the session reached its maximum length; log in again"
        if now - session.last_seen > self.idle_seconds:
            return "the session was idle too long; log in again"
        return None

    def get(self, token: str) -> HubSession:
        """The live session of a token (its idle clock restarts); SessionExpired otherwise."""
        digest = _digest(token)
        session = self._by_digest.get(digest)
        now = self.clock()
        if session is None:
            raise SessionExpired("unknown or logged-out session")
        reason = self._expiry(session, now)
        if reason is not None:
            del self._by_digest[digest]
            raise SessionExpired(reason)
        session.last_seen = now
        return session

    def touch(self, session: HubSession) -> None:
        """A desktop is connected to it: it is not idle."""
        session.last_seen = self.clock()

    def sweep(self) -> list[tuple[HubSession, str]]:
        """Remove the expired sessions; returns them with the reason."""
        now = self.clock()
        gone = []
        for digest, session in list(self._by_digest.items()):
            reason = self._expiry(session, now)
            if reason is not None:
                del self._by_digest[digest]
                gone.append((session, reason))
        return gone

    def close(self, token: str) -> None:
        self._by_digest.pop(_digest(token), None)

    def remove(self, session: HubSession) -> None:
        """End this session whatever its token (the account it belongs to was disabled)."""
        for digest, open_session in list(self._by_digest.items()):
            if open_session is session:
                del self._by_digest[digest]

    def all(self) -> list[HubSession]:
        """Every session still held (expired ones too, until the sweep)."""
        return list(self._by_digest.values())

    def holds(self, session: HubSession) -> bool:
        """The session has not been closed, removed or swept."""
        return any(s is session for s in self._by_digest.values())

    @staticmethod
    def update(session: HubSession, identity: dict[str, object]) -> bool:
        """The account as the database says it now (role, agency, topics, name); True if it
        changed anything the hub decides by."""
        changed = False
        for key in ("full_name", "role", "agency_id", "topics"):
            if key in identity and getattr(session, key) != identity[key]:
                setattr(session, key, identity[key])
                changed = True
        return changed

    def of_agent(self, username: str) -> list[HubSession]:
        """The agent's sessions that have not expired."""
        now = self.clock()
        return [s for s in self._by_digest.values()
                if s.username == username and self._expiry(s, now) is None]

    def expires_in(self, session: HubSession) -> float:
        now = self.clock()
        return min(session.created + self.max_seconds, session.last_seen + self.idle_seconds) - now


class LoginThrottle:
    """Password guessing, in a moving window: at most `per_user_address` attempts on one
    username from one address (a success clears them), and `per_user` attempts on one username
    from all addresses together (a guesser spread over many addresses). Attempts are counted
    before the password is checked, so parallel attempts cannot slip through; beyond either
    limit no password is checked at all. Nothing counts an address as a whole: colleagues
    behind one NAT address log in while someone there mistypes or guesses (a flood of messages
    from one address is MessageThrottle's). The price: whoever keeps guessing one account holds
    that account's logins shut while they do."""

    def __init__(self, per_user_address: str = "5/5minutes",
                 per_user: str = "30/15minutes") -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_user_address, self._per_user = parse(per_user_address), parse(per_user)

    def attempt(self, username: str, address: str) -> bool:
        """Count an attempt on this username; False if over a limit (it must be refused)."""
        user = username.lower()
        if not self._limiter.test(self._per_user, "user", user):
            return False
        if not self._limiter.hit(self._per_user_address, "user-address", user, address):
            return False
        return self._limiter.hit(self._per_user, "user", user)

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: this address may try again (the username's count stays:
        the guesses from elsewhere still count)."""
        self._limiter.clear(self._per_user_address, "user-address", username.lower(), address)


class MessageThrottle:
    """Messages from connections that have not logged in (or whose session ended), in a moving
    window: `per_connection` on one connection, `per_address` from one address over all its
    connections. Over either, the message is refused and the connection closed. A desktop
    sends one login or resume; a shift logging in behind one NAT address is far below the
    address's limit."""

    def __init__(self, per_connection: str = "30/minute",
                 per_address: str = "600/minute") -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_connection, self._per_address = parse(per_connection), parse(per_address)

    def allow(self, connection: str, address: str) -> bool:
        """Count one message; False if the connection or the address is over its limit."""
        return (self._limiter.hit(self._per_connection, "connection", connection)
                and self._limiter.hit(self._per_address, "address", address))
