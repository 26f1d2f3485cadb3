"""Calls the switch places: `originate` (api), the `bridge`, `eavesdrop` and `three_way`
applications, and the outgoing leg they share with mod_callcenter's agent calls
(switch_ivr_originate.c). The caller-id rules follow the `lead_transfer_callback` capture: a leg
bridged from a channel copies that channel's profile; a leg originated alone takes
`origination_caller_id_*` and flips its caller id when answered. Also `uuid_recv_dtmf` (api),
the digits an eavesdrop reads to change how the eavesdropper is heard."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import gevent
import gevent.event

from callcenter.sim import sites
from callcenter.sim.callcenter_text import separate_string
from callcenter.sim.channel import CallerProfile, Channel
from callcenter.sim.session import Hangup, Session
from fsxml.expand import lookup_variable, switch_true

if TYPE_CHECKING:
    from callcenter.sim.switch import SimSwitch

_VARS = re.compile(r"^(?:\{([^}]*)\}|\[([^\]]*)\]|<([^>]*)>)")
ORIGINATE_TIMEOUT = 60.0  # FreeSWITCH: switch_types.h SWITCH_DEFAULT_TIMEOUT (originate)


def parse_dial_string(dial: str) -> tuple[dict[str, str], str, str]:
    """`{a=b}[leg_timeout=8]sofia/external/agent1001@host` → (variables, endpoint, user)."""
    variables: dict[str, str] = {}
    rest = dial.strip()
    while (match := _VARS.match(rest)) is not None:
        for pair in (match.group(1) or match.group(2) or match.group(3) or "").split(","):
            name, _, value = pair.partition("=")
            if name:
                variables[name.strip()] = value.strip().strip("'")
        rest = rest[match.end():]
    parts = rest.split("/")
    user = parts[-1].split("@")[0] if parts else rest
    if parts[0] == "user" and len(parts) > 1:
        domain = parts[1].split("@")[1] if "@" in parts[1] else ""
        rest = f"sofia/internal/{user}@{domain or '127.0.0.1'}"
    return variables, rest, user


def split_dial_string(args: str) -> list[str]:
    """The dial string, then the rest: the first space outside {…}, […], <…> and quotes."""
    depth, quote = 0, ""
    for i, char in enumerate(args):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "{[<":
            depth += 1
        elif char in "}]>":
            depth -= 1
        elif char == " " and depth <= 0:
            return [args[:i], args[i + 1:]]
    return [args]


def new_leg(switch: SimSwitch, endpoint: str, user: str, variables: dict[str, str], *,
            origin: Channel | None = None, cid_name: str = "", cid_number: str = "") -> Session:
    """An outgoing channel, not yet ringing. With `origin` (bridge), the origin's profile is
    copied and the two legs know each other; without, the caller id is `cid_*`."""
    # FreeSWITCH: switch_ivr_originate.c switch_ivr_originate (the new leg's caller profile,
    # origination_caller_id_*, originator variables; captured: lead_transfer_callback and the
    # agent legs of every capture)
    name = variables.get("origination_caller_id_name")
    number = variables.get("origination_caller_id_number")
    if origin is not None:
        profile = origin.profile.copy()
        profile.caller_id_name = name or profile.caller_id_name
        profile.caller_id_number = number or profile.caller_id_number
        profile.ani = number or profile.ani
        profile.transfer_source = ""
        if not origin.hit_dialplan:
            profile.source = "src/switch_ivr_originate.c"
        profile.context = origin.profile.context if origin.hit_dialplan else "default"
    else:
        cid_name, cid_number = name or cid_name, number or cid_number
        profile = CallerProfile(
            caller_id_name=cid_name, caller_id_number=cid_number, orig_caller_id_name=cid_name,
            orig_caller_id_number=cid_number, ani=cid_number,
            source="src/switch_ivr_originate.c", context="default")
    profile.callee_id_name, profile.callee_id_number = "Outbound Call", user
    profile.destination_number = user
    profile.direction = profile.logical_direction = "outbound"
    profile.profile_index = "1"
    profile.rdnis = profile.rdnis if origin is not None and origin.hit_dialplan else ""
    now = switch.now_us()
    profile.times = dict.fromkeys(profile.times, 0)
    profile.times["Profile-Created-Time"] = profile.times["Channel-Created-Time"] = now
    channel = Channel(name=endpoint, direction="outbound", profile=profile, hit_dialplan=False,
                      running_state="CS_NONE", state="CS_INIT")
    channel.variables.update({"direction": "outbound", "is_outbound": "true",
                              "uuid": channel.uuid, "call_uuid": channel.uuid,
                              "channel_name": endpoint, **variables})
    if origin is not None:
        seen = origin.profile.copy()
        seen.transfer_source = ""
        seen.logical_direction = "inbound"
        channel.other_type, channel.other_profile = "originator", seen
        channel.variables["originator"] = origin.uuid
        channel.variables["originating_leg_uuid"] = origin.uuid
        channel.variables["signal_bond"] = origin.uuid
    return Session(switch, channel)


def ring(leg: Session, user: str, timeout: float, waiting: Session | None = None) -> str | None:
    """Start the leg and let the simulated phone decide: None when answered, else the cause.
    If `waiting` (the party the call is for) hangs up first, the leg is cancelled."""
    # FreeSWITCH: switch_ivr_originate.c switch_ivr_originate (the wait for an answer; a
    # caller gone first: ORIGINATOR_CANCEL; the timeouts: ring_limit). How the phone answers
    # is the simulated person's (people.py), not the switch's.
    switch = leg.switch
    behaviour = switch.phones.behaviour(user)
    if behaviour.action == "unregistered":
        leg.hangup("USER_NOT_REGISTERED")
        leg.greenlet = gevent.spawn(leg.finish)
        return "USER_NOT_REGISTERED"
    per_leg = "leg_timeout" in leg.channel.variables
    limit = ring_limit(switch.clock(), timeout, per_leg)
    leg.greenlet = gevent.spawn(leg.run_outbound_leg)
    leg.ringing.wait(switch.real(5))
    parties = [leg.hungup] + ([waiting.hungup] if waiting is not None else [])
    if behaviour.action in ("reject", "busy"):
        gevent.wait(parties, timeout=switch.real(min(1.0, limit)), count=1)
        cause = "CALL_REJECTED" if behaviour.action == "reject" else "USER_BUSY"
        leg.hangup_from_outside(cause)
        return cause
    ring_for = behaviour.answer_after if behaviour.action == "answer" else limit
    gevent.wait(parties, timeout=switch.real(min(ring_for, limit)), count=1)
    if waiting is not None and waiting.hungup.is_set():
        leg.hangup_from_outside("ORIGINATOR_CANCEL")
        return "ORIGINATOR_CANCEL"
    if leg.hungup.is_set():
        return leg.channel.hangup_cause or "NO_ANSWER"
    if behaviour.action != "answer" or ring_for >= limit:
        cause = "ALLOTTED_TIMEOUT" if per_leg else "NO_ANSWER"
        leg.hangup_from_outside(cause)
        return cause
    leg.answer_outbound()
    if behaviour.talk_time is not None:  # the called party hangs up first, after talking
        gevent.spawn(_hang_up_after, leg, switch.real(behaviour.talk_time))
    return None


def ring_limit(start: float, seconds: float, per_leg: bool) -> float:
    """How long (simulated seconds from `start`) a leg rings before originate gives up.

    The originate loop counts whole seconds: `elapsed = switch_epoch_time_now(NULL) - start`,
    both epoch seconds. A leg's own timeout (leg_timeout) ends it when `elapsed > limit` (6.9 s
    for 6 in hotline_no_answer_next_agent); the call's (originate_timeout, call_timeout,
    mod_callcenter's agent originate timeout) when `elapsed >= limit`."""
    # FreeSWITCH: switch_ivr_originate.c check_per_channel_timeouts (per_channel_timelimit_sec)
    # FreeSWITCH: switch_ivr_originate.c switch_ivr_originate (elapsed >= timelimit_sec)
    start_second = math.floor(start)
    return start_second + int(seconds) + (1 if per_leg else 0) - start


