"""Agent administration: argon2 hashes, roles, unique names and extensions, queue tiers."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.agents import (
    NewAgent,
    add_agent,
    get_agent,
    parse_membership,
    set_password,
    set_queues,
    verify_password,
)
from db.engine import transaction
from db.errors import DataError
from db.models import Agent

LAN = NewAgent(username="lan", full_name="Nguyễn Thị Lan", role="nurse",
               password="mat-khau-dai-1", agency="CDC", sip_extension="1001")


def test_add_hashes_with_argon2(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
    with seeded() as s:
        agent = get_agent(s, "lan")
        assert agent.password_hash.startswith("$argon2id$")
        assert verify_password(agent, "mat-khau-dai-1")
        assert not verify_password(agent, "wrong-password")
        assert agent.dial_string("hotline1022") == "user/1001@hotline1022"
        assert agent.agency is not None and agent.agency.code == "CDC"


@pytest.mark.parametrize("change, message", [
    ({"role": "doctor"}, "role 'doctor' is not one of"),
    ({"username": "Lan Anh"}, "username 'Lan Anh'"),
    ({"agency": "UBND"}, r"unknown agency 'UBND' \(known: CDC, SYT, TTPVHCC\)"),
    ({"password": "short"}, "at least 10 characters"),
    ({"sip_extension": "10a1"}, "SIP extension"),
    ({"full_name": "  "}, "full name is missing"),
])
def test_bad_agent_is_refused(seeded: sessionmaker[Session], change: dict, message: str) -> None:
    with pytest.raises(DataError, match=message), transaction(seeded) as s:
        add_agent(s, NewAgent(**{**LAN.__dict__, **change}))
    with seeded() as s:
        assert s.scalars(select(Agent)).all() == []


def test_duplicate_username_and_extension_are_refused(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
    with pytest.raises(DataError, match="username 'lan' is taken"), transaction(seeded) as s:
        add_agent(s, LAN)
    other = NewAgent(**{**LAN.__dict__, "username": "hoa"})
    with pytest.raises(DataError, match="extension 1001 belongs to another agent"), \
            transaction(seeded) as s:
        add_agent(s, other)


def test_set_queues_replaces_tiers(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
        set_queues(s, "lan", [parse_membership("f0_home_care"),
                              parse_membership("epidemic_report:2:3")])
    with transaction(seeded) as s:
        set_queues(s, "lan", [parse_membership("epidemic_report:1:1")])
    with seeded() as s:
        tiers = [(t.topic.key, t.level, t.position) for t in get_agent(s, "lan").tiers]
    assert tiers == [("epidemic_report", 1, 1)]
    with pytest.raises(DataError, match="unknown topic dengue"), transaction(seeded) as s:
        set_queues(s, "lan", [parse_membership("dengue")])


@pytest.mark.parametrize("text", ["f0:x", "f0:0", ":1", "f0:1:2:3"])
def test_bad_membership_is_refused(text: str) -> None:
    with pytest.raises(DataError):
        parse_membership(text)


def test_password_change(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
        set_password(s, "lan", "mat-khau-moi-22")
    with seeded() as s:
        assert verify_password(get_agent(s, "lan"), "mat-khau-moi-22")
