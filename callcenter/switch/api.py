"""The switch's API, typed: every api command the daemon sends FreeSWITCH is built and quoted
here, and nowhere else — mod_callcenter's `callcenter_config`, the `uuid_*` commands,
`originate`, `show channels`. The rest of the daemon says what it wants (`agent_set_status`,
`hold`, `transfer`); this module knows the words.

mod_callcenter's traps (reference §2.11) are handled once: values with spaces single-quoted
(double quotes do not group), the JSON form of the lists read through `json` (a dial string may
hold a `|`), and the JSON reply's `status` checked on every read."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from callcenter.switch.errors import CommandError
from callcenter.switch.link import BackgroundJob

# Every api command this module sends: switchconf.modules derives the modules they need.
COMMANDS = ("callcenter_config", "json", "show", "uuid_kill", "uuid_hold", "uuid_transfer",
            "originate", "uuid_recv_dtmf", "uuid_setvar")

Api = Callable[[str], str]
Bgapi = Callable[[str], BackgroundJob]
Rows = list[dict[str, Any]]


class ReplyError(ValueError):
    """The switch answered, but not with what was asked (a JSON reply without success)."""


def quoted(value: str) -> str:
    """Single quotes group words for callcenter_config (double quotes do not)."""
    if "'" in value:
        raise ValueError(f"a value with a single quote cannot be sent: {value!r}")
    return f"'{value}'" if " " in value else value


@dataclass(frozen=True)
class CcCommand:
    """One `callcenter_config` command: its words (each value quoted when sent) and the log
    line it deserves once the switch takes it."""

    words: tuple[str, ...]
    reason: str = ""

    @property
    def arguments(self) -> str:
        return " ".join(quoted(word) for word in self.words)

    def deletes_agent(self) -> str | None:
        """The agent an `agent del` removes (mod_callcenter sends no event for it)."""
        return self.words[2] if self.words[:2] == ("agent", "del") else None


# -- mod_callcenter's commands (mod_callcenter.c cc_config_api_function) ---------------------

def agent_add(name: str, reason: str = "") -> CcCommand:
    return CcCommand(("agent", "add", name, "callback"), reason)


def agent_set(key: str, name: str, value: str, reason: str = "") -> CcCommand:
    """`agent set <key> <agent> <value>`: status, state, contact, max_no_answer, …"""
    return CcCommand(("agent", "set", key, name, value), reason)


def agent_del(name: str, reason: str = "") -> CcCommand:
    return CcCommand(("agent", "del", name), reason)


def tier_add(queue: str, name: str, level: int, position: int, reason: str = "") -> CcCommand:
    return CcCommand(("tier", "add", queue, name, str(level), str(position)), reason)


def tier_set(key: str, queue: str, name: str, value: int, reason: str = "") -> CcCommand:
    """`tier set level|position <queue> <agent> <value>`."""
    return CcCommand(("tier", "set", key, queue, name, str(value)), reason)


def tier_del(queue: str, name: str, reason: str = "") -> CcCommand:
    return CcCommand(("tier", "del", queue, name), reason)


# -- where a transfer sends a call (mod_commands.c uuid_transfer_function) -------------------

def to_extension(extension: str, context: str, dialplan: str = "XML") -> str:
    return f"{extension} {dialplan} {context}"


def to_bridge(dial_string: str) -> str:
    """Run `bridge` on the channel at once, without the dialplan (`-inline`'s form:
    'app:arg' inline, switch_ivr.c switch_ivr_session_transfer with dialplan "inline")."""
    return f"'bridge:{dial_string}' inline"


def via_gateway(name: str, number: str) -> str:
    """A number dialled through the trunk (mod_sofia's gateway endpoint)."""
    return f"sofia/gateway/{name}/{number}"


def channel_variables(values: dict[str, str]) -> str:
    """`{a=1,b=2}`: variables for an originated leg (values with spaces quoted)."""
    return "{" + ",".join(f"{key}={quoted(value)}" for key, value in values.items()) + "}"


class SwitchApi:
    """What the daemon asks of the switch, over the link's `api` and `bgapi`."""

    def __init__(self, api: Api, bgapi: Bgapi | None = None) -> None:
        self._api, self._bgapi = api, bgapi

    def raw(self, command: str) -> str:
        """An api command as it is (the health check's `status`)."""
        return self._api(command)

    # -- mod_callcenter --------------------------------------------------------------------

    def callcenter(self, command: CcCommand) -> str:
        """The switch's reply: `+OK` or its `-ERR …` text (an answer, not an exception);
        SwitchError if it did not answer."""
        try:
            return self._api(f"callcenter_config {command.arguments}")
        except CommandError as exc:
            return exc.reply

    def agent_set_status(self, name: str, status: str) -> str:
        return self.callcenter(agent_set("status", name, status))

    def agent_set_state(self, name: str, state: str) -> str:
        return self.callcenter(agent_set("state", name, state))

    def callcenter_rows(self, *words: str) -> Rows:
        """A list in its JSON form (`agent list`, `tier list`, `member list`): the reply's
        status is checked (ReplyError otherwise)."""
        arguments = " ".join(words)
        request = {"command": "callcenter_config", "data": {"arguments": arguments}}
        reply = json.loads(self._api("json " + json.dumps(request, separators=(",", ":"))))
        if not isinstance(reply, dict) or reply.get("status") != "success":
            message = reply.get("message", reply) if isinstance(reply, dict) else reply
            raise ReplyError(f"callcenter_config {arguments}: {message}")
        return list(reply.get("response") or [])

    def agent_list(self) -> Rows:
        return self.callcenter_rows("agent", "list")

    def tier_list(self) -> Rows:
        return self.callcenter_rows("tier", "list")

    def member_list(self) -> Rows:
        return self.callcenter_rows("member", "list")

    # -- channels --------------------------------------------------------------------------

    def channels(self) -> Rows:
        """`show channels as json` (mod_commands.c show_function): no `rows` when none."""
        reply = json.loads(self._api("show channels as json"))
        if not isinstance(reply, dict):
            raise ReplyError(f"show channels: {reply!r}")
        return list(reply.get("rows") or [])

    def hangup(self, uuid: str, cause: str = "NORMAL_CLEARING") -> str:
        return self._api(f"uuid_kill {uuid} {cause}")

    def hold(self, uuid: str, on: bool) -> str:
        """`uuid_hold [off] <uuid>`: holds that leg's media, its partner hears the music."""
        return self._api(f"uuid_hold {'' if on else 'off '}{uuid}")

    def transfer(self, uuid: str, destination: str) -> str:
        """`destination`: to_extension(…) or to_bridge(…)."""
        return self._api(f"uuid_transfer {uuid} {destination}")

    def originate(self, dial_string: str, variables: dict[str, str], bridge_to: str,
                  bridge_variables: dict[str, str]) -> BackgroundJob:
        """Ring `dial_string` (with the leg's variables); once it answers, bridge it to
        `bridge_to` — in the background: the reply is the job's."""
        if self._bgapi is None:
            raise RuntimeError("this SwitchApi has no bgapi")
        return self._bgapi(f"originate {channel_variables(variables)}{dial_string} "
                           f"&bridge({channel_variables(bridge_variables)}{bridge_to})")

    def eavesdrop(self, dial_string: str, variables: dict[str, str],
                  target_uuid: str) -> BackgroundJob:
        """Ring `dial_string`; once it answers, eavesdrop on the channel `target_uuid` (the
        `lead_transfer_callback` capture). The mixing is set by the leg's variables
        eavesdrop_whisper_aleg / _bleg (mod_dptools.c eavesdrop_function)."""
        if self._bgapi is None:
            raise RuntimeError("this SwitchApi has no bgapi")
        return self._bgapi(f"originate {channel_variables(variables)}{dial_string} "
                           f"&eavesdrop({target_uuid})")

    def set_variable(self, uuid: str, name: str, value: str) -> str:
        """`uuid_setvar <uuid> <name> <value>` (mod_commands.c uuid_setvar_function)."""
        return self._api(f"uuid_setvar {uuid} {name} {value}")

    def receive_dtmf(self, uuid: str, digits: str) -> str:
        """`uuid_recv_dtmf`: digits queued on the channel as if its phone had sent them
        (mod_commands.c uuid_recv_dtmf_function); an eavesdrop reads them as its commands."""
        return self._api(f"uuid_recv_dtmf {uuid} {digits}")
