"""The headless demo's text wallboard (callcenter.wallboard): the pure render — the terminal's
width, names cut at a word, the clocks, the wait on the demo's clock — and the edge that shows
it, redrawn in place on a terminal or written as sparse blocks to a log."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.state import LiveState
from callcenter.state.model import Member
from callcenter.wallboard import ELLIPSIS, Clock, Log, Screen, fit, redraw, render

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TOPICS = [("f0@h", "1 Tư vấn và hỗ trợ điều trị F0 tại nhà"),
          ("er@h", "2 Phản ánh tình hình thực hiện điều trị và công tác phòng chống dịch "
                   "COVID-19 tại địa phương và các cơ sở y tế"),
          ("ps@h", "3 Hỗ trợ thủ tục hành chính công, dịch vụ công")]
# 2025-06-02 12:00:00 UTC: 19:00:00 in Hồ Chí Minh City (UTC+7, no summer time)
NOON_UTC_US = int(datetime(2025, 6, 2, 12, tzinfo=UTC).timestamp()) * 1_000_000


def _state() -> LiveState:
    state = LiveState()
    queue = state.queue("f0@h")
    queue.members["m1"] = Member("m1", "s1", "0912", joined_us=NOON_UTC_US - 65_000_000)
    queue.answered, queue.abandoned = 3, 1
    state.agent("lan@h").status = "Available"
    return state


def test_a_wide_terminal_shows_the_whole_names() -> None:
    text = render(_state(), TOPICS, NOON_UTC_US, width=200)
    rows = text.splitlines()[1:4]
    for row, (_, label) in zip(rows, TOPICS, strict=True):
        assert row.startswith(label + " ")
        assert ELLIPSIS not in row


@pytest.mark.parametrize("width", [60, 80, 100])
def test_a_narrow_terminal_cuts_names_at_a_word_with_an_ellipsis(width: int) -> None:
    assert all(unicodedata.is_normalized("NFC", label) for _, label in TOPICS)  # a column each
    text = render(_state(), TOPICS, NOON_UTC_US, width=width)
    lines = text.splitlines()
    assert all(len(line) <= width - 1 for line in lines)  # none wraps
    name_width = lines[0].index("waiting") - 1  # "topic", padded, then the numbers
    assert name_width >= width - 1 - len(lines[0][name_width:])  # the room is used
    cut = 0
    for row, (_, label) in zip(lines[1:4], TOPICS, strict=True):
        name = row[:name_width].rstrip()
        if name.endswith(ELLIPSIS):
            cut += 1
            kept = name[:-1]
            assert label.startswith(kept)
            assert label[len(kept)] in " ,"  # cut between words, not inside one
        else:
            assert name == label
    assert cut >= 1  # topic 2's name is longer than any of these
    assert lines[1].split()[-4:] == ["1", "1:05", "3", "1"]
    assert lines[3].split()[-4:] == ["0", "0:00", "0", "0"]


def test_names_that_fit_are_not_cut() -> None:
    short = [("f0@h", "1 F0"), ("x@h", "2 Khác")]
    text = render(_state(), short, NOON_UTC_US, width=80)
    assert text.splitlines()[1].split() == ["1", "F0", "1", "1:05", "3", "1"]
    assert ELLIPSIS not in text


def test_the_clock_line_is_the_hotline_s_local_time() -> None:
    text = render(_state(), TOPICS, NOON_UTC_US, width=120, clock=Clock(NOON_UTC_US, 1.0, HCM))
    first = text.splitlines()[0]
    assert first == "Hotline 1022 · 19:00:00 Asia/Ho_Chi_Minh"
    assert text.splitlines()[1].split()[-4:] == ["waiting", "oldest", "answered", "abandoned"]


def test_a_faster_demo_shows_its_simulated_clock_and_says_the_waits_are_simulated() -> None:
    # Real 19:00:00; the demo at 10× has run for 6 real minutes: its clock says 19:54:00.
    real_us = NOON_UTC_US
    simulated_us = real_us + 54 * 60 * 1_000_000
    state = LiveState()
    state.queue("f0@h").members["m1"] = Member("m1", "s1", "0912",
                                               joined_us=simulated_us - 90_000_000)
    text = render(state, TOPICS, simulated_us, width=120, clock=Clock(real_us, 10.0, HCM))
    lines = text.splitlines()
    assert lines[0] == ("Hotline 1022 · 19:00:00 Asia/Ho_Chi_Minh · simulated 19:54:00 "
                        "(10× real time)")
    assert "oldest (sim)" in lines[1]
    # The caller has waited 90 simulated seconds, 9 real ones: the board says 1:30.
    assert lines[2].split()[-4:] == ["1", "1:30", "0", "0"]


def test_a_simulated_clock_a_day_ahead_shows_its_date() -> None:
    ahead = NOON_UTC_US + 30 * 3600 * 1_000_000
    first = render(LiveState(), TOPICS, ahead, clock=Clock(NOON_UTC_US, 60.0, HCM),
                   width=120).splitlines()[0]
    assert first.endswith("simulated 2025-06-04 01:00:00 (60× real time)")


def test_long_waits_show_hours() -> None:
    state = _state()
    text = render(state, TOPICS, NOON_UTC_US + 3600 * 1_000_000, width=120)
    assert text.splitlines()[1].split()[-4:] == ["1", "1:01:05", "3", "1"]


@given(st.text(st.sampled_from("abc xyzđệữ,́"), max_size=60), st.integers(1, 70))
def test_fit_keeps_to_the_width_and_cuts_only_when_needed(text: str, width: int) -> None:
    cut = fit(text, width)
    cells = sum(0 if unicodedata.combining(c) else 1 for c in cut)
    assert cells <= width
    if sum(0 if unicodedata.combining(c) else 1 for c in text) <= width:
        assert cut == text
    else:
        assert cut.endswith(ELLIPSIS) and text.startswith(cut[:-1])


def test_fit_cuts_between_words() -> None:
    assert fit("Hỗ trợ thủ tục hành chính công, dịch vụ công", 33) == \
        "Hỗ trợ thủ tục hành chính công…"
    assert fit("Hỗ trợ thủ tục", 14) == "Hỗ trợ thủ tục"
    assert fit("Hỗ trợ thủ tục", 13) == "Hỗ trợ thủ…"
    assert fit("Supercalifragilistic", 8) == "Superca…"  # one word: cut where it must be


# -- the edge ------------------------------------------------------------------------------

def test_redraw_goes_back_over_the_last_board() -> None:
    assert redraw("a\nb", 0) == "\x1b[Ja\nb\n"  # the first: nothing to go back over
    assert redraw("a\nb", 2) == "\x1b[2A\r\x1b[Ja\nb\n"


def test_the_screen_draws_each_board_over_the_one_before() -> None:
    written: list[str] = []
    screen = Screen(written.append, lambda: None, columns=lambda: 77)
    screen.show("one\ntwo\nthree")
    screen.show("four\nfive")
    screen.show("six", final=True)
    assert written == ["\x1b[Jone\ntwo\nthree\n", "\x1b[3A\r\x1b[Jfour\nfive\n",
                       "\x1b[2A\r\x1b[Jsix\n"]
    assert screen.width() == 77


def test_the_log_writes_a_block_when_it_changed_and_not_too_often() -> None:
    out: list[str] = []
    now = [0.0]
    log = Log(out.append, every=30.0, monotonic=lambda: now[0])
    board = "Hotline 1022 · 19:00:0{}\ntopic\n1 F0 {}"
    log.show(board.format(0, 1))
    assert out == [board.format(0, 1) + "\n"]  # the first one at once
    now[0] = 10.0
    log.show(board.format(1, 2))  # changed, but too soon
    now[0] = 40.0
    log.show(board.format(2, 1))  # the same as the last written, the time aside
    assert len(out) == 1
    now[0] = 41.0
    log.show(board.format(3, 3))
    assert out[-1] == board.format(3, 3) + "\n"
    now[0] = 42.0
    log.show(board.format(4, 3), final=True)  # the last one always, as the final word
    assert out[-1] == board.format(4, 3) and len(out) == 3


@pytest.mark.parametrize("width", [40, 60, 79])
def test_a_narrow_terminal_keeps_both_clocks(width: int) -> None:
    first = render(LiveState(), TOPICS, NOON_UTC_US + 600_000_000, width=width,
                   clock=Clock(NOON_UTC_US, 10.0, HCM)).splitlines()[0]
    assert len(first) <= width - 1
    assert "19:00:00" in first and "19:10:00" in first and ELLIPSIS not in first
