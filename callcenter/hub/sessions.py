"""Desktop sessions: tokens, idle and absolute expiry, and the throttle on failed logins.

A token is 32 random bytes (url-safe); the daemon keeps only its SHA-256, so a memory dump or a
log line cannot be replayed. Sessions live in the daemon's memory: a daemon restart asks the
desktops to log in again (their drafts are on their own disk, nothing is lost). The clock is
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
    client: str = ""
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

    def of_agent(self, username: str) -> list[HubSession]:
        """The agent's sessions that have not expired."""
        now = self.clock()
        return [s for s in self._by_digest.values()
                if s.username == username and self._expiry(s, now) is None]

    def expires_in(self, session: HubSession) -> float:
        now = self.clock()
        return min(session.created + self.max_seconds, session.last_seen + self.idle_seconds) - now


class LoginThrottle:
    """Failed logins, in a moving window: at most `per_user` for one username from one address,
    and `per_client` failures from one address whatever the username. An attempt on a username
    is counted before its password is checked (parallel attempts cannot slip through) and a
    success clears that count; beyond the limits no password is checked at all (which also
    spares the CPU an argon2 hash per attempt)."""

    def __init__(self, per_user: str = "5/5minutes", per_client: str = "100/minute") -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_user, self._per_client = parse(per_user), parse(per_client)

    def attempt(self, username: str, client: str) -> bool:
        """Count an attempt on this username; False if over a limit (it must be refused)."""
        if not self._limiter.test(self._per_client, "client", client):
            return False
        return self._limiter.hit(self._per_user, "user", username.lower(), client)

    def succeeded(self, username: str, client: str) -> None:
        self._limiter.clear(self._per_user, "user", username.lower(), client)

    def failed(self, client: str) -> None:
        """Only failures count against an address (a shift logging in behind one NAT is fine)."""
        self._limiter.hit(self._per_client, "client", client)
