"""Agent administration: accounts with argon2 password hashes, roles, and queue tiers."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db.errors import DataError, NotFound
from db.models import ROLES, Agency, Agent, Tier, Topic

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(agent: Agent, password: str) -> bool:
    return verify_hash(agent.password_hash, password)


def verify_hash(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: list[str] = []
_dummy_lock = threading.Lock()


def dummy_hash() -> str:
    """A hash of a random password, made once with the parameters new passwords get: checking
    a password against it costs what checking a real one does."""
    with _dummy_lock:
        if not _dummy:
            _dummy.append(_hasher.hash(secrets.token_urlsafe(24)))
        return _dummy[0]


def check_login(password_hash: str | None, password: str) -> bool:
    """The password against the account's hash; with no usable account (unknown, disabled:
    None) against dummy_hash, and False. Either way one argon2 verification runs, so the time
    a login takes does not tell which usernames exist."""
    if password_hash is None:
        verify_hash(dummy_hash(), password)
        return False
    return verify_hash(password_hash, password)


@dataclass(frozen=True)
class NewAgent:
    username: str
    full_name: str
    role: str
    password: str
    agency: str | None = None  # agency code
    sip_extension: str | None = None
    contact: str | None = None


def add_agent(session: Session, new: NewAgent) -> Agent:
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,63}", new.username):
        raise DataError(f"username {new.username!r}: use 2-64 lower-case letters, digits, . _ -")
    if new.role not in ROLES:
        raise DataError(f"role {new.role!r} is not one of {', '.join(ROLES)}")
    if not new.full_name.strip():
        raise DataError("the full name is missing")
    if new.sip_extension is not None and not re.fullmatch(r"[0-9]{2,10}", new.sip_extension):
        raise DataError(f"SIP extension {new.sip_extension!r} must be 2-10 digits")
    if session.scalar(select(Agent.id).where(Agent.username == new.username)):
        raise DataError(f"username {new.username!r} is taken")
    if new.sip_extension and session.scalar(
            select(Agent.username).where(Agent.sip_extension == new.sip_extension)):
        raise DataError(f"SIP extension {new.sip_extension} belongs to another agent")
    agent = Agent(username=new.username, full_name=new.full_name.strip(), role=new.role,
                  password_hash=hash_password(new.password), sip_extension=new.sip_extension,
                  contact=new.contact or None, agency=_agency(session, new.agency))
    session.add(agent)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent add of the same name or extension
        raise DataError(f"agent {new.username!r} conflicts with an existing one") from exc
    return agent


def _agency(session: Session, code: str | None) -> Agency | None:
    if code is None:
        return None
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        known = ", ".join(session.scalars(select(Agency.code).order_by(Agency.code))) or "none"
        raise DataError(f"unknown agency {code!r} (known: {known})")
    return agency


def get_agent(session: Session, username: str) -> Agent:
    agent = session.scalar(select(Agent).where(Agent.username == username)
                           .options(selectinload(Agent.tiers).selectinload(Tier.topic)))
    if agent is None:
        raise NotFound(f"no agent {username!r}")
    return agent


def set_password(session: Session, username: str, password: str) -> None:
    get_agent(session, username).password_hash = hash_password(password)


def set_active(session: Session, username: str, active: bool) -> None:
    get_agent(session, username).active = active


@dataclass(frozen=True)
class QueueMembership:
    topic_key: str
    level: int = 1
    position: int = 1


def parse_membership(text: str) -> QueueMembership:
    """'f0_home_care' or 'f0_home_care:2' or 'f0_home_care:2:3' (topic:level:position)."""
    parts = text.split(":")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError as exc:
        raise DataError(f"{text!r}: level and position must be whole numbers") from exc
    if len(parts) > 3 or not parts[0] or any(n < 1 for n in numbers):
        raise DataError(f"{text!r}: write topic[:level[:position]] with level, position ≥ 1")
    return QueueMembership(parts[0], *numbers)


def set_queues(session: Session, username: str, memberships: list[QueueMembership]) -> None:
    """Make the agent's tiers exactly `memberships` (the daemon mirrors them to the switch)."""
    agent = get_agent(session, username)
    topics = {t.key: t for t in session.scalars(select(Topic))}
    unknown = [m.topic_key for m in memberships if m.topic_key not in topics]
    if unknown:
        raise DataError(f"unknown topic {', '.join(unknown)} (known: {', '.join(sorted(topics))})")
    wanted = {m.topic_key: m for m in memberships}
    for tier in list(agent.tiers):
        m = wanted.pop(tier.topic.key, None)
        if m is None:
            agent.tiers.remove(tier)
        else:
            tier.level, tier.position = m.level, m.position
    for m in wanted.values():
        agent.tiers.append(Tier(topic=topics[m.topic_key], level=m.level, position=m.position))
    session.flush()


def callcenter_name(agent: Agent, domain: str) -> str:
    """The agent's name in mod_callcenter (agents and tiers): username@domain."""
    return f"{agent.username}@{domain}"


def set_sip_password(session: Session, username: str, domain: str) -> str:
    """A new random password for the agent's SIP phone; only its digest A1 hash is kept.
    Returns the password, to be given to the agent once."""
    agent = get_agent(session, username)
    if not agent.sip_extension:
        raise DataError(f"agent {username!r} has no SIP extension (agent add --extension)")
    password = secrets.token_urlsafe(12)
    a1 = f"{agent.sip_extension}:{domain}:{password}".encode()
    agent.sip_a1_hash = hashlib.md5(a1, usedforsecurity=False).hexdigest()  # SIP digest's A1
    return password


def list_agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).order_by(Agent.username).options(
        selectinload(Agent.tiers).selectinload(Tier.topic), selectinload(Agent.agency))))
