"""One caller through the IVR: look them up, greet, take one key, route to the topic's queue.

The menu (keys → topics, queues, rules) is data read from the database; the prompts are the
files switch_conf renders (`hotline/<name>.wav`, relative to the sound_prefix the dialplan
sets). Anything that goes wrong ends this call's greenlet only."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gevent

from callcenter.ivr.announce import Outlook, announcement
from callcenter.store.lookup import HistoryItem
from callcenter.switch.outbound import OutboundCall

log = logging.getLogger(__name__)

PROMPT = "hotline/{}.wav"
# play_and_get_digits plays its invalid file after every failed try, a try with no key too
# (FreeSWITCH: switch_ivr_play_say.c switch_play_and_get_digits; seen on the real switch).
# The IVR gives it a short silence and says `invalid` itself, only after a wrong key.
NO_INVALID_PROMPT = "silence_stream://250"


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
    outlook: Callable[[str], Outlook] = lambda _queue: Outlook(1, None)  # queue → where one stands

    def __call__(self, call: OutboundCall) -> None:
        channel = call.connect()
        uuid = channel["Unique-ID"]
        caller = channel.get("Caller-Caller-ID-Number") or ""
        menu = self.menu()
        # The caller's history is read while they hear the greeting, not before it.
        reading = gevent.spawn(self.lookup, caller)
        call.execute("answer")
        key = self._menu_key(call, menu)  # CallGone if they hang up: no topic, no row change
        topic = menu.by_key(key)
        history = reading.get()
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
                call.execute("playback", said)
        # The dialplan's queue extension runs `callcenter` with the topic's exit key, and
        # says what happens next if no agent takes the call.
        call.execute("transfer", f"hotline_queue_{topic.key} XML hotline")

    @staticmethod
    def _menu_key(call: OutboundCall, menu: Menu) -> str | None:
        """`menu.tries` tries: the long greeting the first time, the short one after (as the
        static menu's greet-long / greet-short). A wrong key hears `invalid`; no key goes
        straight to the next greeting, as in the static menu. With nothing pressed the caller
        reaches the default topic after greeting_long + timeout + (tries - 1) × (greeting_short
        + timeout)."""
        for attempt in range(max(1, menu.tries)):
            prompt = PROMPT.format("greeting_long" if attempt == 0 else "greeting_short")
            done = call.execute("play_and_get_digits", " ".join([
                "1", "1", "1", str(menu.timeout_ms), "#", prompt, NO_INVALID_PROMPT,
                "hotline_key", menu.regex, str(menu.timeout_ms)]))
            key = done.variable("hotline_key")
            if key:
                return key
            if done.variable("hotline_key_invalid"):
                call.execute("playback", PROMPT.format("invalid"))
        return None
