"""What a caller hears before joining a queue: their position and the estimated wait.

Pure: the queue's live state in, the prompt to play out. The estimate is the moving average of
how long the queue's answered callers waited (as Asterisk's announce-holdtime does); a queue
that has answered nobody yet gets the position only, and a caller first in line hears only
the estimate (nothing without one). The numbers are the prompts
`number_1` … `number_20` of switch_conf/prompts.toml: beyond 20, that part is not said."""

from __future__ import annotations

import math
from dataclasses import dataclass

from callcenter.state.model import QueueState

PROMPT = "hotline/{}.wav"
LARGEST_NUMBER = 20  # the number prompts that exist


@dataclass(frozen=True)
class Outlook:
    position: int  # 1: the next caller to be answered
    wait_minutes: int | None  # rounded up; None when there is nothing to estimate from


def outlook(queue: QueueState | None) -> Outlook:
    """Where a caller joining this queue now stands."""
    if queue is None:
        return Outlook(1, None)
    average = queue.wait_average_us
    minutes = None if average is None or average < 60e6 else math.ceil(average / 60e6)
    return Outlook(len(queue.waiting()) + 1, minutes)


def announcement(seen: Outlook) -> str | None:
    """The `playback` argument that says it (a file_string of prompts), or None."""
    files = []
    # The first in line is not told their place (Asterisk's queues.conf announce-to-first-user,
    # default no): it is three seconds more before the queue, and says nothing they need.
    if 1 < seen.position <= LARGEST_NUMBER:
        files += [PROMPT.format("queue_position"), PROMPT.format(f"number_{seen.position}")]
    if seen.wait_minutes is not None and seen.wait_minutes <= LARGEST_NUMBER:
        files += [PROMPT.format("estimated_wait"), PROMPT.format(f"number_{seen.wait_minutes}"),
                  PROMPT.format("minutes")]
    return "file_string://" + "!".join(files) if files else None
