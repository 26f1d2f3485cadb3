"""A text wallboard of the live state: the time; per topic, callers waiting, the oldest wait,
answered and abandoned; the agents by status and state.

`render` is pure (state, clocks and width in, text out). `Screen` and `Log` are the edge that
shows its boards: on a terminal each board is drawn over the one before; anywhere else (a CI
log, a pipe) a board is written as a block only when it changed, and not more often than
every `every` seconds.

The waits are on the demo's clock, the one the simulated callers live by: their patience, the
topics' service-level targets, the lead's board and the call records all count its seconds.
When the demo runs faster than real time that clock is ahead of the wall clock, and the board
says so: the header shows both, and the wait column is marked simulated."""

from __future__ import annotations

import shutil
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from callcenter.state import LiveState

TITLE = "Hotline 1022"
ELLIPSIS = "…"
# Cut a name after these, not before the ellipsis: "công, …" reads as "công…".
_TRAILING = " ,;:·-–—/("


@dataclass(frozen=True)
class Clock:
    """The wall clock beside the demo's: `real_us` (Unix µs) shown in `zone`; `speed`
    simulated seconds per real second (1: the demo's clock is the wall clock)."""

    real_us: int
    speed: float = 1.0
    zone: tzinfo = UTC

    @property
    def simulated(self) -> bool:
        return self.speed != 1.0


def render(state: LiveState, topics: list[tuple[str, str]], now_us: int, *, width: int = 80,
           clock: Clock | None = None) -> str:
    """`topics`: (queue, label) in menu order; `now_us`: the demo's clock (the switch's), which
    the waits are measured on; `width`: the terminal's columns (from 21 on, no line is longer
    than width − 1, so none wraps); `clock`: the wall clock, for a first line with the time."""
    usable = max(20, width - 1)
    oldest = "oldest (sim)" if clock is not None and clock.simulated else "oldest"
    labels = ("waiting", oldest, "answered", "abandoned")
    rows = []
    for queue_name, label in topics:
        queue = state.queues.get(queue_name)
        waiting = queue.waiting() if queue else []
        waited = (now_us - waiting[0].joined_us) // 1_000_000 if waiting else 0
        rows.append((label, (str(len(waiting)), _duration(max(0, waited)),
                             str(queue.answered if queue else 0),
                             str(queue.abandoned if queue else 0))))
    widths = [max([len(name)] + [len(values[i]) for _, values in rows])
              for i, name in enumerate(labels)]
    numbers = sum(1 + w for w in widths)
    longest = max([_cells("topic")] + [_cells(label) for label, _ in rows])
    name_width = max(8, min(longest, usable - numbers))

    def line(name: str, values: tuple[str, ...]) -> str:
        return _pad(fit(name, name_width), name_width) + "".join(
            f" {value:>{w}}" for value, w in zip(values, widths, strict=True))

    lines = [] if clock is None else [_clock_line(clock, now_us, usable)]
    lines.append(line("topic", labels))
    lines += [line(label, values) for label, values in rows]
    statuses = Counter(a.status for a in state.agents.values())
    states = Counter(a.state for a in state.agents.values() if a.status != "Logged Out")
    lines.append("agents: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) +
                 ("  (" + ", ".join(f"{n} {s}" for s, n in sorted(states.items())) + ")"
                  if states else ""))
    talking = sum(1 for c in state.calls.values() if c.phase == "talking")
    in_ivr = sum(1 for c in state.calls.values() if c.phase == "ivr")
    lines.append(f"calls: {len(state.calls)} up ({in_ivr} in the menu, {talking} talking); "
                 f"{state.events} events")
    return "\n".join(fit(text, usable) for text in lines)


def _clock_line(clock: Clock, now_us: int, width: int) -> str:
    """The wall clock in the site's zone and, when the demo runs faster, its own clock: the
    longest form that fits (the zone's name, then words, go first on a narrow terminal)."""
    real = datetime.fromtimestamp(clock.real_us / 1e6, clock.zone)
    forms = [f"{TITLE} · {real:%H:%M:%S} {_zone_name(clock.zone)}", f"{TITLE} · {real:%H:%M:%S}"]
    if clock.simulated:
        simulated = datetime.fromtimestamp(now_us / 1e6, clock.zone)
        shown = f"{simulated:%H:%M:%S}" if simulated.date() == real.date() \
            else f"{simulated:%Y-%m-%d %H:%M:%S}"
        forms = [f"{forms[0]} · simulated {shown} ({clock.speed:g}× real time)",
                 f"{forms[1]} · simulated {shown} ({clock.speed:g}×)",
                 f"{forms[1]} · sim. {shown}"]
    return next((form for form in forms if _cells(form) <= width), forms[-1])


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def _cells(text: str) -> int:
    """Terminal columns `text` takes: combining marks none, wide characters two."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _cells(text))


def fit(text: str, width: int) -> str:
    """`text` as is if it fits in `width` columns; else cut after the last whole word that
    leaves room for an ellipsis (a single word too long for it is cut where it must be)."""
    if _cells(text) <= width:
        return text
    room = width - _cells(ELLIPSIS)
    if room <= 0:
        return ELLIPSIS[:max(0, width)]
    kept = _cut(text, room)
    at_space = kept.rfind(" ")
    if text[len(kept):len(kept) + 1] != " " and at_space > 0:  # a word was cut: drop it
        kept = kept[:at_space]
    kept = kept.rstrip(_TRAILING) or _cut(text, room)
    return kept + ELLIPSIS


def _cut(text: str, room: int) -> str:
    """The longest start of `text` in `room` columns (a letter's combining marks kept)."""
    used = 0
    for i, ch in enumerate(text):
        used += _cells(ch)
        if used > room:
            return text[:i]
    return text


# -- the edge: where the boards go ---------------------------------------------------------

def redraw(board: str, previous_lines: int) -> str:
    """What to write to a terminal to replace the last board (of `previous_lines` lines, the
    cursor on the line below it) by this one: up to its first line, clear from there to the
    end of the screen, the board."""
    up = f"\x1b[{previous_lines}A\r" if previous_lines > 0 else ""
    return f"{up}\x1b[J{board}\n"


class Screen:
    """Boards on a terminal, each drawn in place of the one before."""

    def __init__(self, write: Callable[[str], object], flush: Callable[[], object],
                 columns: Callable[[], int] = lambda: shutil.get_terminal_size().columns):
        self.write, self.flush, self.columns = write, flush, columns
        self.lines = 0

    def width(self) -> int:
        return self.columns()

    def show(self, board: str, final: bool = False) -> None:
        self.write(redraw(board, self.lines))
        self.flush()
        self.lines = board.count("\n") + 1


class Log:
    """Boards as blocks, for a log or a pipe: a board is written when it differs from the last
    one written (the time aside) and `every` seconds have passed since; the final one always."""

    def __init__(self, out: Callable[[str], object], every: float = 30.0, width: int = 120,
                 monotonic: Callable[[], float] = time.monotonic):
        self.out, self.every, self.columns, self.monotonic = out, every, width, monotonic
        self.last: str | None = None
        self.last_at: float | None = None

    def width(self) -> int:
        return self.columns

    def show(self, board: str, final: bool = False) -> None:
        body = _without_clock(board)
        now = self.monotonic()
        if final:
            self.out(board)
        elif body != self.last and (self.last_at is None or now - self.last_at >= self.every):
            self.out(board + "\n")
        else:
            return
        self.last, self.last_at = body, now


def _without_clock(board: str) -> str:
    first, _, rest = board.partition("\n")
    return rest if first.startswith(TITLE) else board