def _hang_up_after(leg: Session, seconds: float) -> None:
    if not leg.hungup.wait(seconds):
        leg.hangup_from_outside("NORMAL_CLEARING")


def _timeout(variables: dict[str, str], default: float) -> float:
    for name in ("leg_timeout", "originate_timeout", "call_timeout"):
        if variables.get(name, "").isdigit():
            return float(variables[name])
    return default


# -- the originate api ------------------------------------------------------------------

def originate_api(switch: SimSwitch, args: str) -> str:
    """`originate <dial string> <&app(args) | exten [dialplan [context]]>`: ring, and when
    answered run the application (or route the call), then answer with the new uuid."""
    # FreeSWITCH: mod_commands.c originate_function (captured: lead_transfer_callback)
    words = split_dial_string(args)
    if len(words) < 2 or not words[0]:
        return "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] " \
               "[<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"
    variables, endpoint, user = parse_dial_string(words[0])
    leg = new_leg(switch, endpoint, user, variables, cid_name="FreeSWITCH",
                  cid_number="0000000000")
    cause = ring(leg, user, _timeout(variables, ORIGINATE_TIMEOUT))
    if cause is not None:
        return f"-ERR {cause}\n"
    leg.flip_caller_id()
    target = words[1].strip()
    match = re.fullmatch(r"&(\w+)\((.*)\)", target)
    leg.then_run = ([(match.group(1), match.group(2))] if match else None) or target
    leg.go.set()
    return f"+OK {leg.channel.uuid}\n"


