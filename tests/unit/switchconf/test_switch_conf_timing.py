"""The static menu's no-key path (issue 11, item 7): greet-long once, greet-short on the retry,
and a caller who presses nothing reaches the default queue in under 40 s. Measured with the
simulator running the rendered tree with the daemon down, each prompt playing for as long as
the wav file scripts/make-prompts makes (espeak-ng) lasts."""

from __future__ import annotations

import wave
from pathlib import Path

import gevent
import pytest

from callcenter.config import Settings
from callcenter.ivr.flow import NO_INVALID_PROMPT
from callcenter.sim import apps
from callcenter.sim.people import Caller
from callcenter.sim.runner import Simulation, build_switch
from callcenter.sim.stock_tree import stock_tree
from callcenter.switchconf.install import install
from callcenter.switchconf.prompts import render_prompts
from callcenter.switchconf.render import render_site

SPEED = 5.0  # 40 simulated seconds in 8 s: the scheduler's lag stays small
LIMIT_SECONDS = 40.0
MENU_PROMPTS = ("greeting_long", "greeting_short", "invalid", "goodbye", "queue_position",
                "number_1")


def _settings() -> Settings:
    return Settings(switch={"password": "esl-s3cret"})


@pytest.fixture(scope="module")
def durations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """What the menu plays (hotline/<name>.wav) → seconds, from the 8 kHz files make-prompts
    writes for the menu's prompts."""
    from dataclasses import replace

    sounds = tmp_path_factory.mktemp("sounds")
    _files, prompts = render_site(_settings())
    menu = replace(prompts, texts={n: prompts.texts[n] for n in MENU_PROMPTS}, rates=(8000,))
    out = {}
    for path in render_prompts(menu, sounds):
        with wave.open(str(path)) as audio:
            out[f"{menu.category}/{path.stem}.wav"] = audio.getnframes() / audio.getframerate()
    return out


class _Clock:
    """Simulated time of the caller's answer and of the queue's member-queue-start, and what
    the caller heard between them."""

    def __init__(self) -> None:
        self.answered_us: int | None = None
        self.queued_us: int | None = None
        self.greetings: list[str] = []

    def offer(self, event) -> None:
        stamp = int(event.get("Event-Date-Timestamp") or 0)
        if event.name == "CHANNEL_ANSWER" and self.answered_us is None:
            self.answered_us = stamp
        elif event.name == "PLAYBACK_START" and self.queued_us is None:
            self.greetings.append(event.get("Playback-File-Path") or "")
        elif event.get("CC-Action") == "member-queue-start" and self.queued_us is None:
            self.queued_us = stamp


def test_no_key_reaches_the_queue_in_under_40_s_through_the_static_menu(
        tmp_path: Path, durations: dict[str, float], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.hotline import free_port

    settings = Settings(switch={"password": "esl-s3cret"},
                        ivr={"listen_port": free_port()})  # no daemon: the static menu
    conf = stock_tree(tmp_path)
    files, _ = render_site(settings)
    install(files, conf, force=True)
    play = apps.play_prompt

    def as_long_as_the_file(session, path: str, seconds: float = apps.PROMPT_SECONDS,
                            **kwargs) -> None:
        play(session, path, durations.get(path, seconds), **kwargs)

    monkeypatch.setattr(apps, "play_prompt", as_long_as_the_file)
    sim = build_switch(Simulation(conf_dir=conf, speed=SPEED))
    clock = _Clock()
    sim.listeners.add(clock)
    session = sim.inbound_call(Caller("0912345678", "Khách", destination="02901022", key=None,
                                      queue_patience=1))
    with gevent.Timeout(90 / SPEED + 10):
        session.greenlet.join()
    sim.callcenter.stop()
    assert clock.answered_us is not None and clock.queued_us is not None, "never queued"
    seconds = (clock.queued_us - clock.answered_us) / 1e6
    long, short = (durations[f"hotline/{n}.wav"] for n in ("greeting_long", "greeting_short"))
    timeout = settings.ivr.digit_timeout_ms / 1000
    tries = settings.ivr.max_tries
    # FreeSWITCH: src/switch_ivr_menu.c switch_ivr_menu_execute — greet-long on the first
    # pass, greet-short when reps > 0, `timeout` after each; max-timeouts runs the transfer.
    expected = long + timeout + (tries - 1) * (short + timeout)
    menu_greetings = [g for g in clock.greetings if "greeting" in g]
    assert menu_greetings == ["hotline/greeting_long.wav"] + ["hotline/greeting_short.wav"] * (
        tries - 1)
    assert seconds == pytest.approx(expected, abs=1.0)
    print(f"static menu, no key: {seconds:.1f} s to the queue (greeting_long {long:.1f} s, "
          f"greeting_short {short:.1f} s, {tries} tries, timeout {timeout:.0f} s)")
    assert seconds < LIMIT_SECONDS


def _file_string(durations: dict[str, float]):
    """A prompt's length; a `file_string://a!b` playback lasts as long as its files."""
    def length(path: str, default: float) -> float:
        if path.startswith("file_string://"):
            return sum(durations.get(p, default) for p in path[len("file_string://"):].split("!"))
        return durations.get(path, default)
    return length


def test_no_key_reaches_the_queue_in_under_40_s_through_the_daemons_ivr(
        seeded, tmp_path: Path, durations: dict[str, float],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon's IVR (the default settings' tries and timeout): greeting_long once, then
    greeting_short, no `invalid` after a try with no key (the real switch's
    play_and_get_digits would play it: 48.2 s), the first in line not told their place."""
    from callcenter.sim.people import Phones
    from tests.support.hotline import Hotline

    length = _file_string(durations)
    play = apps.play_prompt

    def as_long_as_the_file(session, path: str, seconds: float = apps.PROMPT_SECONDS,
                            **kwargs) -> None:
        play(session, path, length(path, seconds), **kwargs)

    monkeypatch.setattr(apps, "play_prompt", as_long_as_the_file)
    defaults = _settings().ivr
    line = Hotline(seeded, tmp_path, Phones(), overrides={"ivr": {
        "digit_timeout_ms": defaults.digit_timeout_ms, "max_tries": defaults.max_tries}})
    try:
        clock = _Clock()
        line.sim.listeners.add(clock)
        line.call("0912345678", None, queue_patience=1)
        line.wait(lambda: clock.queued_us is not None, timeout=60)
    finally:
        line.close()
    seconds = (clock.queued_us - clock.answered_us) / 1e6
    tries, timeout = defaults.max_tries, defaults.digit_timeout_ms / 1000
    assert clock.greetings == ["hotline/greeting_long.wav", NO_INVALID_PROMPT] + [
        "hotline/greeting_short.wav", NO_INVALID_PROMPT] * (tries - 1)  # no `invalid`, no place
    long, short = (durations[f"hotline/{n}.wav"] for n in ("greeting_long", "greeting_short"))
    pause = 0.25  # NO_INVALID_PROMPT, after each try
    expected = long + timeout + pause + (tries - 1) * (short + timeout + pause)
    print(f"daemon's IVR, no key: {seconds:.1f} s to the queue ({expected:.1f} s of prompts "
          "and timeouts; the rest is the simulator's scheduling at 10× speed)")
    assert expected - 0.5 <= seconds < LIMIT_SECONDS
