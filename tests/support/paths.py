"""Where things are, for tests at any depth of tests/."""

from __future__ import annotations

from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]  # the checkout
FIXTURES_DIR = ROOT_DIR / "tests" / "fixtures"
