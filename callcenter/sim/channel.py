"""Simulated channels: the state FreeSWITCH keeps per call leg, and the channel data it writes
into events (switch_channel_event_set_basic_data / _extended_data, reference §3)."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field

from callcenter.sim.core import SimEvent, Switch

# switch_channel_state_t
STATES = ("CS_NEW", "CS_INIT", "CS_ROUTING", "CS_SOFT_EXECUTE", "CS_EXECUTE",
          "CS_EXCHANGE_MEDIA", "CS_PARK", "CS_CONSUME_MEDIA", "CS_HIBERNATE", "CS_RESET",
          "CS_HANGUP", "CS_REPORTING", "CS_DESTROY", "CS_NONE")
STATE_NUMBER = {name: n for n, name in enumerate(STATES)}

# Event types that carry every channel variable (switch_channel_event_set_extended_data).
WITH_VARIABLES = frozenset((
    "CHANNEL_CREATE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_ANSWER", "CHANNEL_PARK",
    "CHANNEL_UNPARK", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "REQUEST_PARAMS",
    "CHANNEL_DATA", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_DESTROY",
    "SESSION_HEARTBEAT", "API", "RECORD_START", "RECORD_STOP", "PLAYBACK_START",
    "PLAYBACK_STOP", "CALL_UPDATE", "MEDIA_BUG_START", "MEDIA_BUG_STOP", "CHANNEL_HOLD",
    "CHANNEL_UNHOLD", "TEXT", "CUSTOM",
))

_PROFILE_TIMES = (
    "Profile-Created-Time", "Channel-Created-Time", "Channel-Answered-Time",
    "Channel-Progress-Time", "Channel-Progress-Media-Time", "Channel-Hangup-Time",
    "Channel-Transfer-Time", "Channel-Resurrect-Time", "Channel-Bridged-Time",
    "Channel-Last-Hold", "Channel-Hold-Accum",
)


@dataclass
class CallerProfile:
    """switch_caller_profile_t: who calls whom, and when things happened (microseconds)."""

    username: str = ""
    dialplan: str = ""
    caller_id_name: str = ""
    caller_id_number: str = ""
    orig_caller_id_name: str = ""
    orig_caller_id_number: str = ""
    callee_id_name: str = ""
    callee_id_number: str = ""
    network_addr: str = ""
    ani: str = ""
    destination_number: str = ""
    uuid: str = ""
    source: str = ""
    transfer_source: str = ""
    context: str = ""
    rdnis: str = ""
    channel_name: str = ""
    profile_index: str = ""
    direction: str = "inbound"
    logical_direction: str = "inbound"
    times: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_PROFILE_TIMES, 0))

    def headers(self, prefix: str, with_index: bool = True) -> list[tuple[str, str]]:
        """switch_caller_profile_event_set_data: empty fields are left out."""
        fields = [
            ("Direction", self.direction), ("Logical-Direction", self.logical_direction),
            ("Username", self.username), ("Dialplan", self.dialplan),
            ("Caller-ID-Name", self.caller_id_name), ("Caller-ID-Number", self.caller_id_number),
            ("Orig-Caller-ID-Name", self.orig_caller_id_name),
            ("Orig-Caller-ID-Number", self.orig_caller_id_number),
            ("Callee-ID-Name", self.callee_id_name), ("Callee-ID-Number", self.callee_id_number),
            ("Network-Addr", self.network_addr), ("ANI", self.ani),
            ("Destination-Number", self.destination_number), ("Unique-ID", self.uuid),
            ("Source", self.source), ("Transfer-Source", self.transfer_source),
            ("Context", self.context), ("RDNIS", self.rdnis),
            ("Channel-Name", self.channel_name),
            ("Profile-Index", self.profile_index if with_index else ""),
        ]
        out = [(f"{prefix}-{name}", value) for name, value in fields if value]
        out += [(f"{prefix}-{name}", str(self.times[name])) for name in _PROFILE_TIMES]
        out += [(f"{prefix}-Screen-Bit", "true"), (f"{prefix}-Privacy-Hide-Name", "false"),
                (f"{prefix}-Privacy-Hide-Number", "false")]
        return out

    def field(self, name: str) -> str:
        """A profile field by its dialplan name (destination_number, caller_id_number …)."""
        aliases = {"chan_name": "channel_name"}
        return str(getattr(self, aliases.get(name, name), "") or "")

    def copy(self) -> CallerProfile:
        clone = CallerProfile(**{k: v for k, v in self.__dict__.items() if k != "times"})
        clone.times = dict(self.times)
        return clone


@dataclass
class Channel:
    """One call leg."""

    name: str
    direction: str
    profile: CallerProfile
    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    running_state: str = "CS_NEW"
    state: str = "CS_NEW"
    call_state: str = "DOWN"
    answer_state: str = "ringing"
    hit_dialplan: bool = True
    hangup_cause: str | None = None
    has_media: bool = False
    codec: tuple[str, int, int] = ("PCMU", 8000, 64000)
    variables: dict[str, str] = field(default_factory=dict)
    other: Channel | None = None
    other_type: str | None = None  # originator | originatee
    other_profile: CallerProfile | None = None
    show_profile: bool = True  # a brand-new channel (CS_NEW) has no caller profile yet
    sent_callee: tuple[str, str] = ("", "")  # what CALL_UPDATE told the phone
    initial_profile: CallerProfile | None = None  # as created, for `show channels`
    # The caller profiles before the current one, oldest first, each with the other leg it
    # had (Other-Type, its profile): the CDR's callflow (json_cdr.py).
    past_profiles: list[tuple[CallerProfile, str | None, CallerProfile | None]] = field(
        default_factory=list)

    def __post_init__(self) -> None:
        self.profile.uuid = self.uuid
        self.profile.channel_name = self.name
        self.initial_profile = self.profile.copy()

    def __setattr__(self, name: str, value: object) -> None:
        """A new caller profile (transfer, uuid_bridge) keeps the one it replaces."""
        old = self.__dict__.get("profile") if name == "profile" else None
        if old is not None and old is not value and isinstance(value, CallerProfile):
            # FreeSWITCH: switch_channel.c switch_channel_set_caller_profile (the new profile
            # goes in front of the old; the old one's transferred time is the new one's
            # profile_created)
            old.times["Channel-Transfer-Time"] = value.times["Profile-Created-Time"]
            self.past_profiles.append((old, self.other_type, self.other_profile))
        object.__setattr__(self, name, value)

    @property
    def answered(self) -> bool:
        return self.answer_state == "answered"

    @property
    def alive(self) -> bool:
        return self.hangup_cause is None

    def basic_data(self) -> list[tuple[str, str]]:
        headers = [
            ("Channel-State", self.running_state),
            ("Channel-Call-State", self.call_state),
            ("Channel-State-Number", str(STATE_NUMBER[self.state])),
            ("Channel-Name", self.name),
            ("Unique-ID", self.uuid),
            ("Call-Direction", self.direction),
            ("Presence-Call-Direction", self.direction),
            ("Channel-HIT-Dialplan", "true" if self.hit_dialplan else "false"),
            ("Channel-Call-UUID", self.variables.get("call_uuid", self.uuid)),
            ("Answer-State", self.answer_state),
        ]
        if self.hangup_cause:
            headers.append(("Hangup-Cause", self.hangup_cause))
        if self.has_media:
            name, rate, bits = self.codec
            headers += [("Channel-Read-Codec-Name", name), ("Channel-Read-Codec-Rate", str(rate)),
                        ("Channel-Read-Codec-Bit-Rate", str(bits)),
                        ("Channel-Write-Codec-Name", name),
                        ("Channel-Write-Codec-Rate", str(rate)),
                        ("Channel-Write-Codec-Bit-Rate", str(bits))]
        if self.show_profile:
            headers += self.profile.headers("Caller", with_index=True)
        if self.other_type and self.other_profile is not None:
            headers.append(("Other-Type", self.other_type))
            headers += self.other_profile.headers("Other-Leg", with_index=False)
        return headers

    def variable_data(self) -> list[tuple[str, str]]:
        return [(f"variable_{name}", value) for name, value in self.variables.items() if value]

    def event(self, switch: Switch, name: str, before: list[tuple[str, str]] | None = None,
              after: list[tuple[str, str]] | None = None, *, subclass: str | None = None,
              calling: tuple[str, str, int] = ("", "", 0), variables: bool | None = None,
              body: str | None = None) -> SimEvent:
        """An event about this channel: `before` headers, channel data, `after` headers."""
        headers = [*(before or []), *self.basic_data()]
        if variables if variables is not None else name in WITH_VARIABLES:
            headers += self.variable_data()
        headers += after or []
        return switch.new_event(name, headers, subclass=subclass, calling=calling, body=body)
