"""The simulator's play_and_get_digits as FreeSWITCH's (switch_ivr_play_say.c
switch_play_and_get_digits and switch_ivr_read): the invalid file after every failed try, a
try with no key too (seen on a real FreeSWITCH master: the daemon's IVR took 48.2 s with no
key), not cut short by a key; read_result; `<var>_invalid`. Run on the capture box's own
dialplan (`1 1 3 4000 # tone_stream://… silence_stream://250 hotline_key \\d`)."""

from __future__ import annotations

import gevent

from callcenter.sim import apps
from callcenter.sim.people import Caller
from callcenter.sim.runner import Simulation, build_switch

SPEED = 20.0
TONE = "tone_stream://%(300,100,600)"
SILENCE = "silence_stream://250"


class Heard:
    """The caller leg's playbacks (path, simulated µs at start and stop) and its last
    CHANNEL_EXECUTE_COMPLETE of play_and_get_digits."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, int]] = []
        self.stops: list[tuple[str, int]] = []
        self.completed: dict[str, str] = {}

    def offer(self, event) -> None:
        stamp = int(event.get("Event-Date-Timestamp") or 0)
        path = event.get("Playback-File-Path") or ""
        if event.name == "PLAYBACK_START":
            self.starts.append((path, stamp))
        elif event.name == "PLAYBACK_STOP":
            self.stops.append((path, stamp))
        elif (event.name == "CHANNEL_EXECUTE_COMPLETE"
              and event.get("Application") == "play_and_get_digits"):
            self.completed = {k: event.get(k) or "" for k in (
                "variable_read_result", "variable_hotline_key", "variable_hotline_key_invalid")}


def _lasts_250_ms(start_us: int, stop_us: int) -> bool:
    """250 ms, not 0 and not 250 s: a sleep never ends early, but a loaded machine wakes a
    greenlet late (at SPEED 20 a 10 ms wall delay is 200 ms simulated)."""
    return 240_000 <= stop_us - start_us < 1_000_000


def _call(key: str | None, key_delay: float = 1.0) -> Heard:
    sim = build_switch(Simulation(speed=SPEED))
    heard = Heard()
    sim.listeners.add(heard)
    session = sim.inbound_call(Caller("0912345678", "Khách", destination="1022", key=key,
                                      key_delay=key_delay, queue_patience=1))
    with gevent.Timeout(60):
        session.greenlet.join()
    sim.callcenter.stop()
    return heard


def test_no_key_hears_the_invalid_file_after_each_of_the_three_tries() -> None:
    heard = _call(None)
    assert [p for p, _ in heard.starts][:6] == [TONE, SILENCE] * 3
    assert heard.completed == {"variable_read_result": "failure", "variable_hotline_key": "",
                               "variable_hotline_key_invalid": ""}
    silence = [(start, stop) for (p, start), (_q, stop) in zip(heard.starts, heard.stops,
                                                                strict=False) if p == SILENCE]
    assert silence and all(_lasts_250_ms(start, stop) for start, stop in silence)


def test_a_wrong_key_is_kept_as_invalid_and_the_next_tries_go_on() -> None:
    heard = _call("*")  # not \d
    assert [p for p, _ in heard.starts][:6] == [TONE, SILENCE] * 3
    assert heard.completed["variable_hotline_key_invalid"] == "*"
    assert heard.completed["variable_hotline_key"] == ""


def test_a_key_pressed_during_the_invalid_file_waits_for_the_next_read() -> None:
    """The invalid file is played with no input args: the digit stays queued, it does not
    cut the file short, and the next try's prompt takes it at once."""
    # the tone lasts PROMPT_SECONDS, then the 4 s read: press during the first silence
    heard = _call("5", key_delay=apps.PROMPT_SECONDS + 4.0 + 0.1)
    paths = [p for p, _ in heard.starts]
    assert paths[:3] == [TONE, SILENCE, TONE]
    assert heard.completed == {"variable_read_result": "success", "variable_hotline_key": "5",
                               "variable_hotline_key_invalid": ""}
    first_silence = next((start, stop) for (p, start), (_q, stop) in
                         zip(heard.starts, heard.stops, strict=False) if p == SILENCE)
    assert _lasts_250_ms(*first_silence)
