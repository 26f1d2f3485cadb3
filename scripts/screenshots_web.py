"""Screenshots of the public declaration form at a phone's size (390×844), taken from the live
web process in Debian's headless Chromium: empty, with errors, the danger-sign alert, the
receipt and the status page; then, the declaration's plan opened as the daemon opens it, the
patient's home-treatment check-in and its answer to a red reading; into
docs/screenshots/web_*.png.

    .venv/bin/python scripts/screenshots_web.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def full_page(driver: Any, path: Path) -> None:
    """The whole page, not just the screen: a phone's user scrolls through it."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 390, "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {path} (390×{height})")


def screen(driver: Any, path: Path) -> None:
    """What the phone's screen shows now."""
    driver.save_screenshot(str(path))
    print(f"wrote {path}")


def check_in(driver: Any, base: str, db_url: str, code: str, out: Path) -> None:
    """The declaration's plan opened (as the daemon does), then its check-in page filled in,
    and the answer to a red reading."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from selenium.webdriver.common.by import By

    from db import monitoring
    from db.engine import make_engine, make_sessionmaker, transaction
    from tests.e2e.test_web_form_browser import by_id, tick
    from tests.support.waiting import until

    engine = make_engine(db_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            monitoring.open_from_declarations(session, datetime.now(UTC),
                                              ZoneInfo("Asia/Ho_Chi_Minh"))
    finally:
        engine.dispose()
    driver.get(f"{base}/theo-doi/f0_home_care?code={code}")
    by_id(driver, "phone").send_keys("0913 555 666")
    by_id(driver, "temperature").send_keys("37,8")
    tick(driver, "symptoms", "cough")
    driver.execute_script("window.scrollTo(0, 0)")
    full_page(driver, out / "web_check_in.png")
    by_id(driver, "spo2").send_keys("92")
    tick(driver, "red_flags", "dyspnoea")
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    until(lambda: "da-ghi" in driver.current_url)
    by_id(driver, "recorded")
    full_page(driver, out / "web_check_in_red.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from selenium.webdriver.common.by import By

    from tests.e2e.test_web_form_browser import FORM, by_id, fill_valid, tick
    from tests.support.browser import PHONE, chromium
    from tests.support.waiting import until
    from tests.support.web_server import prepare_database, running_web

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotline1022-web-shots-") as folder:
        url = f"sqlite:///{folder}/db.sqlite3"
        prepare_database(url)
        with running_web(Path(folder), url) as server, chromium(server.ca, PHONE) as driver:
            driver.get(server.url + FORM)
            full_page(driver, args.out / "web_form_empty.png")
            by_id(driver, "birth_year").send_keys("19x5")
            by_id(driver, "phone").send_keys("0123")
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            by_id(driver, "error-summary")
            full_page(driver, args.out / "web_form_errors.png")
            driver.get(server.url + FORM)
            by_id(driver, "full_name").send_keys("Nguyễn Thị Hằng")
            driver.execute_script("document.getElementById('red_flags')"
                                  ".scrollIntoView({block: 'center'})")
            tick(driver, "red_flags", "dyspnoea")
            until(by_id(driver, "danger").is_displayed)
            screen(driver, args.out / "web_form_danger.png")
            driver.get(server.url + FORM)
            fill_valid(driver, "0913 555 666")
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            by_id(driver, "receipt-code")
            full_page(driver, args.out / "web_receipt.png")
            code = by_id(driver, "receipt-code").text
            driver.find_element(By.LINK_TEXT, "Tra cứu tình trạng").click()
            by_id(driver, "phone").send_keys("0913555666")
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            by_id(driver, "status")
            full_page(driver, args.out / "web_status.png")
            check_in(driver, server.url, url, code, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
