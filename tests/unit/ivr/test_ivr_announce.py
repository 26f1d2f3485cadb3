"""The position and estimated-wait announcement: pure, from the queue's live state."""

from __future__ import annotations

from callcenter.ivr.announce import Outlook, announcement, outlook
from callcenter.state import LiveState, apply
from callcenter.state.model import Member, QueueState

MINUTE_US = 60_000_000


def _queue(waiting: int, average_us: float | None = None) -> QueueState:
    queue = QueueState("f0_home_care@hotline1022", wait_average_us=average_us)
    for n in range(waiting):
        queue.members[f"m{n}"] = Member(f"m{n}", f"s{n}", "0912345678", joined_us=n)
    return queue


def test_the_first_in_line_hears_the_estimate_only_and_nothing_without_one() -> None:
    assert outlook(None) == Outlook(1, None)
    assert outlook(_queue(0)) == Outlook(1, None)
    assert announcement(Outlook(1, None)) is None
    assert announcement(Outlook(1, 2)) == ("file_string://hotline/estimated_wait.wav"
                                           "!hotline/number_2.wav!hotline/minutes.wav")
    assert announcement(Outlook(2, None)) == \
        "file_string://hotline/queue_position.wav!hotline/number_2.wav"


def test_position_counts_the_callers_ahead_and_the_wait_is_rounded_up() -> None:
    queue = _queue(3, average_us=2.2 * MINUTE_US)
    queue.members["done"] = Member("done", "s", "0", joined_us=0, state="Answered")
    assert outlook(queue) == Outlook(4, 3)
    assert announcement(outlook(queue)) == (
        "file_string://hotline/queue_position.wav!hotline/number_4.wav"
        "!hotline/estimated_wait.wav!hotline/number_3.wav!hotline/minutes.wav")


def test_under_a_minute_no_estimate_and_beyond_twenty_nothing_said() -> None:
    assert outlook(_queue(0, average_us=40_000_000)).wait_minutes is None
    assert announcement(Outlook(21, None)) is None
    assert announcement(Outlook(25, 5)) == ("file_string://hotline/estimated_wait.wav"
                                            "!hotline/number_5.wav!hotline/minutes.wav")


def test_the_average_follows_answered_waits_once_each() -> None:
    state = LiveState()
    queue_name = "f0_home_care@hotline1022"

    def event(action: str, member: str, at_s: float) -> dict[str, str]:
        return {"Event-Name": "CUSTOM", "Event-Subclass": "callcenter::info",
                "CC-Action": action, "CC-Queue": queue_name, "CC-Member-UUID": member,
                "CC-Member-Session-UUID": "s-" + member, "CC-Agent": "lan@hotline1022",
                "Event-Date-Timestamp": str(int(at_s * 1_000_000))}

    apply(state, event("member-queue-start", "a", 0))
    apply(state, event("bridge-agent-start", "a", 120))
    apply(state, event("bridge-agent-start", "a", 120))  # the same event again
    assert state.queues[queue_name].wait_average_us == 120 * 1_000_000
    apply(state, event("member-queue-start", "b", 200))
    apply(state, event("bridge-agent-start", "b", 200))  # answered at once
    assert state.queues[queue_name].wait_average_us == 90 * 1_000_000  # 120 + ¼·(0 − 120)
