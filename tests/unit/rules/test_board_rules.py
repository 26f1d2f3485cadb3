"""A topic's board thresholds as data: checked when topics are loaded."""

from __future__ import annotations

from rules.board import check_board
from rules.phone import masked_phone


def test_thresholds_in_the_wrong_order_are_refused() -> None:
    assert check_board({}) == []
    assert "abandon_pct: red (5) must be above amber (10)" in \
        check_board({"board": {"abandon_pct": {"amber": 10, "red": 5}}})[0]
    assert "service_level_pct: red (80) must be below amber (70)" in \
        check_board({"board": {"service_level_pct": {"amber": 70, "red": 80}}})[0]
    assert check_board({"board": {"wating": {"amber": 1, "red": 2}}}) == [
        "board: wating: Extra inputs are not permitted"]  # a misspelt metric


def test_masked_numbers() -> None:
    assert masked_phone("+84912345678") == "0912 ••• 678"
    assert masked_phone("0912345678") == "0912 ••• 678"
    assert masked_phone("1001") == "1001"  # an extension hides nothing
