"""The demo's patients under home monitoring (callcenter.demo_patients), written through the
real declaration and monitoring code at a fixed clock: a week of plans with patients getting
better, worse, not reached and recovered, and every active plan owing its next check-in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.demo import FAMILY, GIVEN
from callcenter.demo_patients import NAMES, seed_patients
from db import monitoring_views
from db.engine import transaction
from db.models import Agent, Callback, CheckIn, Episode

CA_MAU = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("now", [datetime(2026, 12, 3, 4, 0, tzinfo=UTC),  # 11:00 in Cà Mau
                                 datetime(2026, 12, 3, 17, 30, tzinfo=UTC)])  # 00:30
def test_the_demo_starts_from_a_week_of_home_monitoring(
        seeded: sessionmaker[Session], now: datetime) -> None:
    with transaction(seeded) as s:
        s.add(Agent(username="lan", full_name="Nguyễn Thị Lan", role="nurse", password_hash="-"))
        s.flush()
        assert seed_patients(s, now, CA_MAU) == len(NAMES)
    with seeded() as s:
        view = monitoring_views.cohort(s, None, now, CA_MAU)
        states = [p["state"] for p in view["patients"]]
        assert len(states) == len(NAMES) and "recovered" in states
        assert not set(NAMES) & {f"{f} {g}" for f in FAMILY for g in GIVEN}  # not the staff
        active = [p for p in view["patients"] if p["state"] == "active"]
        assert any(p["alert"] and p["worsening"] for p in active)  # getting worse
        assert any(p["missed"] for p in active)  # not reached at the last check-in
        assert all(p["next_due_at"] for p in active)  # each owes its next check-in
        assert all(p["case_code"] and p["nurse"] for p in view["patients"]
                   if p["check_ins"] > 1)  # called: a case, held by the nurse who calls
        assert s.scalar(select(func.count()).select_from(CheckIn)) > 3 * len(NAMES)
        open_ = s.scalar(select(func.count()).select_from(Callback).where(
            Callback.state == "open", Callback.episode_id.is_not(None)))
        assert open_ == s.scalar(select(func.count()).select_from(Episode).where(
            Episode.state == "active"))
