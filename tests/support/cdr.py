"""CDR files as mod_json_cdr writes them, rebuilt from the real switch's captured channels.

The document's shape is `switch_ivr_generate_json_cdr` (FreeSWITCH src/switch_ivr.c) and the
file is mod_json_cdr.c's `process_cdr`: `cJSON_PrintUnformatted` and a newline, in
`<log-dir>/<uuid>.cdr.json`. The values are a real channel's: `cdr_document` rebuilds the CDR
of a captured channel from its events (the variables and the current caller profile of its
CHANNEL_HANGUP_COMPLETE, fired in the same reporting state the CDR is written in; the earlier
caller profiles from its earlier events; the application log from its
CHANNEL_EXECUTE_COMPLETEs). `tests/fixtures/cdr/` holds those of the hotline captures; run
`python -m tests.support.cdr CAPTURES_DIR OUT_DIR` to make them again."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from callcenter.sim.json_cdr import TIMES  # a callflow entry's `times` ← the headers
from callcenter.switch.event import Event
from callcenter.switch.protocol import FrameParser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cdr"

# switch_ivr_set_json_profile_data: JSON field → the event header's suffix (Caller-…)
PROFILE = (("username", "Username"), ("dialplan", "Dialplan"),
           ("caller_id_name", "Caller-ID-Name"), ("ani", "ANI"), ("aniii", "ANI-II"),
           ("caller_id_number", "Caller-ID-Number"), ("network_addr", "Network-Addr"),
           ("rdnis", "RDNIS"), ("destination_number", "Destination-Number"),
           ("uuid", "Unique-ID"), ("source", "Source"), ("context", "Context"),
           ("chan_name", "Channel-Name"))


def _profile(event: Event, prefix: str) -> dict[str, Any]:
    """A NULL field is left out: cJSON_CreateString(NULL) is NULL (src/cJSON.c) and adding
    NULL to an object adds nothing. The event leaves out the same NULL fields."""
    return {field: value for field, suffix in PROFILE
            if (value := event.get(f"{prefix}-{suffix}")) is not None}


def _callflow_entry(event: Event, transferred: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {key: value for key, value in (
        ("dialplan", event.get("Caller-Dialplan")),
        ("profile_index", event.get("Caller-Profile-Index"))) if value}
    profile = _profile(event, "Caller")
    other = event.get("Other-Type")  # originator | originatee
    if other in ("originator", "originatee"):
        profile[other] = {f"{other}_caller_profiles": [_profile(event, "Other-Leg")]}
    entry["caller_profile"] = profile
    entry["times"] = {field: event.get(f"Caller-{suffix}") or "0" for field, suffix in TIMES}
    if transferred:  # switch_channel_set_caller_profile: the old profile's transfer time is
        entry["times"]["transfer_time"] = transferred  # the new one's creation
    return entry


def cdr_document(events: list[Event]) -> dict[str, Any]:
    """The CDR of the channel whose events these are (its CHANNEL_HANGUP_COMPLETE last)."""
    (end,) = [e for e in events if e.name == "CHANNEL_HANGUP_COMPLETE"]
    profiles: dict[int, Event] = {}
    for event in events:  # each event carries the caller profile current when it was fired
        index = int(event.get("Caller-Profile-Index") or 0)
        if index and event.name != "CUSTOM":
            profiles[index] = event
    profiles[int(end.get("Caller-Profile-Index") or 0)] = end
    return {
        "core-uuid": end.get("Core-UUID"),
        "switchname": end.get("FreeSWITCH-Switchname"),
        "channel_data": {"state": end.get("Channel-State"),
                         "direction": end.get("Call-Direction"),
                         "state_number": end.get("Channel-State-Number")},
        "callStats": {},  # the RTP statistics are in no capture
        "variables": {k.removeprefix("variable_"): v for k, v in end.pairs()
                      if k.startswith("variable_")},
        "app_log": {"applications": [
            {"app_name": e.get("Application"), "app_data": e.get("Application-Data") or "",
             "app_stamp": e.get("Event-Date-Timestamp")}
            for e in events if e.name == "CHANNEL_EXECUTE_COMPLETE"]},
        "callflow": [_callflow_entry(profiles[i], profiles[i + 1].get(
            "Caller-Profile-Created-Time") if i + 1 in profiles else None)
            for i in sorted(profiles, reverse=True)],
    }


def text(document: dict[str, Any]) -> str:
    """As process_cdr writes it: unformatted JSON, then a newline."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.cdr.json").read_text(encoding="utf-8"))


def renamed(document: dict[str, Any], uuid: str) -> dict[str, Any]:
    """The same CDR for another channel uuid (a test's own call)."""
    old = document["variables"]["uuid"]
    return json.loads(json.dumps(document).replace(old, uuid))


def write(folder: Path, document: dict[str, Any], age: float = 60.0) -> Path:
    """`<uuid>.cdr.json` in the spool folder, last written `age` seconds ago."""
    path = folder / f"{document['variables']['uuid']}.cdr.json"
    path.write_text(text(document), encoding="utf-8")
    when = path.stat().st_mtime - age
    os.utime(path, (when, when))
    return path


def _captured(path: Path) -> list[Event]:
    return [Event.from_frame(f) for f in FrameParser().feed(path.read_bytes())
            if f.content_type == "text/event-plain"]


SCENARIOS = {  # fixture name → (capture, which leg)
    "answered": ("hotline_ivr_key1_answered", "inbound"),
    "agent_leg": ("hotline_ivr_key1_answered", "outbound"),
    "abandoned": ("hotline_no_agent_abandoned", "inbound"),
    "callback_key": ("hotline_callback_key", "inbound"),
    "menu_hangup": ("hotline_ivr_menu_hangup", "inbound"),
    "static_menu": ("hotline_static_menu_fallback", "inbound"),
}


def main(captures: Path, out: Path) -> None:
    for name, (scenario, direction) in SCENARIOS.items():
        events = _captured(captures / f"{scenario}.observer.recv.esl")
        (end,) = [e for e in events if e.name == "CHANNEL_HANGUP_COMPLETE" and
                  e.get("Call-Direction") == direction]
        uuid = end.get("Unique-ID")
        mine = [e for e in events if e.get("Unique-ID") == uuid]
        (out / f"{name}.cdr.json").write_text(text(cdr_document(mine)), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
