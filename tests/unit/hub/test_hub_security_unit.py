"""The hub's defences, piece by piece: what the protocol refuses on receipt (deep JSON, ids out
of a database's range, lax types, free-form break reasons), the login throttle's limits per
username, and a caller's history as each person may see it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.hub import store
from callcenter.hub.sessions import LoginThrottle
from db.engine import transaction
from db.models import Call, Callback, Case, Declaration, Topic
from protocol import messages as m
from protocol.errors import ErrorCode

PHONE = "+84912000111"


def _request(**fields: Any) -> str:
    return json.dumps({"v": 1, "id": "r1", **fields})


def _refused(raw: str | bytes) -> m.ProtocolError:
    with pytest.raises(m.ProtocolError) as caught:
        m.parse_request(raw)
    assert caught.value.code is ErrorCode.BAD_MESSAGE
    return caught.value


# -- 9: deep JSON ------------------------------------------------------------------------------

def _nested(depth: int) -> str:
    """A case_save whose form holds arrays `depth` levels deep (the message itself is one)."""
    inner = "[" * (depth - 2) + "]" * (depth - 2)
    return ('{"v": 1, "type": "case_save", "id": "r1", "topic": "t", "form": {"x": ' + inner +
            "}}")


def test_json_nested_past_the_parsers_stack_is_a_bad_message() -> None:
    error = _refused(_nested(100_000))  # not a RecursionError
    assert "nested" in error.message
    _refused(_nested(100_000).encode())


def test_json_is_refused_past_max_depth_and_taken_up_to_it() -> None:
    assert m.parse_request(_nested(m.MAX_DEPTH)).form == {"x": _arrays(m.MAX_DEPTH - 2)}
    assert "nested" in _refused(_nested(m.MAX_DEPTH + 1)).message


def _arrays(depth: int) -> Any:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_many_brackets_in_strings_are_not_nesting() -> None:
    notes = "[{" * 1000
    request = m.parse_request(_request(type="case_save", topic="t", notes=notes))
    assert request.notes == notes


# -- 9, 10: ids and strict types ---------------------------------------------------------------

ID_FIELDS = [("case_get", "case_id", {}), ("callback_dial", "callback_id", {}),
             ("case_save", "case_id", {"topic": "t"}), ("case_save", "version", {"topic": "t"}),
             ("case_draft", "case_id", {"topic": "t", "draft_id": "d"})]


@pytest.mark.parametrize(("kind", "name", "others"), ID_FIELDS)
@pytest.mark.parametrize("value", [2**31, 2**63, 2**64, 0, -1, "1", 1.0, True])
def test_an_id_is_a_json_integer_a_database_can_hold(kind: str, name: str,
                                                      others: dict[str, Any],
                                                      value: Any) -> None:
    _refused(_request(type=kind, **others, **{name: value}))


@pytest.mark.parametrize(("kind", "name", "others"), ID_FIELDS)
def test_the_largest_and_smallest_ids_are_taken(kind: str, name: str,
                                                others: dict[str, Any]) -> None:
    for value in (1, m.MAX_ROW_ID):
        assert getattr(m.parse_request(_request(type=kind, **others, **{name: value})),
                       name) == value


@pytest.mark.parametrize("raw", [
    _request(type="resume", token="t" * 40, last_seq="0"),
    _request(type="resume", token="t" * 40, last_seq=0.0),
    _request(type="resume", token="t" * 40, last_seq=False),
    _request(type="resume", token="t" * 40, last_seq=2**64),
    _request(type="call_hold", call_uuid="u", hold=1),
    _request(type="call_hold", call_uuid="u", hold="true"),
    json.dumps({"v": True, "type": "logout", "id": "r1"}),
    json.dumps({"v": 1.0, "type": "logout", "id": "r1"}),
    json.dumps({"v": "1", "type": "logout", "id": "r1"}),
])
def test_types_are_not_coerced(raw: str) -> None:
    _refused(raw)


def test_what_the_desktop_builds_still_validates() -> None:
    """desktop/connection.py builds its requests from the models, with the hub's own ints and
    booleans (ids and versions from its replies, `last_seq` from the pushes)."""
    for request in (m.CaseGet(id="r1", case_id=12), m.CallbackDial(id="r2", callback_id=3),
                    m.CaseSave(id="r3", topic="t", case_id=12, version=2, form={"a": 1}),
                    m.CaseDraft(id="r4", topic="t", case_id=None, draft_id="d"),
                    m.Resume(id="r5", token="t" * 40, last_seq=0),
                    m.CallHold(id="r6", call_uuid="u", hold=False),
                    m.SetStatus(id="r7", status="On Break", reason="meal"),
                    m.SetStatus(id="r8", status="Available")):
        assert m.parse_request(m.dump(request)) == request


# -- 9: break reasons --------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["meal\nforged line", "x" * 64, "lunch", "MEAL", ""])
def test_a_break_reason_is_one_of_the_codes(reason: str) -> None:
    _refused(_request(type="set_status", status="On Break", reason=reason))


def test_every_break_reason_code_is_taken() -> None:
    assert m.BREAK_REASONS == ("meal", "rest", "meeting", "training", "personal")
    for reason in m.BREAK_REASONS:
        assert m.parse_request(_request(type="set_status", status="On Break",
                                        reason=reason)).reason == reason


# -- 9: the login throttle ---------------------------------------------------------------------

def test_a_username_guessed_from_many_addresses_is_throttled() -> None:
    throttle = LoginThrottle()
    allowed = [throttle.attempt("lan", f"10.0.{n}.1") for n in range(8) for _ in range(5)]
    assert allowed == [True] * 30 + [False] * 10  # 30 a username from all addresses
    assert throttle.attempt("binh", "10.0.7.1")  # another username from the same address


def test_one_address_is_not_throttled_as_a_whole() -> None:
    """Behind one NAT address: someone guessing one account, colleagues logging in."""
    throttle = LoginThrottle()
    for n in range(40):
        for _ in range(5):
            throttle.attempt(f"guest{n}", "203.0.113.9")
    assert not throttle.attempt("guest0", "203.0.113.9")
    assert throttle.attempt("lan", "203.0.113.9")
    throttle.succeeded("lan", "203.0.113.9")


# -- 8: history as each person may see it ------------------------------------------------------

@pytest.fixture
def history_db(seeded: sessionmaker[Session]) -> dict[str, int]:
    """A caller with a case, calls, a callback and a declaration in the COVID topic, a call
    that never reached a topic, and 60 newer calls to the public-services line."""
    now = datetime.now(UTC)
    with transaction(seeded) as s:
        topics = {t.key: t.id for t in s.scalars(select(Topic))}
        covid, clerks = topics["f0_home_care"], topics["public_services"]
        s.add(Case(code="F0-2026-000001", topic_id=covid, caller_phone=PHONE, status="open",
                   form_data={"full_name": "Trần Thị Hoa"},
                   created_at=now - timedelta(days=2), updated_at=now - timedelta(days=2)))
        s.add(Call(uuid="covid", caller_number=PHONE, topic_id=covid, result="answered",
                   started_at=now - timedelta(days=2)))
        s.add(Call(uuid="menu-only", caller_number=PHONE, topic_id=None, result="ivr_hangup",
                   started_at=now - timedelta(days=1)))
        s.add(Callback(phone=PHONE, topic_id=covid, reason="abandoned",
                       due_at=now - timedelta(days=2)))
        s.add(Declaration(full_name="Trần Thị Hoa", phone=PHONE, symptoms="sốt",
                          received_at=now - timedelta(days=3)))
        s.add_all([Call(uuid=f"clerk-{n}", caller_number=PHONE, topic_id=clerks,
                        result="answered", started_at=now - timedelta(minutes=n))
                   for n in range(60)])
    return topics


def _kinds(items: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    return {(i["kind"], i["topic"]) for i in items}


def test_a_clerk_sees_only_their_topics_calls(seeded: sessionmaker[Session],
                                              history_db: dict[str, int]) -> None:
    with seeded() as s:
        items = store.history(s, PHONE, None, frozenset({"public_services"}), "f0_home_care")
        assert _kinds(items) == {("call", "public_services")}
        assert store.history(s, None, "F0-2026-000001", frozenset({"public_services"}),
                             "f0_home_care") == []


def test_a_nurse_sees_her_topics_items_past_the_others_newer_calls(
        seeded: sessionmaker[Session], history_db: dict[str, int]) -> None:
    with seeded() as s:
        items = store.history(s, PHONE, None, frozenset({"f0_home_care"}), "f0_home_care")
    assert _kinds(items) == {("case", "f0_home_care"), ("call", "f0_home_care"),
                             ("callback", "f0_home_care"), ("declaration", None)}
    assert [i["code"] for i in items if i["kind"] == "case"] == ["F0-2026-000001"]


def test_declarations_go_only_to_the_declaration_topics_agents(
        seeded: sessionmaker[Session], history_db: dict[str, int]) -> None:
    with seeded() as s:
        health = store.history(s, PHONE, None, frozenset({"epidemic_report"}), "f0_home_care")
        admin = store.history(s, PHONE, None, None, "f0_home_care")
    assert health == []  # health staff answer epidemic reports, not home care
    assert len(admin) == 50  # an admin sees everything, newest first, to the limit
