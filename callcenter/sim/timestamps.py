"""The time variables a channel gets when it hangs up (`start_uepoch`, `billsec`, …), read from
its current caller profile's times as FreeSWITCH reads them: they are in CHANNEL_HANGUP_COMPLETE
and in the channel's CDR (json_cdr.py)."""

from __future__ import annotations

from datetime import datetime

from callcenter.sim.channel import Channel

DTMF_LOG_LEN = 1000  # FreeSWITCH: switch_types.h SWITCH_DTMF_LOG_LEN

# *_stamp variables set only when their time is (switch_channel_set_timestamps, in this order)
_STAMPS_IF_SET = (("answer_stamp", "Channel-Answered-Time"),
                  ("bridge_stamp", "Channel-Bridged-Time"), ("hold_stamp", "Channel-Last-Hold"),
                  ("resurrect_stamp", "Channel-Resurrect-Time"),
                  ("progress_stamp", "Channel-Progress-Time"),
                  ("progress_media_stamp", "Channel-Progress-Media-Time"))
# <name>_epoch (whole seconds) and <name>_uepoch (microseconds), in this order
_EPOCHS = (("start", "Channel-Created-Time"), ("profile_start", "Profile-Created-Time"),
           ("answer", "Channel-Answered-Time"), ("bridge", "Channel-Bridged-Time"),
           ("last_hold", "Channel-Last-Hold"))
_EPOCHS_AFTER_HOLD = (("resurrect", "Channel-Resurrect-Time"),
                      ("progress", "Channel-Progress-Time"),
                      ("progress_media", "Channel-Progress-Media-Time"),
                      ("end", "Channel-Hangup-Time"))


def stamp(microseconds: int) -> str:
    """"%Y-%m-%d %T" in local time (switch_time_exp_lt)."""
    return datetime.fromtimestamp(microseconds / 1_000_000).strftime("%Y-%m-%d %H:%M:%S")


def set_variable(variables: dict[str, str], name: str, value: str | None) -> None:
    """switch_channel_set_variable: the old header is deleted and the new one added at the
    bottom (so it moves to the end); no value leaves it deleted."""
    # FreeSWITCH: switch_channel.c switch_channel_set_variable_var_check (switch_event_del_header,
    # then switch_event_add_header_string with SWITCH_STACK_BOTTOM unless zstr(value))
    variables.pop(name, None)
    if value:
        variables[name] = value


def set_timestamps(channel: Channel, app_log: list[tuple[str, str, int]],
                   dtmf_log: list[str]) -> None:
    """What switch_channel_set_timestamps sets, in its order: digits_dialed, the *_stamp,
    *_epoch and *_uepoch of the current caller profile's times, last_app/last_arg (the app
    log's last entry), caller_id, and the durations in seconds, ms and µs."""
    # FreeSWITCH: switch_channel.c switch_channel_set_timestamps (called from
    # switch_core_state_machine.c switch_core_session_hangup_state)
    # FIDELITY: guess — digits_dialed_filter (a regex masking digits) is not applied
    v, t = channel.variables, channel.profile.times
    digits = "".join(dtmf_log[:DTMF_LOG_LEN])
    set_variable(v, "digits_dialed", digits or "none")
    set_variable(v, "start_stamp", stamp(t["Channel-Created-Time"]))
    set_variable(v, "profile_start_stamp", stamp(t["Profile-Created-Time"]))
    for name, key in _STAMPS_IF_SET:
        if t[key]:
            set_variable(v, name, stamp(t[key]))
    # FIDELITY: guess — hold_events ({on,off} of each hold) is not kept by the simulator
    set_variable(v, "end_stamp", stamp(t["Channel-Hangup-Time"]))
    for name, key in _EPOCHS:
        set_variable(v, f"{name}_epoch", str(t[key] // 1_000_000))
        set_variable(v, f"{name}_uepoch", str(t[key]))
    accum = t["Channel-Hold-Accum"]
    set_variable(v, "hold_accum_seconds", str(accum // 1_000_000))
    set_variable(v, "hold_accum_usec", str(accum))
    set_variable(v, "hold_accum_ms", str(accum // 1000))
    for name, key in _EPOCHS_AFTER_HOLD:
        set_variable(v, f"{name}_epoch", str(t[key] // 1_000_000))
        set_variable(v, f"{name}_uepoch", str(t[key]))
    last_app, last_arg = (app_log[-1][0], app_log[-1][1]) if app_log else (None, None)
    set_variable(v, "last_app", last_app)
    set_variable(v, "last_arg", last_arg)
    profile = channel.profile
    set_variable(v, "caller_id", f'"{profile.caller_id_name}" <{profile.caller_id_number}>'
                 if profile.caller_id_name else profile.caller_id_number)
    for name, value in _durations(t).items():
        set_variable(v, name, str(value))


def _durations(t: dict[str, int]) -> dict[str, int]:
    created, answered, bridged = (t["Channel-Created-Time"], t["Channel-Answered-Time"],
                                  t["Channel-Bridged-Time"])
    progress, media, hungup = (t["Channel-Progress-Time"], t["Channel-Progress-Media-Time"],
                               t["Channel-Hangup-Time"])

    def since(moment: int, start: int, unit: int) -> int:  # each time truncated first, as C
        return moment // unit - start // unit

    d = dict.fromkeys(("duration", "billsec", "progresssec", "answersec", "waitsec",
                       "progress_mediasec", "flow_billsec", "mduration", "billmsec",
                       "progressmsec", "answermsec", "waitmsec", "progress_mediamsec",
                       "flow_billmsec", "uduration", "billusec", "progressusec", "answerusec",
                       "waitusec", "progress_mediausec", "flow_billusec"), 0)
    for suffix, unit in (("sec", 1_000_000), ("msec", 1000), ("usec", 1)):
        duration = {"sec": "duration", "msec": "mduration", "usec": "uduration"}[suffix]
        d[duration] = since(hungup, created, unit)
        if bridged > created:
            d[f"wait{suffix}"] = since(bridged, created, unit)
        if answered:
            d[f"bill{suffix}"] = since(hungup, answered, unit)
            d[f"flow_bill{suffix}"] = since(hungup, created, unit)
            d[f"answer{suffix}"] = since(answered, created, unit)
        if progress:
            d[f"progress{suffix}"] = since(progress, created, unit)
        if media:
            d[f"progress_media{suffix}"] = since(media, created, unit)
    return d
