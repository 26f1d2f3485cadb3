"""Dialplan applications of the simulator (mod_dptools and friends), each as FreeSWITCH runs it
as far as the events show: `answer`, `sleep`, `set`, `export`, `playback`,
`play_and_get_digits`, `transfer`, `hangup`, `park`; `callcenter`, `socket` and `bridge` are
handed to the parts of the switch that own them."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from callcenter.sim import sites
from callcenter.sim.dialplan_expand import pushed
from callcenter.sim.session import Hangup, Session, Transferred

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


def play_prompt(session: Session, path: str, seconds: float = PROMPT_SECONDS) -> None:
    """PLAYBACK_START, the prompt plays (a digit the caller presses cuts it short), STOP."""
    # FreeSWITCH: switch_ivr_play_say.c switch_ivr_play_file (PLAYBACK_START/STOP, captured)
    if not path or path == "silence":
        return
    kind = path.split("://", 1)[0] if "://" in path else "file"
    headers = [("Playback-File-Type", kind), ("Playback-File-Path", path)]
    session.fire("PLAYBACK_START", after=headers, calling=sites.PLAYBACK_START)
    try:
        session.wait_digit(seconds)
    finally:
        if session.channel.alive:
            session.fire("PLAYBACK_STOP", after=[*headers, ("Playback-Status", "done")],
                         calling=sites.PLAYBACK_STOP)


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
    # FreeSWITCH: switch_ivr_play_say.c switch_ivr_play_and_get_digits (tries: prompt, read,
    # the regex; the invalid prompt after a wrong entry; read_result; the failure transfer)
    args = _split(data)
    if len(args) < 9:
        return "_none_"
    min_digits, max_digits, tries, timeout = (int(a) for a in args[:4])
    terminators, prompt, invalid, var, regex = args[4:9]
    failure = args[10] if len(args) > 10 else ""
    max_digits = max(max_digits, min_digits)
    variables = session.channel.variables
    for _ in range(max(1, tries)):
        session.press_key_if_prompted()
        play_prompt(session, prompt)
        digits = session.collect_digits(max_digits, max(timeout, 1000) / 1000, terminators)
        if digits and re.fullmatch(regex, digits) and len(digits) >= min_digits:
            variables[var] = digits
            variables["read_result"] = "success"
            return "_none_"
        variables["read_result"] = "failure" if digits else "timeout"
        if digits:
            variables[f"{var}_invalid"] = digits
            play_prompt(session, invalid)
    variables.pop(var, None)
    if failure and failure != "''":
        transfer(session, failure)
    return "_none_"


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
