"""Agent administration: argon2 hashes, roles, unique names and extensions, queue tiers."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.agents import (
    NewAgent,
    QueueMismatch,
    add_agent,
    get_agent,
    parse_membership,
    phone_status,
    queue_mismatches,
    set_password,
    set_queues,
    set_switch_settings,
    switch_settings,
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


# -- who answers a topic: its agencies' staff (topics.toml `agencies`) -----------------------

HOA = NewAgent(username="hoa", full_name="Trần Hoa", role="clerk", password="mat-khau-dai-2",
               agency="TTPVHCC")


def test_a_clerk_is_not_staff_of_the_nurses_topic(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, HOA)
        found = queue_mismatches(s, "hoa", [parse_membership("f0_home_care"),
                                            parse_membership("public_services")])
    assert found == [QueueMismatch("hoa", "clerk", "TTPVHCC", "f0_home_care", ("CDC", "SYT"))]
    assert str(found[0]) == ("agent hoa (clerk, agency TTPVHCC) is not staff of the agencies "
                             "that answer topic f0_home_care (CDC, SYT)")


def test_the_nurse_of_an_answering_agency_fits(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)  # CDC
        assert queue_mismatches(s, "lan", [parse_membership("f0_home_care"),
                                           parse_membership("epidemic_report:2")]) == []


def test_an_agent_of_no_agency_is_named_as_such(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, NewAgent(**{**LAN.__dict__, "agency": None}))
        [found] = queue_mismatches(s, "lan", [parse_membership("f0_home_care")])
    assert found.agency is None
    assert "agent lan (nurse, no agency) is not staff" in str(found)


def test_a_tier_the_agent_has_is_not_asked_about_again(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, HOA)
        set_queues(s, "hoa", [parse_membership("f0_home_care")])  # put there on purpose
        assert queue_mismatches(s, "hoa", [parse_membership("f0_home_care:2"),
                                           parse_membership("public_services")]) == []
        assert [m.topic_key for m in queue_mismatches(
            s, "hoa", [parse_membership("epidemic_report")])] == ["epidemic_report"]


# -- mod_callcenter's per-agent settings ---------------------------------------------------

def test_switch_settings_are_changed_and_reported(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
        before = switch_settings(s, "lan")
        assert (before.max_no_answer, before.wrap_up_time, before.phone_status) == (3, 10, None)
        changed = set_switch_settings(s, "lan", {"max_no_answer": 0, "wrap_up_time": 10,
                                                 "busy_delay_time": 30,
                                                 "phone_status": "Available"})
    assert changed == {"max_no_answer": (3, 0), "busy_delay_time": (60, 30),
                       "phone_status": (None, "Available")}
    with seeded() as s:
        after = switch_settings(s, "lan")
    assert (after.max_no_answer, after.wrap_up_time, after.busy_delay_time,
            after.phone_status) == (0, 10, 30, "Available")


@pytest.mark.parametrize("changes, message", [
    ({"max_no_answer": 101}, r"max_no_answer 101: must be a whole number from 0 to 100"),
    ({"wrap_up_time": -1}, r"wrap_up_time -1: must be a whole number from 0 to 3600"),
    ({"reject_delay_time": "10"}, r"reject_delay_time '10': must be a whole number"),
    ({"no_answer_delay_time": True}, r"no_answer_delay_time True: must be a whole number"),
    ({"phone_status": "available"}, r"phone_status 'available' is not one of Available, "
                                    r"On Break, Logged Out"),
    ({"phone_status": "Available (On Demand)"}, r"phone_status 'Available \(On Demand\)'"),
    ({"ready_time": 5}, r"unknown switch setting 'ready_time'"),
])
def test_bad_switch_settings_change_nothing(seeded: sessionmaker[Session], changes: dict,
                                            message: str) -> None:
    with transaction(seeded) as s:
        add_agent(s, LAN)
    with pytest.raises(DataError, match=message), transaction(seeded) as s:
        set_switch_settings(s, "lan", {"busy_delay_time": 5, **changes})
    with seeded() as s:
        assert switch_settings(s, "lan").busy_delay_time == 60  # the good one was not kept


def test_a_phone_status_given_again_touches_the_agent(seeded: sessionmaker[Session]) -> None:
    """So the daemon's watch syncs, and puts back a status the switch changed."""
    with transaction(seeded) as s:
        add_agent(s, LAN)
        set_switch_settings(s, "lan", {"phone_status": "Available"})
    with seeded() as s:
        stamp = get_agent(s, "lan").updated_at
    with transaction(seeded) as s:
        assert set_switch_settings(s, "lan", {"phone_status": "Available"}) == {}
    with seeded() as s:
        assert get_agent(s, "lan").updated_at > stamp


@pytest.mark.parametrize(("text", "status"), [
    ("available", "Available"), ("On break", "On Break"), (" logged out ", "Logged Out"),
    ("none", None), ("NONE", None),
])
def test_phone_status_is_spelled_as_mod_callcenter_wants(text: str, status: str | None) -> None:
    assert phone_status(text) == status


@pytest.mark.parametrize(("text", "message"), [
    ("Available (On Demand)", "a phone-only agent would stay Idle"),
    ("busy", "'busy' is not one of Available, On Break, Logged Out"),
])
def test_a_bad_phone_status_is_explained(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        phone_status(text)
