"""Dialplan applications of the simulator (mod_dptools and friends), each as FreeSWITCH runs it
as far as the events show: `answer`, `sleep`, `set`, `export`, `playback`,
`play_and_get_digits`, `transfer`, `hangup`, `park`; `callcenter`, `socket` and `bridge` are
handed to the parts of the switch that own them."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from callcenter.sim import sites
from callcenter.sim.session import Hangup, Session, Transferred
from fsxml.expand import pushed

if TYPE_CHECKING:
    from callcenter.sim.switch import SimSwitch

PROMPT_SECONDS = 1.0  # FIDELITY: guess — every prompt file plays 1 s


def answer(session: Session, _data: str) -> str:
    # FreeSWITCH: mod_dptools.c answer_function → switch_channel_perform_mark_pre_answered,
    # switch_channel_perform_mark_answered (codecs, PROGRESS_MEDIA, ANSWER; captured order)
    channel = session.channel
    if channel.answered:
        return "_none_"
    now = session.switch.now_us()
    session.open_media()
    channel.answer_state = "early"
    channel.profile.times["Channel-Progress-Media-Time"] = now
    channel.variables["progress_media_epoch"] = str(now // 1_000_000)
    session.fire("CHANNEL_PROGRESS_MEDIA", calling=sites.PROGRESS_MEDIA)
    session.call_state("EARLY")
    channel.answer_state = "answered"
    channel.profile.times["Channel-Answered-Time"] = now
    channel.variables["answer_epoch"] = str(now // 1_000_000)
    session.fire("CHANNEL_ANSWER", calling=sites.ANSWER)
    session.call_state("ACTIVE")
    return "_none_"


def sleep(session: Session, data: str) -> str:
    # FreeSWITCH: mod_dptools.c sleep_function (milliseconds)
    session.wait(int(data or "0") / 1000)
    return "_none_"


def set_variable(session: Session, data: str) -> str:
    # FreeSWITCH: mod_dptools.c set_function (an empty value unsets)
    name, _, value = data.partition("=")
    if value:
        session.channel.variables[name.strip()] = value
    else:
        session.channel.variables.pop(name.strip(), None)
    return "_none_"


def export(session: Session, data: str) -> str:
    # FreeSWITCH: mod_dptools.c export_function → switch_channel_export_variable_var_check
    # (the name appended to export_vars)
    name, _, _value = data.partition("=")
    set_variable(session, data)
    exported = [v for v in session.channel.variables.get("export_vars", "").split(",") if v]
    if name.strip() not in exported:
        exported.append(name.strip())
    session.channel.variables["export_vars"] = ",".join(exported)
    return "_none_"


def play_prompt(session: Session, path: str, seconds: float = PROMPT_SECONDS,
                digits_break: bool = True) -> None:
    """PLAYBACK_START, the prompt plays (a digit the caller presses cuts it short unless
    `digits_break` is off: the digit then waits for the next read), STOP."""
    # FreeSWITCH: switch_ivr_play_say.c switch_ivr_play_file (PLAYBACK_START/STOP, captured;
    # DTMF is dequeued only when input args are given)
    if not path or path == "silence":
        return
    if path.startswith("silence_stream://"):
        seconds = _silence_seconds(path)
        if not seconds:
            return
    kind = path.split("://", 1)[0] if "://" in path else "file"
    headers = [("Playback-File-Type", kind), ("Playback-File-Path", path)]
    session.fire("PLAYBACK_START", after=headers, calling=sites.PLAYBACK_START)
    try:
        if digits_break:
            session.wait_digit(seconds)
        else:
            session.wait(seconds)
    finally:
        if session.channel.alive:
            session.fire("PLAYBACK_STOP", after=[*headers, ("Playback-Status", "done")],
                         calling=sites.PLAYBACK_STOP)


def _silence_seconds(path: str) -> float:
    """`silence_stream://<ms>[,<factor>]` lasts `ms`; a negative one lasts until broken; 0 (or
    no number) does not open, and nothing plays."""
    # FreeSWITCH: mod_tone_stream.c silence_stream_file_open (atoi: ms > 0 that many
    # samples, ms < 0 forever, 0 "Invalid Input" and the open fails)
    number = re.match(r"-?\d+", path[len("silence_stream://"):])
    ms = int(number.group()) if number else 0
    return ms / 1000 if ms > 0 else (24 * 3600.0 if ms < 0 else 0.0)


def playback(session: Session, data: str) -> str:
    try:
        play_prompt(session, data)
    except Hangup as exc:
        # FreeSWITCH: mod_dptools.c playback_function (switch_ivr_play_file fails on a channel
        # that hung up: "PLAYBACK ERROR"; captured in hotline_callback_key)
        raise Hangup("PLAYBACK ERROR") from exc
    return "FILE PLAYED"


def play_and_get_digits(session: Session, data: str) -> str:
    """`<min> <max> <tries> <timeout> <terminators> <prompt> <invalid> <var> <regex>
    [<digit_timeout>] ['<failure_ext> [dialplan [context]]']` (reference §4.2)."""
    # FreeSWITCH: switch_ivr_play_say.c switch_play_and_get_digits — each try reads (the
    # prompt, then the digits); a match returns; otherwise, entry or no entry, the invalid
    # file plays before the next try and after the last one (seen on the real switch: a
    # caller who presses nothing hears it too); then the failure transfer.
    args = _split(data)
    if len(args) < 9:
        return "_none_"
    min_digits, max_digits, tries, timeout = (int(a) for a in args[:4])
    terminators, prompt, invalid, var, regex = args[4:9]
    failure = args[10] if len(args) > 10 else ""
    max_digits = max(max_digits, min_digits)
    variables = session.channel.variables
    variables.pop(f"{var}_invalid", None)
    for _ in range(max(1, tries)):
        digits = _read(session, min_digits, max_digits, prompt, var, timeout, terminators)
        if digits and len(digits) >= min_digits:
            if re.fullmatch(regex, digits):
                return "_none_"
            variables.pop(var, None)
            variables[f"{var}_invalid"] = digits
        play_prompt(session, invalid, digits_break=False)  # played with no input args
    if failure and failure != "''":
        transfer(session, failure)
    return "_none_"


def _read(session: Session, min_digits: int, max_digits: int, prompt: str, var: str,
          timeout_ms: int, terminators: str) -> str:
    """The prompt, then up to `max_digits` digits; `read_result` and `var` as the switch sets
    them."""
    # FreeSWITCH: switch_ivr_play_say.c switch_ivr_read — read_result "failure" when fewer
    # than min digits came (a caller who pressed nothing: captured in ivr_hangup), "timeout"
    # when the digit timeout ended a shorter entry, "success" at max digits; `var` only when
    # digits came. FIDELITY: guess — an entry ended by a terminator is "timeout" here (the
    # switch says "success"): the simulator's digit queue does not tell which ended it.
    variables = session.channel.variables
    variables.pop("read_result", None)
    variables.pop(var, None)
    session.press_key_if_prompted()
    play_prompt(session, prompt)
    digits = session.collect_digits(max_digits, max(timeout_ms, 1000) / 1000, terminators)
    if min_digits and len(digits) < min_digits:
        variables["read_result"] = "failure"
    else:
        variables["read_result"] = "success" if len(digits) >= max_digits else "timeout"
    if digits:
        variables[var] = digits
    return digits


def _split(data: str) -> list[str]:
    """FreeSWITCH's argument split: spaces, single quotes group (and stay for failure ext)."""
    try:
        return shlex.split(data, posix=False)
    except ValueError:
        return data.split()


