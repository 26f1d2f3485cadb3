"""A real headless Chromium (Debian's, driven by Selenium through Debian's chromedriver: no
downloaded browser), trusting exactly one test certificate, at phone or desktop size."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PHONE = (390, 844)
DESKTOP = (1280, 900)
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def spki_pin(cert: Path) -> str:
    """The certificate's public key as Chromium's --ignore-certificate-errors-spki-list
    wants it: base64 of the SHA-256 of its SubjectPublicKeyInfo."""
    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    der = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@contextlib.contextmanager
def chromium(cert: Path, size: tuple[int, int]) -> Iterator[object]:
    """A browser showing pages at `size` (a phone's is emulated as a mobile viewport)."""
    if not (Path(CHROMIUM).exists() and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium and its driver are missing: run scripts/setup as root "
                    "(Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=vi",
                     "--disable-dev-shm-usage", "--hide-scrollbars",
                     f"--ignore-certificate-errors-spki-list={spki_pin(cert)}",
                     f"--window-size={size[0]},{size[1]}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi,en"})
    # Chromium on Linux takes its interface language (the date picker's order) from LANGUAGE
    service = Service(CHROMEDRIVER, env={**os.environ, "LANGUAGE": "vi", "LANG": "vi_VN.UTF-8"})
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1,
            "mobile": size == PHONE})
        yield driver
    finally:
        driver.quit()
