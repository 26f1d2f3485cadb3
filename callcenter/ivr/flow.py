"""One caller through the IVR: look them up, greet, take one key, route to the topic's queue.

The menu (keys → topics, queues, rules) is data read from the database; the prompts are the
files switch_conf renders (`hotline/<name>.wav`, relative to the sound_prefix the dialplan
sets). Nothing is read or written before the guard (callcenter.ivr.guard) has admitted the
session; every wait for the switch is bounded. Anything that goes wrong ends this call's
greenlet only, and the dialplan goes on to the static menu."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gevent

from callcenter.ivr.announce import Outlook, announcement
from callcenter.ivr.guard import Admitted
from callcenter.store.lookup import HistoryItem
from callcenter.switch.errors import CommandTimeout
from callcenter.switch.outbound import OutboundCall, SessionRefused

log = logging.getLogger(__name__)

PROMPT = "hotline/{}.wav"
# play_and_get_digits plays its invalid file after every failed try, a try with no key too
# (FreeSWITCH: switch_ivr_play_say.c switch_play_and_get_digits; seen on the real switch).
# The IVR gives it a short silence and says `invalid` itself, only after a wrong key.
NO_INVALID_PROMPT = "silence_stream://250"
PAUSE_SECONDS = 0.25  # NO_INVALID_PROMPT's length
# A refused session's peer gets this long to show that the switch's park is in place before
# the socket closes (OutboundCall.hand_back).
HAND_BACK_SECONDS = 2.0


@dataclass(frozen=True)
class Limits:
    """How long the IVR waits for the switch ([ivr] and [switch] settings)."""

    handshake_seconds: float = 3.0  # connection → `connect` reply and the call admitted
    max_prompt_seconds: float = 45.0  # the longest prompt one step plays
    command_seconds: float = 10.0  # an application that plays nothing; the slack of others

    def playing(self, prompts: int = 1, then_seconds: float = 0.0) -> float:
        """The bound of an application that plays `prompts` files, then waits."""
        return prompts * self.max_prompt_seconds + then_seconds + self.command_seconds


@dataclass(frozen=True)
class MenuTopic:
    id: int
    key: str
    menu_key: str
    queue: str
    rules: dict[str, Any] = field(default_factory=dict)
    announce_position: bool = False  # tell the caller their place and the wait before queueing


@dataclass(frozen=True)
class Menu:
    topics: tuple[MenuTopic, ...]
    default: str  # topic key when nothing valid was pressed
    tries: int = 3
    timeout_ms: int = 5000

    def by_key(self, key: str | None) -> MenuTopic:
        for topic in self.topics:
            if topic.menu_key == key:
                return topic
        return next(t for t in self.topics if t.key == self.default)

    @property
    def regex(self) -> str:
        return "^[" + "".join(sorted(t.menu_key for t in self.topics)) + "]$"


def priority(topic: MenuTopic, history: list[HistoryItem]) -> int:
    """cc_base_score for a returning caller: the topic's rule (data) on their last case."""
    rule = topic.rules.get("priority") or {}
    triage = topic.rules.get("triage") or {}
    last = next((h for h in history if h.kind == "case" and h.topic_id == topic.id), None)
    if not rule or last is None:
        return 0
    level = last.form.get(triage.get("level_field", "triage_level"))
    flags = last.form.get(triage.get("red_flag_field", "red_flags")) or []
    if level in rule.get("levels", []) or (rule.get("any_red_flag") and flags):
        return int(rule.get("base_score", 0))
    return 0


@dataclass
class Ivr:
    """The IVR's dependencies, passed in (the daemon wires them)."""

    menu: Callable[[], Menu]
    lookup: Callable[[str], list[HistoryItem]]
    chose: Callable[[str, str | None, MenuTopic], int | None]  # call uuid, key, topic → call id
    # The channel data and the handshake's deadline → the admitted call, or SessionRefused.
    admit: Callable[[Mapping[str, str], float], Admitted]
    outlook: Callable[[str], Outlook] = lambda _queue: Outlook(1, None)  # queue → where one stands
    limits: Limits = Limits()

    def __call__(self, call: OutboundCall) -> None:
        until = call.started + self.limits.handshake_seconds
        try:
            channel = call.connect(max(0.01, until - time.monotonic()))
        except CommandTimeout:
            raise SessionRefused("handshake", "no channel data within "
                                              f"{self.limits.handshake_seconds:g} s") from None
        try:
            admitted = self.admit(channel, until)
        except SessionRefused:
            call.hand_back(HAND_BACK_SECONDS)
            raise
        call.follow()
        self._serve(call, admitted)

    def _serve(self, call: OutboundCall, admitted: Admitted) -> None:
        uuid = admitted.uuid
        menu = self.menu()
        # The caller's history is read while they hear the greeting, not before it; their
        # number is the one the event socket saw, not the outbound socket's claim.
        reading = gevent.spawn(self.lookup, admitted.caller_number)
        call.execute("answer")
        key = self._menu_key(call, menu, self.limits)  # CallGone if they hang up: no row change
        topic = menu.by_key(key)
        try:
            history = reading.get(timeout=self.limits.command_seconds)
        except gevent.Timeout:
            reading.kill(block=False)
            log.warning("call %s: caller history not read within %g s, routed without it",
                        uuid, self.limits.command_seconds)
            history = []
        call_id = self.chose(uuid, key, topic)
        open_case = next((h.id for h in history if h.kind == "case" and
                          h.status in ("open", "follow_up") and h.topic_id == topic.id), None)
        call.set("hotline_topic", topic.key)
        call.set("hotline_call_id", str(call_id or ""))
        call.set("hotline_case_id", str(open_case or ""))
        call.set("cc_export_vars", "hotline_topic,hotline_call_id,hotline_case_id,hotline_key")
        score = priority(topic, history)
        if score:
            call.set("cc_base_score", str(score))
            log.info("call %s: returning caller at risk, cc_base_score %d", uuid, score)
        if topic.announce_position:
            said = announcement(self.outlook(topic.queue))
            if said:
                call.execute("playback", said, self.limits.playing(said.count("!") + 1))
        # The dialplan's queue extension runs `callcenter` with the topic's exit key, and
        # says what happens next if no agent takes the call.
        call.execute("transfer", f"hotline_queue_{topic.key} XML hotline")

    @staticmethod
    def _menu_key(call: OutboundCall, menu: Menu, limits: Limits) -> str | None:
        """`menu.tries` tries: the long greeting the first time, the short one after (as the
        static menu's greet-long / greet-short). A wrong key hears `invalid`; no key goes
        straight to the next greeting, as in the static menu. With nothing pressed the caller
        reaches the default topic after greeting_long + timeout + (tries - 1) × (greeting_short
        + timeout). Each try is waited for at most a prompt's bound, the digit timeout and the
        pause."""
        one_try = limits.playing(1, menu.timeout_ms / 1000 + PAUSE_SECONDS)
        for attempt in range(max(1, menu.tries)):
            prompt = PROMPT.format("greeting_long" if attempt == 0 else "greeting_short")
            done = call.execute("play_and_get_digits", " ".join([
                "1", "1", "1", str(menu.timeout_ms), "#", prompt, NO_INVALID_PROMPT,
                "hotline_key", menu.regex, str(menu.timeout_ms)]), one_try)
            key = done.variable("hotline_key")
            if key:
                return key
            if done.variable("hotline_key_invalid"):
                call.execute("playback", PROMPT.format("invalid"), limits.playing())
        return None
