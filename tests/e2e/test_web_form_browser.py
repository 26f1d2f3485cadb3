"""The public declaration form in a real headless Chromium, at a phone's size and a desktop's:
errors said in Vietnamese beside each field, the danger-sign alert before sending, the receipt,
the status look-up; and CSRF and rate limits as a browser meets them."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, PHONE, chromium
from tests.support.waiting import until
from tests.support.web_server import WebServer, prepare_database, running_web

FORM = "/khai-bao/f0_home_care"


@pytest.fixture(scope="module")
def web(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[WebServer]:
    folder = tmp_path_factory.mktemp("web-browser")
    shutil.copy(sqlite_template, folder / "db.sqlite3")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    prepare_database(url)
    with running_web(folder, url) as server:
        yield server


def by_id(driver: Any, element_id: str) -> Any:
    """The element, once the page showing it has loaded."""
    from selenium.webdriver.common.by import By
    until(lambda: driver.find_elements(By.ID, element_id))
    return driver.find_element(By.ID, element_id)


def tick(driver: Any, name: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]').click()


def set_date(driver: Any, element_id: str, day: date) -> None:
    """A date picker's value, as the picker sets it (its typing order is the locale's)."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        by_id(driver, element_id), day.isoformat())


def fill_valid(driver: Any, phone: str) -> None:
    by_id(driver, "full_name").send_keys("Trần Thị Mai")
    by_id(driver, "birth_year").send_keys("1988")
    tick(driver, "sex", "female")
    by_id(driver, "phone").send_keys(phone)
    by_id(driver, "admin_unit").send_keys("Xã Tân Đức")  # its name before the 2025 merger
    set_date(driver, "positive_date", date.today() - timedelta(days=2))
    tick(driver, "test_type", "rapid_antigen")
    tick(driver, "symptoms", "fever")
    tick(driver, "symptoms", "cough")


def no_sideways_scroll(driver: Any) -> bool:
    return bool(driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_person_declares_sees_the_receipt_and_looks_it_up(
        web: WebServer, size: tuple[int, int]) -> None:
    phone = "0913 111 222" if size == PHONE else "0913 111 333"
    with chromium(web.ca, size) as driver:
        driver.get(web.url + FORM)
        assert driver.title.startswith("Khai báo F0 điều trị tại nhà")
        assert no_sideways_scroll(driver)
        button = driver.find_element("css selector", "button[type=submit]")
        assert button.size["height"] >= 48  # a finger's target
        button.click()  # nothing filled in
        summary = by_id(driver, "error-summary")
        assert "Vui lòng sửa các mục sau" in summary.text
        assert "Vui lòng nhập Họ và tên người bệnh." in summary.text
        assert driver.switch_to.active_element == summary  # read out first
        name = by_id(driver, "full_name")
        assert name.get_attribute("aria-invalid") == "true"
        assert "full_name-error" in name.get_attribute("aria-describedby")
        assert by_id(driver, "full_name-error").text == "Vui lòng nhập Họ và tên người bệnh."
        fill_valid(driver, phone)
        driver.find_element("css selector", "button[type=submit]").click()
        until(lambda: "da-nhan" in driver.current_url)
        code = by_id(driver, "receipt-code").text
        assert re.fullmatch(r"KB-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        assert "Nhân viên y tế sẽ gọi cho bạn trước" in driver.page_source
        assert no_sideways_scroll(driver)
        driver.find_element("link text", "Tra cứu tình trạng").click()
        assert by_id(driver, "code").get_attribute("value") == code
        by_id(driver, "phone").send_keys(phone.replace(" ", ""))
        driver.find_element("css selector", "button[type=submit]").click()
        status = by_id(driver, "status")
        assert status.text.startswith("Đã nhận. Nhân viên y tế sẽ gọi cho bạn trước")


def test_a_danger_sign_says_call_115_at_once_before_sending(web: WebServer) -> None:
    with chromium(web.ca, PHONE) as driver:
        driver.get(web.url + FORM)
        alert = by_id(driver, "danger")
        assert not alert.is_displayed()
        tick(driver, "red_flags", "dyspnoea")
        until(alert.is_displayed)
        assert "gọi cấp cứu 115 ngay" in alert.text
        call = alert.find_element("css selector", "a.danger-call")
        assert call.get_attribute("href") == "tel:115"
        assert alert.location["y"] - driver.execute_script("return window.scrollY") < 10, \
            "the alert stays at the top of the screen while the person scrolls"
        tick(driver, "red_flags", "dyspnoea")  # untick
        until(lambda: not alert.is_displayed())
        by_id(driver, "spo2").send_keys("93")  # a vital sign past the topic's threshold
        until(alert.is_displayed)


def test_the_form_works_without_javascript(web: WebServer, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with chromium(web.ca, PHONE) as driver:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(web.url + FORM)
        tick(driver, "red_flags", "chest_pain")  # the alert is CSS: no script needed
        until(by_id(driver, "danger").is_displayed)
        by_id(driver, "full_name").send_keys("Lý Văn Hùng")
        by_id(driver, "birth_year").send_keys("1960")
        by_id(driver, "phone").send_keys("0913444555")
        by_id(driver, "admin_unit").send_keys("Tân Thuận")
        date_input = by_id(driver, "positive_date")
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        set_date(driver, "positive_date", date.today() - timedelta(days=1))
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        assert date_input.get_attribute("value")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until(lambda: "da-nhan" in driver.current_url)
        assert "gọi cấp cứu 115 ngay" in by_id(driver, "main").text  # orange: call now


def test_a_form_without_its_token_or_sent_too_often_is_refused_kindly(
        sqlite_template: Path, tmp_path: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    prepare_database(url)
    with running_web(tmp_path, url, rate_per_address="3/minute") as server:
        forged = server.request("POST", FORM, "full_name=x", {
            "Content-Type": "application/x-www-form-urlencoded"})
        assert forged.status == 400
        assert "Trang đã mở quá lâu" in forged.text
        with chromium(server.ca, PHONE) as driver:
            answered = []
            for _ in range(5):  # the forged one may have counted too
                driver.get(server.url + FORM)
                driver.find_element("css selector", "button[type=submit]").click()
                until(lambda: "error-summary" in driver.page_source
                      or "quá nhiều lần" in driver.page_source)
                answered.append("quá nhiều lần" not in driver.page_source)
                if not answered[-1]:
                    break
            assert answered in ([True, True, False], [True, True, True, False])
            assert "Traceback" not in driver.page_source
