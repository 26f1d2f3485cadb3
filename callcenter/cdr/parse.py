"""Pure: one mod_json_cdr file → the call it records, as the live state would have it.

The document is what `switch_ivr_generate_json_cdr` (src/switch_ivr.c) builds and
mod_json_cdr.c (`my_on_reporting`, `process_cdr`) writes, unformatted, to `<uuid>.cdr.json`:
`core-uuid`, `switchname`, `channel_data` (`state`, `direction`, …), `callStats`, `variables`
(every channel variable, as a string), `app_log`, and `callflow` (one entry per caller
profile, newest first — switch_channel_set_caller_profile links each new profile in front —
each with its `caller_profile`: `caller_id_number`, `caller_id_name`, `destination_number`,
`uuid`, …, and `times`). The result follows the same rules as a live call
(callcenter.state.apply): only the caller's inbound leg is a call; its queue, agent and
result come from the variables mod_callcenter sets "for xml_cdr needs"."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from callcenter.state.apply import CANCEL_RESULTS, MENU_VARIABLE, callback_owed, snapshot
from callcenter.state.effects import CallChanged, Effect
from callcenter.state.model import ABANDONED, ANSWERED, IVR_HANGUP, CallState, QueueLeg

MENU_KEY = MENU_VARIABLE.removeprefix("variable_")


class MalformedCdr(ValueError):
    """Not a CDR this parser can read: the reason, for the log line."""


def parse_cdr(text: str | bytes, queue_of_topic: Mapping[str, str]) -> CallState | None:
    """The caller's call this CDR records, ended; None for a leg that is no caller's call (an
    agent's phone, a callback dial: outbound). `queue_of_topic` (topic key → queue) names the
    topic of a call that chose one but never reached its queue. Raises MalformedCdr."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedCdr(f"not JSON: {exc}") from None
    # FIDELITY: from source — switch_ivr.c switch_ivr_generate_json_cdr ("variables": every
    # channel variable, a string each; their names and values as the captured channels have them)
    if not isinstance(doc, dict) or not isinstance(doc.get("variables"), dict):
        raise MalformedCdr("no `variables` object")
    v = _decoded(doc["variables"])
    uuid = v.get("uuid")
    if not uuid:
        raise MalformedCdr("no `uuid` variable")
    # FIDELITY: from source — switch_ivr.c switch_ivr_generate_json_cdr (channel_data.direction)
    data = doc.get("channel_data")
    channel: dict[str, Any] = data if isinstance(data, dict) else {}
    direction = channel.get("direction") or v.get("direction")
    if direction != "inbound" or v.get("cc_side") == "agent":
        return None  # the live state follows only the callers' legs (_channel_create)
    first = _first_profile(doc)
    started = _int(v, "start_uepoch")
    if not started:
        raise MalformedCdr("no `start_uepoch` variable")
    call = CallState(uuid=uuid, caller_number=first.get("caller_id_number") or "",
                     caller_name=first.get("caller_id_name") or "",
                     destination=first.get("destination_number") or "", started_us=started,
                     menu_choice=v.get(MENU_KEY) or None, ended_us=_int(v, "end_uepoch"),
                     hangup_cause=v.get("hangup_cause") or None,
                     recording=v.get("cc_record_filename") or None)
    _queue(call, v, queue_of_topic)
    _result(call, v)
    return call


def cdr_effects(call: CallState) -> list[Effect]:
    """What the recorder writes for an imported call: its row and its queue's leg (a
    call_leg row per member uuid, only ever added to: importing again adds no leg), and the
    callback it owes."""
    return [CallChanged(snapshot(call)), *callback_owed(call)]


def _decoded(variables: dict[str, Any]) -> dict[str, str]:
    """Variables as plain strings. With mod_json_cdr's `encode-values` left at its default
    (true) every value is URL-encoded (switch_ivr_set_json_chan_vars): `start_stamp`, which
    switch_channel_set_timestamps always writes as "YYYY-MM-DD hh:mm:ss", then holds "%20"."""
    plain = {k: value for k, value in variables.items() if isinstance(value, str)}
    # FIDELITY: from source — switch_ivr.c switch_ivr_set_json_chan_vars with urlencode, and
    # switch_utils.c switch_url_encode_opt (a space is in SWITCH_URL_UNSAFE: "%20")
    if "%20" in plain.get("start_stamp", ""):
        return {k: unquote(value) for k, value in plain.items()}
    return plain


def _first_profile(doc: dict[str, Any]) -> dict[str, Any]:
    """The channel's first caller profile (the last of `callflow`): who called, and what they
    dialled, as CHANNEL_CREATE said it."""
    # FIDELITY: from source — switch_ivr.c switch_ivr_generate_json_cdr ("callflow": an array,
    # one object per caller profile with "caller_profile"), switch_channel.c
    # switch_channel_set_caller_profile (the newest profile first)
    callflow = doc.get("callflow")
    if not isinstance(callflow, list) or not callflow:
        raise MalformedCdr("no `callflow`")
    profile = callflow[-1].get("caller_profile") if isinstance(callflow[-1], dict) else None
    if not isinstance(profile, dict):
        raise MalformedCdr("no `caller_profile` in the callflow")
    return profile


def _int(v: Mapping[str, str], name: str) -> int | None:
    try:
        value = int(v.get(name) or 0)
    except ValueError:
        raise MalformedCdr(f"`{name}` is not a number: {v.get(name)!r}") from None
    return value or None


def _seconds(v: Mapping[str, str], name: str) -> int | None:
    value = _int(v, name)
    return value * 1_000_000 if value else None


def _queue(call: CallState, v: Mapping[str, str], queue_of_topic: Mapping[str, str]) -> None:
    """mod_callcenter.c (callcenter_function, outbound_agent_thread_run) sets on the member's
    channel: cc_queue and cc_queue_joined_epoch when it joins, cc_agent, cc_agent_uuid and
    cc_queue_answered_epoch when an agent is bridged — epochs in whole seconds."""
    # FIDELITY: from source — mod_callcenter.c callcenter_function (cc_queue,
    # cc_queue_joined_epoch, cc_member_uuid) and outbound_agent_thread_run (cc_agent,
    # cc_agent_uuid, cc_queue_answered_epoch); all but the epochs also in the captures
    call.queue = v.get("cc_queue") or None
    call.member_uuid = v.get("cc_member_uuid") or None
    call.queued_us = _seconds(v, "cc_queue_joined_epoch") if call.queue else None
    answered = _seconds(v, "cc_queue_answered_epoch")
    if call.queue and v.get("cc_agent") and answered:
        # bridge_uepoch is the current profile's bridge, to the microsecond: the same moment
        # unless the caller was bridged again since (a transfer to 115).
        # FIDELITY: guess — that bridge_uepoch and cc_queue_answered_epoch of the same bridge
        # are less than 2 s apart (the captures show 0.47 and 0.75 s after the whole second)
        call.answered_us = _finer(_int(v, "bridge_uepoch"), answered, 2_000_000)
    if call.queue is None and v.get("hotline_topic") in queue_of_topic:
        call.queue = queue_of_topic[v["hotline_topic"]]  # chose a topic, never queued
    leg = _leg(call, v)
    call.legs = [leg] if leg else []
    if leg is not None:  # the call's agent is its last queue's, as live (_member_start)
        call.agent, call.agent_leg = leg.agent, leg.agent_leg


def _leg(call: CallState, v: Mapping[str, str]) -> QueueLeg | None:
    """The call_leg of the queue the caller was last in. Only the last: mod_callcenter sets
    its variables again at every join (callcenter_function), so the CDR of a call transferred
    from queue to queue holds its last queue's, where the live state has a leg per queue. No
    offered time: mod_callcenter sets no variable when it offers the call to an agent."""
    if not (call.member_uuid and call.queued_us and v.get("cc_queue")):
        return None
    leg = QueueLeg(call.member_uuid, v["cc_queue"], call.queued_us)
    # FreeSWITCH: mod_callcenter.c callcenter_function clears cc_agent_bridged at each join,
    # outbound_agent_thread_run sets it "true" when this queue's agent is bridged; cc_agent,
    # cc_agent_uuid and cc_queue_answered_epoch are cleared by nobody, so a caller transferred
    # on and not answered again still has the earlier agent's.
    if v.get("cc_agent_bridged") == "true" and call.answered_us and v.get("cc_agent"):
        leg.answered_us, leg.agent = call.answered_us, v["cc_agent"]
        leg.agent_leg = v.get("cc_agent_uuid") or None
    if v.get("cc_cause") == "cancel":
        # FreeSWITCH: mod_callcenter.c callcenter_function sets cc_queue_canceled_epoch,
        # cc_cause and cc_cancel_reason together as the member leaves (fixtures abandoned,
        # callback_key). A caller who hung up waiting left the queue as the channel ended.
        # FIDELITY: guess — that end_uepoch is then in the second cc_queue_canceled_epoch
        # floors (fixture abandoned: 0.75 s after it; callback_key: 8 s, the goodbye played)
        canceled = _seconds(v, "cc_queue_canceled_epoch")
        leg.ended_us = _finer(call.ended_us, canceled, 1_000_000) if canceled else \
            call.ended_us
        leg.cause = v.get("cc_cancel_reason") or "BREAK_OUT"
    else:  # as the live state ends a leg at the hangup (apply._hangup_complete)
        # FreeSWITCH: mod_callcenter.c outbound_agent_thread_run (member-queue-end
        # "Terminated" once the bridge is over: a member still bridged when it hangs up).
        # FIDELITY: guess — that the caller hung up while bridged. If the agent hung up first
        # and the caller stayed on, the leg ended earlier; cc_queue_terminated_epoch cannot
        # say when, as it may be an earlier queue's bridge end (capture
        # hotline_transfer_to_queue: the first queue's, set at the transfer).
        leg.ended_us = call.ended_us
        leg.cause = "Terminated" if leg.answered_us else "BREAK_OUT"
    return leg


def _finer(precise: int | None, whole_us: int, within_us: int) -> int:
    """`precise` (µs) where it is the moment the whole-second epoch `whole_us` floors."""
    return precise if precise and 0 <= precise - whole_us < within_us else whole_us


def _result(call: CallState, v: Mapping[str, str]) -> None:
    """As member-queue-end and the hangup decide it live. mod_callcenter's cc_cause is
    "answered" or "cancel" (with cc_cancel_reason) once the caller leaves the queue."""
    # FIDELITY: from source — mod_callcenter.c callcenter_function ("cancel" with
    # cc_cancel_reason from MEMBER_CANCEL_REASON_CHART, or "answered"); in the captures too
    cause = v.get("cc_cause")
    if call.queued_us and cause == "cancel":
        reason = v.get("cc_cancel_reason") or "BREAK_OUT"
        call.result = CANCEL_RESULTS.get(reason, ABANDONED)
        call.cancel_reason = None if reason == "BREAK_OUT" else reason
    elif call.queued_us and cause == "answered":
        call.result = ANSWERED
    else:
        call.result = ANSWERED if call.answered_us else (
            ABANDONED if call.queued_us else IVR_HANGUP)