# -- applications -----------------------------------------------------------------------

def bridge_app(session: Session, data: str) -> str:
    """`bridge <dial string>`: call out, and bridge the two legs until one hangs up."""
    # FreeSWITCH: mod_dptools.c audio_bridge_function → switch_ivr_multi_threaded_bridge
    # (variables left on the caller, BRIDGE/UNBRIDGE; captured: lead_transfer_callback)
    variables, endpoint, user = parse_dial_string(data)
    b = new_leg(session.switch, endpoint, user, variables, origin=session.channel)
    cause = ring(b, user, _timeout(variables, ORIGINATE_TIMEOUT), waiting=session)
    a = session.channel
    if cause is not None:
        a.variables["originate_disposition"] = cause
        session.check()
        return "_none_"
    b_uuid = b.channel.uuid  # what switch_ivr_originate leaves on the caller (the captures)
    a.variables.update({"originated_legs": f"{b_uuid};Outbound Call;{user}",
                        "originate_disposition": "SUCCESS", "DIALSTATUS": "SUCCESS",
                        "originate_causes": f"{b_uuid};NONE"})
    a.profile.callee_id_name = b.channel.profile.callee_id_name
    a.profile.callee_id_number = b.channel.profile.callee_id_number
    seen = b.channel.profile.copy()
    seen.logical_direction = "inbound"
    a.other_type, a.other_profile = "originatee", seen
    ids = [("Bridge-A-Unique-ID", a.uuid), ("Bridge-B-Unique-ID", b.channel.uuid)]
    now = session.switch.now_us()
    a.profile.times["Channel-Bridged-Time"] = b.channel.profile.times[
        "Channel-Bridged-Time"] = now
    session.fire("CHANNEL_BRIDGE", before=ids, calling=sites.BRIDGE)
    session.new_bridge.set()
    b.set_state("CS_EXCHANGE_MEDIA")
    b.enter_state("CS_EXCHANGE_MEDIA")
    session.call_update(b)
    b.call_update(session)
    session.bridged_to, b.bridged_to = b, session
    session.set_phase("bridged")
    gevent.wait([session.hungup, b.hungup, session.interrupted], count=1)
    if b.hungup.is_set() and not session.hungup.is_set() and \
            a.variables.get("hangup_after_bridge", "true") == "true":
        session.hangup("NORMAL_CLEARING")
    b.hangup_from_outside("NORMAL_CLEARING")
    session.fire("CHANNEL_UNBRIDGE", before=ids, calling=sites.UNBRIDGE)
    session.check()
    return "_none_"


# The eavesdrop's flags. FreeSWITCH: switch_types.h switch_eavesdrop_flag_t
ED_NONE, ED_MUX_READ, ED_MUX_WRITE, ED_DTMF = 0, 1 << 0, 1 << 1, 1 << 2
# A digit on the eavesdropper's leg: the mixing flags it leaves; '*' ends the eavesdrop, '4' …
# '6' change the video layout only, any other digit nothing.
# FreeSWITCH: switch_ivr_async.c switch_ivr_eavesdrop_session (the `switch (*d)` on fcommand)
_DIGIT_MIX = {"1": ED_MUX_READ, "2": ED_MUX_WRITE, "3": ED_MUX_READ | ED_MUX_WRITE, "0": ED_NONE}


def mix_names(flags: int) -> frozenset[str]:
    """ED_MUX_READ → "read", ED_MUX_WRITE → "write" (Session.eavesdrop_mix)."""
    return frozenset(name for flag, name in ((ED_MUX_READ, "read"), (ED_MUX_WRITE, "write"))
                     if flags & flag)


def _variable(session: Session, name: str) -> str | None:
    """A channel variable, else the global of that name (switch_channel_get_variable)."""
    # FreeSWITCH: switch_channel.c switch_channel_get_variable_dup (the channel's variables,
    # case-insensitive; then the caller profile's fields; then switch_core_get_variable_pdup)
    value = lookup_variable(session.channel.variables, name)
    return value if value is not None else session.switch.globals.get(name)


