"""Agent administration: accounts with argon2 password hashes, roles, and queue tiers."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db.errors import DataError, NotFound
from db.models import PHONE_STATUSES, ROLES, Agency, Agent, Tier, Topic, agency_topic, utcnow

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


@dataclass(frozen=True)
class QueueMismatch:
    """A topic an agent would answer though their agency is not one of those the topic names
    as answering it (topics.toml `agencies`): a clerk of the public-services centre on the
    nurses' queue."""

    username: str
    role: str
    agency: str | None  # the agent's agency code; None: they belong to none
    topic_key: str
    topic_agencies: tuple[str, ...]

    def __str__(self) -> str:
        staff = ", ".join(self.topic_agencies)
        whose = f"{self.role}, agency {self.agency}" if self.agency else \
            f"{self.role}, no agency"
        return (f"agent {self.username} ({whose}) is not staff of the agencies that answer "
                f"topic {self.topic_key} ({staff})")


def queue_mismatches(session: Session, username: str,
                     memberships: list[QueueMembership]) -> list[QueueMismatch]:
    """The topics of `memberships` the agent does not answer yet whose agencies do not include
    the agent's. Topics that name no agency are anyone's; tiers the agent has already are not
    asked about again (one put there on purpose stays without a new question)."""
    agent = get_agent(session, username)
    have = {tier.topic.key for tier in agent.tiers}
    code = agent.agency.code if agent.agency else None
    found = []
    for key in dict.fromkeys(m.topic_key for m in memberships):
        if key in have:
            continue
        agencies = tuple(session.scalars(
            select(Agency.code).join(agency_topic, agency_topic.c.agency_id == Agency.id)
            .join(Topic, Topic.id == agency_topic.c.topic_id)
            .where(Topic.key == key).order_by(Agency.code)))
        if agencies and code not in agencies:
            found.append(QueueMismatch(username, agent.role, code, key, agencies))
    return found


# mod_callcenter's per-agent parameters (`callcenter_config agent set <key>`, mod_callcenter.c
# cc_agent_update, which takes any whole number): the range this hotline accepts, and what
# each means. The times are seconds.
SWITCH_LIMITS: dict[str, tuple[int, int, str]] = {
    "max_no_answer": (0, 100, "calls in a row the agent may leave unanswered before "
                              "mod_callcenter puts them On Break (0: never)"),
    "wrap_up_time": (0, 3600, "seconds after each call before the next is offered"),
    "reject_delay_time": (0, 3600, "seconds before a call is offered again after the agent "
                                   "rejected one"),
    "busy_delay_time": (0, 3600, "seconds before a call is offered again after the agent's "
                                 "phone was busy"),
    "no_answer_delay_time": (0, 3600, "seconds before a call is offered again after one the "
                                      "agent did not answer"),
}


@dataclass(frozen=True)
class AgentSwitchSettings:
    """An agent's settings on mod_callcenter, as the daemon pushes them."""

    max_no_answer: int
    wrap_up_time: int
    reject_delay_time: int
    busy_delay_time: int
    no_answer_delay_time: int
    phone_status: str | None  # None: the agent's desktop sets the status


def switch_settings(session: Session, username: str) -> AgentSwitchSettings:
    agent = get_agent(session, username)
    return AgentSwitchSettings(agent.max_no_answer, agent.wrap_up_time, agent.reject_delay_time,
                          agent.busy_delay_time, agent.no_answer_delay_time,
                          agent.phone_status)


def phone_status(text: str) -> str | None:
    """A phone-only status as mod_callcenter spells it (it stores what it is given, and offers
    calls only to `Available` in that exact case), or None for `none`: the desktop's again."""
    if text.strip().lower() == "none":
        return None
    for status in PHONE_STATUSES:
        if text.strip().lower() == status.lower():
            return status
    if text.strip().lower() == "available (on demand)":
        raise DataError("'Available (On Demand)' is for agents with a desktop: after each call "
                        "it waits for the desktop to end the after-call work, and a phone-only "
                        "agent would stay Idle; use Available (and wrap_up_time)")
    raise DataError(f"phone-only status {text!r} is not one of {', '.join(PHONE_STATUSES)} "
                    "(or none)")


def switch_setting_problem(key: str, value: object) -> str | None:
    """What is wrong with a value of one of SWITCH_LIMITS' settings (None: nothing)."""
    low, high, meaning = SWITCH_LIMITS[key]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"must be a whole number from {low} to {high} ({meaning})"


def set_switch_settings(session: Session, username: str, changes: Mapping[str, int | str | None],
                        ) -> dict[str, tuple[object, object]]:
    """Change some of an agent's mod_callcenter settings (SWITCH_LIMITS' keys and
    `phone_status`); returns each changed one as (before, after). Everything is checked
    before anything is changed. The daemon pushes them to the switch; a phone status given
    again, unchanged, is pushed again too (the agent's row is touched): that is how a
    phone-only agent mod_callcenter put On Break for missed calls is made Available again."""
    agent = get_agent(session, username)
    problems = []
    for key, value in changes.items():
        if key == "phone_status":
            if value is not None and value not in PHONE_STATUSES:
                problems.append(f"phone_status {value!r} is not one of "
                                f"{', '.join(PHONE_STATUSES)}")
        elif key in SWITCH_LIMITS:
            problem = switch_setting_problem(key, value)
            if problem:
                problems.append(f"{key} {value!r}: {problem}")
        else:
            problems.append(f"unknown switch setting {key!r}")
    if problems:
        raise DataError("; ".join(problems))
    changed: dict[str, tuple[object, object]] = {}
    for key, value in changes.items():
        before = getattr(agent, key)
        if before != value:
            setattr(agent, key, value)
            changed[key] = (before, value)
    if changes.get("phone_status") is not None and "phone_status" not in changed:
        agent.updated_at = utcnow()  # the daemon's watch sees a change and syncs
    session.flush()
    return changed


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
