"""End to end, on the demo (its switch simulator, daemon, hub and web form): a person declares
a danger sign on the public form (headless Chromium, phone size) → the web process stores it →
the daemon notices it → the nurse's desktop lists the callback with the declaration, red, first
→ the nurse dials it through the switch (the simulator) and gets the pop with the declaration →
the person's status page says a nurse is calling, then what came of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.models import Callback
from desktop.drafts import DraftStore
from desktop.windows.agent import AgentWindow
from tests.e2e.test_web_form_browser import FORM, by_id, set_date, tick
from tests.support.browser import PHONE, chromium
from tests.support.demo_backend import Demo, running_demo, window_on


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path, web=True) as running:
        yield running


def _declared_row(window: AgentWindow, receipt: str) -> dict[str, Any] | None:
    return next((row for row in window.callbacks_view.model.rows
                 if (row.get("declaration") or {}).get("receipt") == receipt), None)


def test_a_declaration_becomes_the_nurses_callback_and_the_person_sees_it_called(
        qtbot: Any, demo: Demo, tmp_path: Path) -> None:
    assert demo.web is not None
    with window_on(qtbot, demo, tmp_path / "s.ini", lambda connection, data, settings:
                      AgentWindow(connection, data, settings,
                                  drafts=DraftStore(tmp_path / "drafts"))) as window, \
            chromium(Path(demo.ca), PHONE) as driver:
        web = demo.web.rstrip("/")
        driver.get(web + FORM)
        by_id(driver, "full_name").send_keys("Đỗ Minh Khoa")
        by_id(driver, "birth_year").send_keys("1951")
        by_id(driver, "phone").send_keys("0918 765 432")
        by_id(driver, "admin_unit").send_keys("Xã Tân Thuận")
        set_date(driver, "positive_date", date.today() - timedelta(days=3))
        tick(driver, "red_flags", "dyspnoea")
        tick(driver, "red_flags", "chest_pain")
        driver.find_element("css selector", "button[type=submit]").click()
        receipt = by_id(driver, "receipt-code").text.replace("-", "")

        # The daemon looks every second; the hub pushes the change to the nurse.
        qtbot.waitUntil(lambda: _declared_row(window, receipt) is not None, timeout=15_000)
        row = _declared_row(window, receipt)
        assert row is not None and row["reason"] == "declaration"
        assert row["declaration"]["level"] == "red"
        assert row["declaration"]["full_name"] == "Đỗ Minh Khoa"
        assert window.callbacks_view.model.rows[0] is row  # the most urgent first

        # The nurse dials it: the switch rings her phone, then the person.
        window.callbacks_view.dial(row["id"])
        qtbot.waitUntil(lambda: window.screen_pop_view.form_host.form is not None,
                        timeout=30_000)
        pop = window.screen_pop_view.pop
        assert pop is not None and pop.declaration is not None
        assert pop.declaration["full_name"] == "Đỗ Minh Khoa"

        def status() -> str:
            driver.get(f"{web}/tra-cuu?code={receipt}")
            by_id(driver, "phone").send_keys("0918765432")
            driver.find_element("css selector", "button[type=submit]").click()
            return str(by_id(driver, "status").text)

        assert status() == "Nhân viên y tế đang gọi cho bạn."  # the dial is on
        qtbot.waitUntil(lambda: window.call_actions.hangup.isEnabled(), timeout=10_000)
        window.call_actions.hang_up()
        # (the Qt loop must run for the hang-up to go out: qtbot's wait, not a gevent one)
        qtbot.waitUntil(lambda: status() != "Nhân viên y tế đang gọi cho bạn.", timeout=15_000)
        # What the person reads is what the dial's end made of the callback: reached, or
        # to be tried again (the hang-up may come before the simulated person answered).
        with Session(create_engine(demo.database)) as session:
            callback = session.get(Callback, row["id"])
            assert callback is not None and callback.state in ("done", "open")
            expected = "Nhân viên y tế đã gọi cho bạn." if callback.state == "done" else \
                "Nhân viên y tế đã gọi nhưng chưa liên lạc được" if callback.attempts else \
                "Đã nhận. Nhân viên y tế sẽ gọi cho bạn trước"
        assert status().startswith(expected)