def apply_transfer(session: Session, data: str) -> None:
    """switch_ivr_session_transfer: a new caller profile, to be routed again from the top."""
    # FreeSWITCH: switch_ivr.c switch_ivr_session_transfer (profile clone, rdnis, bl_xfer
    # transfer_source; captured: the hotline captures' two transfers)
    parts = data.split()
    if not parts:
        return
    destination = parts[0]
    dialplan = parts[1] if len(parts) > 1 else "XML"
    channel = session.channel
    context = parts[2] if len(parts) > 2 else channel.profile.context
    old = channel.profile
    new = old.copy()
    now = session.switch.now_us()
    new.profile_index = str(int(old.profile_index or "1") + 1)
    new.destination_number = destination
    new.dialplan = dialplan
    new.context = context
    new.rdnis = old.destination_number
    new.transfer_source = (f"{now // 1_000_000}:{session.switch.new_uuid()}:bl_xfer:"
                           f"{destination}/{context}/{dialplan}")
    new.times["Profile-Created-Time"] = now
    channel.profile = new
    variables = channel.variables
    variables.setdefault("original_destination_number", old.destination_number)
    variables.setdefault("original_caller_id_name", old.caller_id_name)
    variables.setdefault("original_caller_id_number", old.caller_id_number)
    variables["transfer_source"] = new.transfer_source
    # FreeSWITCH: switch_ivr.c switch_ivr_session_transfer (transfer_history, STACK_PUSH)
    variables["transfer_history"] = pushed(variables.get("transfer_history"),
                                           new.transfer_source)
    channel.state = "CS_ROUTING"
    session.pending_transfer = (destination, context)


def transfer(session: Session, data: str) -> str:
    apply_transfer(session, data)
    session.interrupted.set()
    raise Transferred


def hangup(session: Session, data: str) -> str:
    # FreeSWITCH: mod_dptools.c hangup_function (NORMAL_CLEARING by default)
    session.hangup(data.strip() or "NORMAL_CLEARING")
    raise Hangup


def park(session: Session, _data: str) -> str:
    # FreeSWITCH: switch_ivr.c switch_ivr_park (CHANNEL_PARK)
    session.parked = True
    session.fire("CHANNEL_PARK", calling=sites.PARK)
    return "_none_"


def register(switch: SimSwitch) -> None:
    switch.applications.update({
        "answer": answer, "sleep": sleep, "set": set_variable, "export": export,
        "playback": playback, "play_and_get_digits": play_and_get_digits,
        "transfer": transfer, "hangup": hangup, "park": park,
    })
