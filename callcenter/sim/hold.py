"""`uuid_hold`: hold one leg's media and play the hold music to the party bridged to it.

FreeSWITCH: mod_commands.c uuid_hold_function → switch_ivr.c switch_ivr_hold_uuid /
switch_ivr_hold: the held channel gets CF_HOLD and the INDICATE_HOLD message (sofia sends a
re-INVITE: its call state goes HELD), CHANNEL_HOLD is fired, and the hold music of the held
channel (switch_channel_get_hold_music: `temp_hold_music`, else `hold_music`, globals
included) is broadcast to its bridged partner (switch_ivr_broadcast: `playback` on the
partner, looped). switch_ivr_unhold stops the partner's broadcast
(switch_channel_stop_broadcast) and fires CHANNEL_UNHOLD. So `uuid_hold <caller>` makes the
agent hear the music and the caller nothing; to hold the caller, hold the agent's leg
(captures hotline_hold_caller_leg and hotline_hold_agent_leg show both ways)."""

from __future__ import annotations

import uuid as uuidlib
from typing import TYPE_CHECKING

import gevent

from callcenter.sim import sites

if TYPE_CHECKING:
    from callcenter.sim.session import Session
    from callcenter.sim.switch import SimSwitch

# The partner's `playback` started 100 ms (hold of the caller) and 180 ms (hold of the agent)
# after CHANNEL_HOLD in the captures: the broadcast waits for the partner's session thread.
BROADCAST_DELAY = 0.1


def uuid_hold(switch: SimSwitch, args: str) -> str:
    """`uuid_hold [off|toggle] <uuid>` (mod_commands.c uuid_hold_function)."""
    words = args.split()
    mode = words.pop(0) if words and words[0] in ("off", "toggle") else "on"
    session = switch.sessions.get(words[0]) if words else None
    if session is None:
        return "-ERR Operation failed\n"
    held = session.channel.call_state == "HELD"
    if mode == "toggle":
        mode = "off" if held else "on"
    if (mode == "on") == held:
        return "-ERR Operation failed\n"
    if mode == "on":
        hold(switch, session)
    else:
        unhold(session)
    return "+OK Success\n"


def hold(switch: SimSwitch, session: Session) -> None:
    session.hold(True)
    partner = session.bridged_to
    music = hold_music(switch, session)
    if partner is None or not music or not partner.channel.alive:
        return
    app_uuid = str(uuidlib.uuid4())
    session.hold_broadcast = (partner, music, app_uuid)

    def start() -> None:
        if session.hold_broadcast is None or not partner.channel.alive:
            return
        partner.fire("CHANNEL_EXECUTE", after=[
            ("Application", "playback"), ("Application-Data", music),
            ("Application-UUID", app_uuid)], calling=sites.EXECUTE)
        partner.fire("PLAYBACK_START", after=[("Playback-File-Type", "local_stream"),
                                              ("Playback-File-Path", music)],
                     calling=sites.PLAYBACK_START)

    gevent.spawn_later(switch.real(BROADCAST_DELAY), start)


def unhold(session: Session) -> None:
    session.call_state("UNHELD")
    broadcast, session.hold_broadcast = session.hold_broadcast, None
    if broadcast is not None:
        partner, music, app_uuid = broadcast
        if partner.channel.alive:
            partner.fire("PLAYBACK_STOP", after=[
                ("Playback-File-Type", "local_stream"), ("Playback-File-Path", music),
                ("Playback-Status", "break")], calling=sites.PLAYBACK_STOP)
            partner.fire("CHANNEL_EXECUTE_COMPLETE", after=[
                ("Application", "playback"), ("Application-Data", music),
                ("Application-Response", "FILE PLAYED"), ("Application-UUID", app_uuid)],
                calling=sites.EXECUTE_COMPLETE)
    session.hold(False)


def hold_music(switch: SimSwitch, session: Session) -> str:
    """switch_channel.c switch_channel_get_hold_music: temp_hold_music, else hold_music
    (a channel variable, else the global of that name)."""
    variables = session.channel.variables
    for name in ("temp_hold_music", "hold_music"):
        value = variables.get(name) or switch.globals.get(name)
        if value:
            return switch.expand(value, session.channel)
    return ""