def eavesdrop_flags(session: Session) -> int:
    """The flags `eavesdrop` starts with, from the eavesdropper's own variables: DTMF on
    unless `eavesdrop_enable_dtmf` is set and not true; `eavesdrop_whisper_aleg` true →
    ED_MUX_READ, `eavesdrop_whisper_bleg` true → ED_MUX_WRITE (switch_true: yes, on, true, t,
    enabled, active, allow, or a non-zero number)."""
    # FreeSWITCH: mod_dptools.c eavesdrop_function (flags = ED_DTMF; enable_dtmf;
    # whisper_aleg |= ED_MUX_READ; whisper_bleg |= ED_MUX_WRITE)
    flags = ED_DTMF
    enable_dtmf = _variable(session, "eavesdrop_enable_dtmf")
    if enable_dtmf is not None:
        flags = ED_DTMF if switch_true(enable_dtmf) else ED_NONE
    if switch_true(_variable(session, "eavesdrop_whisper_aleg")):
        flags |= ED_MUX_READ
    if switch_true(_variable(session, "eavesdrop_whisper_bleg")):
        flags |= ED_MUX_WRITE
    return flags


def eavesdrop_app(session: Session, data: str) -> str:
    """`eavesdrop <uuid>`: listen to a channel (a media bug on it) until it or we hang up, or
    a `*` on our leg ends it; the flags come from our variables (eavesdrop_flags)."""
    # FreeSWITCH: mod_dptools.c eavesdrop_function (an empty uuid: usage logged, nothing
    # done; `all` is not simulated)
    uuid = data.strip()
    if not uuid:
        return "_none_"
    eavesdrop_session(session, uuid, eavesdrop_flags(session))
    return "_none_"


def three_way_app(session: Session, data: str) -> str:
    """`three_way <uuid>`: an eavesdrop heard by both sides of that leg from the start, with
    no DTMF control (ED_MUX_READ | ED_MUX_WRITE)."""
    # FreeSWITCH: mod_dptools.c three_way_function
    uuid = data.strip()
    if not uuid:
        return "_none_"
    eavesdrop_session(session, uuid, ED_MUX_READ | ED_MUX_WRITE)
    return "_none_"


def eavesdrop_session(session: Session, uuid: str, flags: int) -> None:
    """Eavesdrop on `uuid` with `flags`; `session.eavesdrop_target` / `eavesdrop_mix` show it
    while it lasts.

    The eavesdropper always hears both directions of the target leg. Its own voice is mixed
    into that leg as the flags say — on the target leg's media bug (switch_ivr_async.c
    eavesdrop_callback):
    - ED_MUX_READ ("read"), SWITCH_ABC_TYPE_READ_REPLACE: into the frames read from the target
      leg, i.e. what the target's phone sends: the target's bridged partner hears the
      eavesdropper (on an agent's leg: the caller);
    - ED_MUX_WRITE ("write"), SWITCH_ABC_TYPE_WRITE_REPLACE: into the frames written to the
      target leg, i.e. what its own phone plays: the target's own party hears it (on an
      agent's leg: the agent alone — a whisper);
    - both: a barge (three-way); neither: listen only.
    With ED_DTMF, each digit dequeued on the eavesdropper's leg (a DTMF event, as any
    dequeue) sets them: 1 READ only, 2 WRITE only, 3 both, 0 none; `*` ends the eavesdrop
    and the application returns."""
    # FreeSWITCH: switch_ivr_async.c switch_ivr_eavesdrop_session (the target located, not
    # ourselves; the bug added: MEDIA_BUG_START; INDICATE_DISPLAY; the loop while the target is
    # up and we are ready, one DTMF dequeued per frame if (flags & ED_DTMF); end_loop: the bug
    # removed, MEDIA_BUG_STOP) (captured: lead_transfer_callback)
    # FreeSWITCH: switch_ivr_async.c eavesdrop_callback (READ_REPLACE: ED_MUX_READ,
    # WRITE_REPLACE: ED_MUX_WRITE)
    target = session.switch.sessions.get(uuid)
    if target is None or target is session:
        return
    bug = [("Media-Bug-Function", "eavesdrop"), ("Media-Bug-Target", target.channel.uuid)]
    target.fire("MEDIA_BUG_START", before=bug, calling=sites.MEDIA_BUG_START)
    session.call_update(target)
    mix = flags & (ED_MUX_READ | ED_MUX_WRITE)
    session.eavesdrop_target, session.eavesdrop_mix = target.channel.uuid, mix_names(mix)
    try:
        while not session.hungup.is_set() and not target.hungup.is_set():
            if flags & ED_DTMF and session.pending_digit() is not None:
                digit = session.take_digit()
                if digit == "*":
                    break
                mix = _DIGIT_MIX.get(digit, mix)
                session.eavesdrop_mix = mix_names(mix)
                continue
            session.dtmf_ready.clear()
            waits = [session.hungup, target.hungup]
            if flags & ED_DTMF:
                waits.append(session.dtmf_ready)
            gevent.wait(waits, count=1)
        else:
            # The target hung up: the eavesdropper lets the bug go after the target's
            # HANGUP_COMPLETE (captured: lead_transfer_callback, MEDIA_BUG_STOP in
            # CS_REPORTING), or when it hangs up itself.
            gevent.wait([session.hungup, target.reported], count=1)
    finally:
        session.eavesdrop_target, session.eavesdrop_mix = None, frozenset()
    # FreeSWITCH: switch_core_media_bug.c switch_core_media_bug_destroy (MEDIA_BUG_STOP, from
    # switch_core_media_bug_remove at `end:`, however the loop ended)
    target.fire("MEDIA_BUG_STOP", before=bug, calling=sites.MEDIA_BUG_STOP)
    if session.hungup.is_set():
        raise Hangup


