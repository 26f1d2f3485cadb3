"""A forwarded report's steps and due date, from the topic's rules (data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules import referral

RULES = {"forwarding": {"severity_field": "severity", "default_due_days": 7,
                        "due_days": {"urgent": 1, "high": 3}}}
SENT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_due_date_follows_the_reports_severity() -> None:
    assert referral.due(RULES, {"severity": "urgent"}, SENT) == SENT + timedelta(days=1)
    assert referral.due(RULES, {"severity": "high"}, SENT) == SENT + timedelta(days=3)
    assert referral.due(RULES, {"severity": "low"}, SENT) == SENT + timedelta(days=7)
    assert referral.due(RULES, {}, SENT) == SENT + timedelta(days=7)
    assert referral.due({}, {}, SENT) == SENT + timedelta(days=referral.DEFAULT_DUE_DAYS)


def test_a_report_moves_forward_only() -> None:
    assert referral.can_move("forwarded", "in_progress")
    assert referral.can_move("forwarded", "resolved")
    assert referral.can_move("resolved", "caller_informed")
    assert not referral.can_move("forwarded", "caller_informed")  # resolve it first
    assert not referral.can_move("resolved", "in_progress")
    assert not referral.can_move("caller_informed", "resolved")


def test_overdue_is_an_open_report_past_its_due_date() -> None:
    later = SENT + timedelta(days=2)
    assert referral.is_overdue("in_progress", SENT + timedelta(days=1), later)
    assert not referral.is_overdue("resolved", SENT + timedelta(days=1), later)
    assert not referral.is_overdue("forwarded", SENT + timedelta(days=3), later)


def test_the_forwarding_rules_are_checked_at_load() -> None:
    assert referral.check_forwarding(RULES, {"severity": {}}) == []
    assert referral.check_forwarding({}, {}) == []
    assert referral.check_forwarding(
        {"forwarding": {"severity_field": "grade", "due_days": {"high": -1}}}, {}) == [
        "forwarding: severity_field 'grade' is not a field of the form",
        "forwarding: due days for 'high' must be a whole number, 0 or more"]
