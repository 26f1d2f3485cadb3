"""The patient's own home-treatment check-in through the real web process over TLS, on SQLite
and PostgreSQL: a declaration (through the API or the form), its plan opened as the daemon
opens it, then check-ins on the page — green recorded with its readings, red told to call 115
with the nurses alerted (the episode's alert and its callback due now), the plan ended by a
recovery, one neutral answer for a wrong phone, a wrong code and an ended plan, field errors
with nothing stored, CSRF, the per-phone limit; and in a real Chromium, the 115 alert before
and after sending a red reading."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import monitoring
from db.engine import make_engine, make_sessionmaker, transaction
from db.models import AuditLog, Callback, CheckIn, Declaration, Episode
from rules.phone import callable_phone
from tests.support.waiting import until
from tests.support.web_server import (
    Answer,
    FormSession,
    WebServer,
    api_key,
    prepare_database,
    running_web,
)

PAGE = "/theo-doi/f0_home_care"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NEUTRAL = "Không tìm thấy đợt theo dõi điều trị tại nhà đang mở với mã và số điện thoại này."
_phones = iter(range(10_000_000))


@pytest.fixture(scope="module")
def web(module_db_url: str, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[WebServer, str, str]]:
    prepare_database(module_db_url)
    key = api_key(module_db_url, "portal")
    with running_web(tmp_path_factory.mktemp("web"), module_db_url,
                     rate_per_address="1000/minute", rate_per_phone="1000/hour") as server:
        yield server, key, module_db_url


@contextmanager
def _db(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _phone() -> str:
    return f"0918{next(_phones):06d}"


def _declared(server: WebServer, key: str, url: str, *, plan: bool = True,
              **changes: Any) -> tuple[str, str, int | None]:
    """A declaration sent by the portal, and (`plan`) its plan opened as the daemon opens it:
    the receipt code, the phone, the episode."""
    phone = _phone()
    sent = {"full_name": "Võ Thị Lan", "birth_year": 1990, "phone": phone,
            "admin_unit": "32167", "positive_date": (date.today() - timedelta(days=1))
            .isoformat(), "spo2": 98, **changes}
    answer = server.post_declaration(key, sent)
    assert answer.status == 201, answer.text
    return answer.json()["receipt_code"], phone, _open_plans(url, phone) if plan else None


def _open_plans(url: str, phone: str) -> int:
    with _db(url) as session:
        monitoring.open_from_declarations(session, datetime.now(UTC), ZONE)
        episode = monitoring.active_episode(session, _e164(phone), _topic_id(session))
        assert episode is not None
        return episode.id


def _topic_id(session: Session) -> int:
    topic_id = session.scalar(select(Declaration.topic_id).limit(1))
    assert topic_id is not None
    return topic_id


def _e164(phone: str) -> str:
    number = callable_phone(phone)
    assert number is not None
    return number


def _check_ins(url: str, episode_id: int | None = None) -> list[CheckIn]:
    with _db(url) as session:
        query = select(CheckIn).where(CheckIn.source == "web").order_by(CheckIn.id)
        if episode_id is not None:
            query = query.where(CheckIn.episode_id == episode_id)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def _last_audit(url: str) -> AuditLog:
    with _db(url) as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action.like("check_in_%"))
                              .order_by(AuditLog.id.desc())).first()
        assert row is not None
        session.expunge(row)
        return row


def _notice(page: Answer) -> str:
    found = re.search(r'<section class="notice bad" id="not-found".*?</section>', page.text,
                      re.S)
    assert found is not None, page.text[:2000]
    return found.group(0)


def test_a_green_check_in_is_recorded_with_its_readings(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    code, phone, episode_id = _declared(server, key, url)
    browser = FormSession(server)
    sent = browser.submit(PAGE, {"receipt_code": code.lower().replace("-", " "),
                                 "phone": phone, "spo2": "97,5", "respiratory_rate": "16",
                                 "temperature": "37.2", "symptoms": ["cough", "fatigue"]})
    assert sent.status == 303, sent.text[:2000]
    page = browser.follow(sent)
    assert page.status == 200
    assert "Đã ghi nhận báo cáo sức khỏe" in page.text
    assert "Nhân viên y tế sẽ gọi theo dõi bạn trước" in page.text
    assert 'class="danger' not in page.text and "tel:115" not in page.text
    [row] = _check_ins(url, episode_id)
    assert (row.spo2, row.respiratory_rate, row.temperature) == (97.5, 16, 37.2)
    assert row.level == "green" and row.red_flags == 0
    assert row.form == {"spo2": 97.5, "respiratory_rate": 16, "temperature": 37.2,
                        "symptoms": ["cough", "fatigue"]}
    with _db(url) as session:
        episode = session.get_one(Episode, episode_id)
        assert episode.alert_at is None and episode.state == "active"
    audited = _last_audit(url)
    assert (audited.action, audited.target, audited.actor) == (
        "check_in_received", code.replace("-", ""), "source:web")
    assert audited.detail["episode_id"] == episode_id and audited.detail["level"] == "green"


@pytest.mark.parametrize("readings", [
    {"spo2": "92"},
    {"spo2": "97", "red_flags": ["dyspnoea", "chest_pain"]},
], ids=["spo2-92", "two-danger-signs"])
def test_a_red_check_in_says_call_115_and_alerts_the_nurses(
        web: tuple[WebServer, str, str], readings: dict[str, Any]) -> None:
    server, key, url = web
    code, phone, episode_id = _declared(server, key, url)
    with _db(url) as session:
        callback = session.scalar(select(Callback).where(Callback.episode_id == episode_id))
        assert callback is not None and callback.due_at > datetime.now(UTC) + timedelta(
            hours=1)  # a green declaration: called back within a day
    browser = FormSession(server)
    sent = browser.submit(PAGE, {"receipt_code": code, "phone": phone, **readings})
    assert sent.status == 303, sent.text[:2000]
    page = browser.follow(sent)
    assert '<section class="danger shown"' in page.text
    assert "Có dấu hiệu nguy hiểm — gọi cấp cứu 115 ngay" in page.text
    assert 'href="tel:115"' in page.text
    assert 'id="nurses-alerted"' in page.text
    assert "Nhân viên y tế đã được báo và sẽ gọi cho bạn ngay." in page.text
    [row] = _check_ins(url, episode_id)
    assert row.level == "red"
    with _db(url) as session:
        episode = session.get_one(Episode, episode_id)
        assert episode.alert_at is not None and episode.level == "red"
        owed = session.scalar(select(Callback).where(
            Callback.episode_id == episode_id, Callback.state == "open"))
        assert owed is not None and owed.due_at == episode.alert_at  # brought forward: now
        assert owed.due_at <= datetime.now(UTC)


def test_a_check_in_that_ends_the_plan_says_so(web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    eleven_days = (date.today() - timedelta(days=11)).isoformat()
    # SpO2 at the danger threshold (orange), so the declaration alone does not end the plan
    code, phone, episode_id = _declared(server, key, url, spo2=96, positive_date=eleven_days)
    with _db(url) as session:
        assert session.get_one(Episode, episode_id).level == "orange"
    browser = FormSession(server)
    page = browser.follow(browser.submit(PAGE, {"receipt_code": code, "phone": phone,
                                                "spo2": "98", "temperature": "36.8"}))
    assert 'id="ended"' in page.text
    assert "Đợt theo dõi điều trị tại nhà đã kết thúc" in page.text
    with _db(url) as session:
        assert session.get_one(Episode, episode_id).state == "recovered"


def test_a_wrong_phone_a_wrong_code_and_no_active_plan_get_the_same_answer(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    code, phone, _ = _declared(server, key, url)
    ended_code, ended_phone, ended_id = _declared(server, key, url)
    with _db(url) as session:
        monitoring.close(session, ended_id or 0, "facility", None, datetime.now(UTC))
    unplanned_code, unplanned_phone, _ = _declared(server, key, url, plan=False)
    last = code[-1]
    other_code = code[:-1] + ("1" if last != "1" else "2")
    before = len(_check_ins(url))
    notices = []
    for typed_code, typed_phone in [(code, _phone()), (other_code, phone),
                                    (ended_code, ended_phone),
                                    (unplanned_code, unplanned_phone)]:
        page = FormSession(server).submit(PAGE, {"receipt_code": typed_code,
                                                 "phone": typed_phone, "spo2": "97"})
        assert page.status == 404
        assert NEUTRAL in page.text
        assert 'value="97"' in page.text  # what was typed is kept, to correct the code
        notices.append(_notice(page))
        refused = _last_audit(url)
        assert refused.action == "check_in_refused"
        assert refused.detail == {"topic": "f0_home_care", "errors": [],
                                  "reason": "no_active_episode"}
    assert len(set(notices)) == 1
    assert len(_check_ins(url)) == before
    english = FormSession(server)
    english.get(PAGE + "?lang=en")
    page = english.submit(PAGE, {"receipt_code": other_code, "phone": phone, "spo2": "97"})
    assert "We could not find an active home-treatment follow-up for this code and phone" \
        in page.text


def test_missing_or_invalid_fields_are_named_beside_each_and_nothing_is_stored(
        web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    code, phone, episode_id = _declared(server, key, url)
    browser = FormSession(server)
    empty = browser.submit(PAGE, {})
    assert empty.status == 422
    assert 'id="error-summary" role="alert" tabindex="-1"' in empty.text
    for name, message in [("receipt_code", "Vui lòng nhập Mã tiếp nhận."),
                          ("phone", "Vui lòng nhập Số điện thoại đã khai báo."),
                          ("spo2", "Vui lòng nhập ít nhất một chỉ số")]:
        assert f'<p class="error" id="{name}-error">{message}' in empty.text
        assert f'<li><a href="#{name}">{message}' in empty.text
    assert re.search(r'id="receipt_code"[^>]*aria-describedby="receipt_code-error"'
                     r'[^>]*aria-invalid="true"', empty.text)
    future = (date.today() + timedelta(days=2)).isoformat()
    wrong = browser.submit(PAGE, {"receipt_code": "KB-12", "phone": "12345", "spo2": "abc",
                                  "respiratory_rate": "200", "temperature": "38",
                                  "negative_test_on": future, "red_flags": ["hiccups"]})
    assert wrong.status == 422
    assert 'value="abc"' in wrong.text
    assert _last_audit(url).detail["errors"] == [
        "receipt_code:receipt", "phone:phone", "spo2:type", "respiratory_rate:too_large",
        "red_flags:choice", "negative_test_on:future_date"]
    # A valid code and phone with a bad reading: refused before the episode is looked at.
    wrong_reading = browser.submit(PAGE, {"receipt_code": code, "phone": phone, "spo2": "40"})
    assert wrong_reading.status == 422
    assert "SpO2 phải từ 50 trở lên." in wrong_reading.text
    assert _check_ins(url, episode_id) == []


def test_a_check_in_without_its_token_is_refused(web: tuple[WebServer, str, str]) -> None:
    server, key, url = web
    code, phone, episode_id = _declared(server, key, url)
    refused = FormSession(server).submit(PAGE, {"receipt_code": code, "phone": phone,
                                                "spo2": "92"}, token=False)
    assert refused.status == 400
    assert "Trang đã mở quá lâu" in refused.text
    assert _check_ins(url, episode_id) == []


def test_the_check_in_is_linked_from_the_receipt_the_status_page_and_the_index(
        web: tuple[WebServer, str, str]) -> None:
    server, _, url = web
    browser = FormSession(server)
    phone = _phone()
    sent = browser.submit("/khai-bao/f0_home_care", {
        "full_name": "Đặng Văn Bình", "birth_year": "1985", "phone": phone,
        "admin_unit": "Xã Tân Đức", "positive_date": date.today().isoformat()})
    receipt = browser.follow(sent)
    code = re.search(r'id="receipt-code">([^<]+)<', receipt.text)
    assert code is not None
    assert f'href="{PAGE}?code={code.group(1)}"' in receipt.text
    assert "Gửi báo cáo sức khỏe hằng ngày" in receipt.text
    for page in ("/tra-cuu", "/", "/khai-bao/f0_home_care"):
        shown = browser.get(page)
        if shown.status in (302, 303):
            shown = browser.follow(shown)
        assert f'href="{PAGE}' in shown.text, page
    assert "Send your daily health check-in" in browser.get("/tra-cuu?lang=en").text
    browser.get(PAGE + "?lang=vi")
    prefilled = browser.get(f"{PAGE}?code={code.group(1)}")
    assert f'value="{code.group(1)}"' in prefilled.text
    # The form's declaration, its plan opened: checked in with the code from the receipt.
    _open_plans(url, phone)
    done = browser.submit(PAGE, {"receipt_code": code.group(1), "phone": phone,
                                 "temperature": "37"})
    assert done.status == 303
    assert "Đã ghi nhận báo cáo sức khỏe" in browser.follow(done).text


def test_the_page_is_in_english_on_asking(web: tuple[WebServer, str, str]) -> None:
    server, _, _ = web
    page = FormSession(server).get(PAGE + "?lang=en")
    assert "<title>Daily health check-in during home treatment" in page.text
    assert "The phone number you declared" in page.text and "Send the check-in" in page.text
    assert FormSession(server).get("/theo-doi/no_such_topic").status == 404
    assert FormSession(server).get("/theo-doi/public_services").status == 404


def test_check_ins_for_one_phone_are_limited(sqlite_template: Path, tmp_path: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare_database(url)
    key = api_key(url, "portal")
    with running_web(tmp_path, url, rate_per_phone="2/hour") as server:
        code, phone, episode_id = _declared(server, key, url)
        answers = [FormSession(server).submit(PAGE, {
            "receipt_code": code, "phone": phone, "temperature": "37"}).status
            for _ in range(3)]
        assert answers == [303, 303, 429]
        with _db(url) as session:
            assert session.scalar(select(func.count()).select_from(CheckIn).where(
                CheckIn.episode_id == episode_id, CheckIn.source == "web")) == 2


def test_in_a_browser_a_red_reading_says_call_115_before_and_after_sending(
        sqlite_template: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from tests.e2e.test_web_form_browser import by_id, no_sideways_scroll
    from tests.support.browser import PHONE, chromium

    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare_database(url)
    key = api_key(url, "portal")
    with running_web(tmp_path, url) as server, chromium(server.ca, PHONE) as driver:
        code, phone, episode_id = _declared(server, key, url)
        driver.get(f"{server.url}{PAGE}?code={code}")
        assert no_sideways_scroll(driver)
        alert = by_id(driver, "danger")
        assert not alert.is_displayed()
        by_id(driver, "phone").send_keys(phone)
        by_id(driver, "spo2").send_keys("92")  # past the topic's threshold: at once
        until(alert.is_displayed)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until(lambda: "da-ghi" in driver.current_url)
        shown = by_id(driver, "danger")
        assert shown.is_displayed() and "gọi cấp cứu 115 ngay" in shown.text
        call = shown.find_element(By.CSS_SELECTOR, "a.danger-call")
        assert call.get_attribute("href") == "tel:115" and call.size["height"] >= 48
        assert "Nhân viên y tế đã được báo" in shown.text
        assert no_sideways_scroll(driver)
        assert [row.level for row in _check_ins(url, episode_id)] == ["red"]