# -- uuid_recv_dtmf -------------------------------------------------------------------------

# FreeSWITCH: switch_types.h SWITCH_DEFAULT/MIN/MAX_DTMF_DURATION (samples)
DEFAULT_DTMF_DURATION, MIN_DTMF_DURATION, MAX_DTMF_DURATION = 2000, 400, 192000


def is_dtmf(char: str) -> bool:
    # FreeSWITCH: switch_utils.h is_dtmf (0-9, A-D, a-d, #, *, W, w, F, f)
    return char in "0123456789ABCDabcd#*WwFf" and len(char) == 1


def _atoi(text: str) -> int:
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0


def queue_dtmf_string(session: Session, dtmf_string: str) -> str:
    """Queue `1234`, `12@500+34` (a duration in ms for a group), `~…` as received DTMF;
    "SUCCESS" when a digit was queued, else "GENERR" if a character was not a digit, else
    "FALSE" (the channel is down: nothing is queued)."""
    # FreeSWITCH: switch_channel.c switch_channel_queue_dtmf_string (groups split on '+',
    # `@ms` kept when above SWITCH_MIN_DTMF_DURATION / 8, durations clamped, source
    # SWITCH_DTMF_APP); switch_channel_queue_dtmf → switch_core_io.c
    # switch_core_session_recv_dtmf (refused on a channel that is down)
    if not dtmf_string:
        return "GENERR"
    if dtmf_string.startswith("~"):  # DTMF_FLAG_SKIP_PROCESS off: no dmachine here
        dtmf_string = dtmf_string[1:]
    queued: list[tuple[str, int]] = []
    bad_input = 0
    for group in separate_string(dtmf_string, "+", 256):
        digits, at, ms = group.partition("@")
        duration = DEFAULT_DTMF_DURATION
        if at and _atoi(ms) > MIN_DTMF_DURATION // 8:
            duration = _atoi(ms) * 8
        duration = min(max(duration, MIN_DTMF_DURATION), MAX_DTMF_DURATION)
        for char in digits:
            if is_dtmf(char):
                queued.append((char, duration))
            else:
                bad_input += 1
    if queued and session.channel.alive:
        session.queue_dtmf(queued, "APP")
        return "SUCCESS"
    return "GENERR" if bad_input else "FALSE"


def uuid_recv_dtmf_api(switch: SimSwitch, args: str) -> str:
    """`uuid_recv_dtmf <uuid> <dtmf_data>`: the digits queued on that channel as if its phone
    had sent them (an eavesdrop there reads them); the DTMF events fire as they are read."""
    # FreeSWITCH: mod_commands.c uuid_recv_dtmf_function
    usage = "-USAGE: <uuid> <dtmf_data>\n"
    if not args:
        return usage
    argv = separate_string(args, " ", 2)
    if len(argv) < 2 or not argv[0] or not argv[1]:
        return usage
    uuid, dtmf_data = argv[0], argv[1]
    session = switch.sessions.get(uuid)
    if session is None:
        return "-ERR Cannot locate session!\n"
    if queue_dtmf_string(session, dtmf_data) == "GENERR":
        return usage
    return f"+OK {uuid} received DTMF {dtmf_data}.\n"


def register(switch: SimSwitch) -> None:
    switch.applications.update({"bridge": bridge_app, "eavesdrop": eavesdrop_app,
                                 "three_way": three_way_app})
    switch.register_api("originate", lambda args: originate_api(switch, args))
    switch.register_api("uuid_recv_dtmf", lambda args: uuid_recv_dtmf_api(switch, args))
