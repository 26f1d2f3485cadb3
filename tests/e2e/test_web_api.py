"""The portal's API through the real web process over TLS, on SQLite and PostgreSQL: a valid
declaration, each field error, the same person twice, a resend with the same Idempotency-Key,
wrong keys, bodies too large or malformed, and HTML in a name kept as typed and escaped
wherever it is shown."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import make_engine, make_sessionmaker
from db.models import AuditLog, Callback, Declaration
from tests.support.waiting import until
from tests.support.web_server import WebServer, api_key, prepare_database, running_web

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
_phones = iter(range(10_000_000))


def _phone() -> str:
    return f"09{next(_phones):08d}"


def _declaration(**changes: Any) -> dict[str, Any]:
    data = {"full_name": "Phạm Văn Tư", "birth_year": 1975, "sex": "male", "phone": _phone(),
            "admin_unit": "32167", "positive_date": YESTERDAY, "test_type": "pcr",
            "symptoms": ["fever"]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(scope="module")
def web(module_db_url: str, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[WebServer, str, str]]:
    prepare_database(module_db_url)
    key = api_key(module_db_url, "portal")
    with running_web(tmp_path_factory.mktemp("web"), module_db_url) as server:
        yield server, key, module_db_url


def _db(url: str) -> Session:
    return make_sessionmaker(make_engine(url))()


def _rows(url: str, phone: str) -> list[Declaration]:
    with _db(url) as session:
        from rules.phone import callable_phone
        return list(session.scalars(select(Declaration).where(
            Declaration.phone == callable_phone(phone))))


def test_a_valid_declaration_is_received_stored_and_owes_a_callback(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    sent = _declaration(red_flags=["dyspnoea", "cyanosis"], spo2=91)
    answer = server.post_declaration(key, sent)
    assert answer.status == 201, answer.text
    body = answer.json()
    assert re.fullmatch(r"KB-[0-9A-Z]{4}-[0-9A-Z]{4}", body["receipt_code"])
    assert (body["triage_level"], body["call_emergency_now"]) == ("red", True)
    assert body["same_person_as_earlier"] is False
    [row] = _rows(url, sent["phone"])
    assert row.payload == sent and row.source == "portal"
    assert row.receipt_code == body["receipt_code"].replace("-", "")
    with _db(url) as session:
        callback = session.scalar(select(Callback).where(Callback.declaration_id == row.id))
        assert callback is not None and callback.state == "open"
        assert callback.due_at.isoformat() == body["call_back_by"]  # red: due now
        audited = session.scalar(select(AuditLog).where(AuditLog.target == row.receipt_code))
        assert audited is not None and audited.actor == "source:portal"


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"full_name": None}, "full_name", "required"),
    ({"full_name": ""}, "full_name", "too_short"),
    ({"birth_year": "1975"}, "birth_year", "type"),
    ({"birth_year": 1850}, "birth_year", "too_small"),
    ({"sex": "unknown"}, "sex", "choice"),
    ({"phone": "12345"}, "phone", "phone"),
    ({"admin_unit": "99999"}, "admin_unit", "admin_unit"),
    ({"admin_unit": "Cà Mau"}, "admin_unit", "format"),
    ({"positive_date": "2999-01-01"}, "positive_date", "future_date"),
    ({"positive_date": "01/02/2026"}, "positive_date", "format"),
    ({"symptoms": ["fever", "hiccups"]}, "symptoms", "choice"),
    ({"spo2": 120}, "spo2", "too_large"),
    ({"full_name": "x" * 201}, "full_name", "too_long"),
    ({"diagnosis": "flu"}, "diagnosis", "unknown_field"),
])
def test_each_field_error_is_named_and_nothing_is_stored(
        web: tuple[WebServer, str, str], changes: dict[str, Any], field: str,
        code: str) -> None:
    server, key, url = web
    sent = _declaration(**changes)
    answer = server.post_declaration(key, sent)
    assert answer.status == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, code)]
    if isinstance(sent.get("phone"), str) and sent["phone"].startswith("09"):
        assert _rows(url, sent["phone"]) == []
    with _db(url) as session:
        refused = session.scalars(select(AuditLog).where(
            AuditLog.action == "declaration_refused").order_by(AuditLog.id.desc())).first()
        assert refused is not None and refused.detail["errors"] == [f"{field}:{code}"]
        assert refused.actor == "source:portal"


def test_the_same_person_again_is_attached_and_a_resend_stores_nothing(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    sent = _declaration()
    first = server.post_declaration(key, sent, idempotency_key="portal-000123")
    again = server.post_declaration(key, sent, idempotency_key="portal-000123")
    assert (first.status, again.status) == (201, 201)
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    conflict = server.post_declaration(key, {**sent, "spo2": 97},
                                       idempotency_key="portal-000123")
    assert conflict.status == 409
    # The same person declares again (a new key): attached to the first, one callback.
    later = server.post_declaration(key, {**sent, "full_name": "PHẠM VĂN TƯ"},
                                    idempotency_key="portal-000124")
    assert later.status == 201 and later.json()["same_person_as_earlier"] is True
    rows = _rows(url, sent["phone"])
    assert len(rows) == 2 and rows[1].first_id == rows[0].id
    with _db(url) as session:
        assert session.scalar(select(func.count()).select_from(Callback).where(
            Callback.phone == rows[0].phone)) == 1


def test_wrong_keys_and_bad_bodies_are_refused_with_a_clear_answer(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    sent = _declaration()
    for token in (None, "hk_not-a-key", key + "x"):
        answer = server.post_declaration(token, sent)
        assert answer.status == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    big = '{"declaration": {"full_name": "' + "x" * 70_000 + '"}}'
    assert server.request("POST", "/api/v1/declarations", big, headers).status == 413
    assert server.request("POST", "/api/v1/declarations", "{not json", headers).status == 400
    assert server.request("POST", "/api/v1/declarations", "[1, 2]", headers).status == 400
    assert server.request("POST", "/api/v1/declarations", {"declaration": {}, "x": 1},
                          headers={"Authorization": f"Bearer {key}"}).status == 400
    plain = {"Authorization": f"Bearer {key}", "Content-Type": "text/plain"}
    assert server.request("POST", "/api/v1/declarations", "hello", plain).status == 415
    bad_key = server.post_declaration(key, sent, idempotency_key="has space")
    assert bad_key.status == 400
    assert _rows(url, sent["phone"]) == []
    for answer in (server.request("POST", "/api/v1/declarations", "{not json", headers),
                   server.request("GET", "/no/such/page")):
        assert "Traceback" not in answer.text and "File \"" not in answer.text


def test_html_in_a_name_is_kept_as_typed_and_escaped_when_shown(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sent = _declaration(full_name=name)
    assert server.post_declaration(key, sent).status == 201
    [row] = _rows(url, sent["phone"])
    assert row.full_name == name and row.payload["full_name"] == name
    # The public form shows what was typed back (here with an error): escaped.
    page = form_post(server, {"full_name": name, "birth_year": "abc"})
    assert page.status == 422
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(" in page.text


def test_the_openapi_document_is_served_and_the_same_as_the_repositorys(
        web: tuple[WebServer, str, str]) -> None:
    import json

    from openapi_spec_validator import validate

    server, _, _ = web
    answer = server.request("GET", "/api/v1/openapi.json")
    assert answer.status == 200
    served = answer.json()
    validate(served)
    committed = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    assert served == committed, "run: callcenter web openapi --out docs/openapi.json"


def form_post(server: WebServer, values: dict[str, str]) -> Any:
    """The public form sent as a browser would: its page first (the CSRF token and cookie)."""
    from urllib.parse import urlencode

    connection = server.connection()
    try:
        connection.request("GET", "/khai-bao/f0_home_care")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        body = urlencode({"csrf_token": token.group(1), **values})
        connection.request("POST", "/khai-bao/f0_home_care", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Referer": f"{server.url}/khai-bao/f0_home_care"})
        response = connection.getresponse()
        from tests.support.web_server import Answer
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def test_a_connection_that_never_shakes_hands_is_cut_off_and_counted(
        sqlite_template: Path, tmp_path: Path) -> None:
    import shutil
    import socket
    import time

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare_database(url)
    with running_web(tmp_path, url, header_seconds=0.5, max_connections_per_address=2) as web:
        silent = [socket.create_connection(("127.0.0.1", web.port)) for _ in range(2)]
        third = socket.create_connection(("127.0.0.1", web.port))
        third.settimeout(5)
        assert third.recv(1) == b""  # over the address's limit: closed at once
        started = time.monotonic()
        for sock in silent:
            sock.settimeout(5)
            assert sock.recv(1) == b""  # no ClientHello within header_seconds: closed
        assert time.monotonic() - started < 4
        assert web.request("GET", "/api/v1/openapi.json").status == 200  # room again


def test_worker_processes_share_the_port_and_stop_with_the_first(
        sqlite_template: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare_database(url)
    with running_web(tmp_path, url, workers=2) as web:
        workers = _children(web.process.pid)
        assert len(workers) == 1  # the first process and one more, on the same port
        # The worker paused: connections the kernel gives it wait, the others are served.
        os.kill(workers[0], signal.SIGSTOP)
        try:
            outcomes = {_outcome(web) for _ in range(16)}
        finally:
            os.kill(workers[0], signal.SIGCONT)
        assert outcomes == {"served", "held"}
        assert _outcome(web) == "served"
    until(lambda: not Path(f"/proc/{workers[0]}").exists())  # it stops with the first


def _outcome(web: WebServer) -> str:
    connection = web.connection()
    connection.timeout = 0.5
    try:
        connection.request("GET", "/api/v1/openapi.json")
        return "served" if connection.getresponse().status == 200 else "refused"
    except TimeoutError:
        return "held"
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
