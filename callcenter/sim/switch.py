"""The simulated FreeSWITCH with calls: channels, dialplan, applications, channel apis.

`SimSwitch` is the composition root of the simulator's call side: it owns the live sessions,
routes them through the XML dialplan, runs applications, and answers the channel api commands
the project uses (`show channels`, `hupall`, `uuid_kill`, `uuid_transfer`, `uuid_getvar`,
`uuid_setvar`, `uuid_exists`).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import gevent

from callcenter.sim import apps, originate, outbound
from callcenter.sim.callcenter_engine import CallcenterEngine
from callcenter.sim.callcenter_model import CallcenterModel
from callcenter.sim.channel import CallerProfile, Channel
from callcenter.sim.core import Switch
from callcenter.sim.hold import uuid_hold
from callcenter.sim.ivr_menu import Menu, ivr_app
from callcenter.sim.people import Caller, Phones
from callcenter.sim.queue_conf import read_callcenter_conf
from callcenter.sim.session import Hangup, Session, Transferred

log = logging.getLogger(__name__)

Application = Callable[[Session, str], str]


class SimSwitch(Switch):
    """A switch that carries calls. `speed` > 1 runs simulated time faster than real time."""

    def __init__(self, dialplan: Any, *, speed: float = 1.0, phones: Phones | None = None,
                 globals_: dict[str, str] | None = None, sip_profile: str = "external",
                 hostname: str | None = None) -> None:
        start = time.time()
        self.speed = speed
        super().__init__(clock=lambda: start + (time.time() - start) * speed,
                         hostname=hostname)
        self.dialplan = dialplan
        self.phones = phones or Phones()
        self.globals = dict(globals_ or {})
        self.sip_profile = sip_profile
        self.phone_address = "127.0.0.1"  # where agents' phones answer from
        # Where the simulated machine's files are (recordings): None, this machine's own
        # paths; a folder, those paths under it (tests replaying a capture's absolute paths).
        self.file_root: Path | None = None
        self.sessions: dict[str, Session] = {}
        self.applications: dict[str, Application] = {}
        self.hangup_listeners: list[Callable[[Session], None]] = []
        # Global state handlers' on_reporting, run in CS_REPORTING (mod_json_cdr: json_cdr.py)
        self.reporting_handlers: list[Callable[[Session], None]] = []
        # A hangup from the far end while an application runs: CHANNEL_HANGUP is fired by
        # the signalling thread (switch_channel.c switch_channel_perform_hangup), the
        # application's EXECUTE_COMPLETE by the session thread, and switch_event.c's
        # dispatch threads deliver them in either order. Captured both ways: ivr_hangup
        # (HANGUP first, the default) and hotline_ivr_menu_hangup (EXECUTE_COMPLETE first).
        # None: HANGUP first; a number: HANGUP that many simulated seconds after the
        # EXECUTE_COMPLETE (FIDELITY: guess — the gap was not captured: CHANNEL_HANGUP is
        # not in that capture's subscription; tests use it to reach the daemon apart).
        self.hangup_event_delay: float | None = None
        apps.register(self)
        outbound.register(self)
        originate.register(self)
        self.callcenter: CallcenterEngine | None = None
        self.menus: dict[str, Menu] = {}  # ivr_menus/*.xml, for the `ivr` application
        self.applications["ivr"] = ivr_app
        for name, function in (("show", self._show), ("hupall", self._hupall),
                               ("uuid_kill", self._uuid_kill),
                               ("uuid_transfer", self._uuid_transfer),
                               ("uuid_getvar", self._uuid_getvar),
                               ("uuid_setvar", self._uuid_setvar),
                               ("uuid_exists", self._uuid_exists),
                               ("uuid_hold", lambda args: uuid_hold(self, args))):
            self.register_api(name, function)

    def load_callcenter(self, conf_path: Path, rng: random.Random | None = None) -> None:
        """Load mod_callcenter with the queues of a callcenter.conf.xml."""
        conf = read_callcenter_conf(conf_path, self.globals)
        model = CallcenterModel(config=conf)
        self.callcenter = CallcenterEngine(self, model, rng)
        self.callcenter.api.startup(self.clock())

    # -- time --------------------------------------------------------------------------

    def real(self, simulated_seconds: float) -> float:
        return simulated_seconds / self.speed

    def sleep(self, simulated_seconds: float) -> None:
        gevent.sleep(self.real(simulated_seconds))

    def new_uuid(self) -> str:
        return str(uuidlib.uuid4())

    # -- sessions ----------------------------------------------------------------------

    @property
    def channels(self) -> dict[str, Session]:
        return self.sessions

    def register(self, session: Session) -> None:
        self.sessions[session.channel.uuid] = session
        self.session_count = len(self.sessions)
        self.sessions_since_startup += 1
        self.peak_sessions = max(self.peak_sessions, self.session_count)

    def unregister(self, session: Session) -> None:
        self.sessions.pop(session.channel.uuid, None)
        self.session_count = len(self.sessions)

    def on_hangup(self, session: Session) -> None:
        for listener in list(self.hangup_listeners):
            listener(session)

    def on_reported(self, session: Session) -> None:
        """Hook for what must happen between HANGUP_COMPLETE and DESTROY (callcenter)."""

    def inbound_call(self, caller: Caller) -> Session:
        """A call from the trunk into the public context, as mod_sofia would create it."""
        name = f"sofia/{self.sip_profile}/{caller.number}@{caller.network_addr}:{caller.sip_port}"
        profile = CallerProfile(
            username=caller.number, dialplan="XML", caller_id_name=caller.name or caller.number,
            caller_id_number=caller.number, orig_caller_id_name=caller.name or caller.number,
            orig_caller_id_number=caller.number, network_addr=caller.network_addr,
            ani=caller.number, destination_number=caller.destination, source="mod_sofia",
            context="public")
        channel = Channel(name=name, direction="inbound", profile=profile)
        now = self.now_us()
        profile.times["Profile-Created-Time"] = profile.times["Channel-Created-Time"] = now
        channel.variables.update({
            "direction": "inbound", "uuid": channel.uuid, "call_uuid": channel.uuid,
            "session_id": str(self.sessions_since_startup + 1),
            "sip_from_user": caller.number, "sip_from_host": caller.network_addr,
            "channel_name": name, "sip_call_id": f"{channel.uuid}@{caller.network_addr}",
            "sip_network_ip": caller.network_addr, "sofia_profile_name": self.sip_profile,
            "sip_from_display": caller.name, "sip_req_user": caller.destination,
            "sip_to_user": caller.destination, "max_forwards": "70",
        })
        session = Session(self, channel)
        session.caller = caller
        session.greenlet = gevent.spawn(session.run_inbound)
        gevent.spawn(self._caller_hangs_up, session, caller)
        return session

    def _caller_hangs_up(self, session: Session, caller: Caller) -> None:
        """The caller's side: hang up in the menu, in the queue, or after talking."""
        if caller.ivr_patience is not None and not session.wait_phase(
                ("queued", "bridged"), self.real(caller.ivr_patience)):
            session.hangup_from_outside("NORMAL_CLEARING")
            return
        if not session.wait_phase(("queued", "bridged"), None):
            return
        if session.phase == "queued" and not session.wait_phase(
                ("bridged",), self.real(caller.queue_patience)):
            session.hangup_from_outside("NORMAL_CLEARING")
            return
        if session.phase == "bridged" and not session.hungup.wait(self.real(caller.talk_time)):
            session.hangup_from_outside("NORMAL_CLEARING")

    # -- dialplan ----------------------------------------------------------------------

    def hunt(self, session: Session) -> list[tuple[str, str]]:
        profile = session.channel.profile
        fields = {name: profile.field(name) for name in (
            "destination_number", "caller_id_number", "caller_id_name", "ani", "rdnis",
            "context", "network_addr", "source", "chan_name", "uuid", "username", "dialplan")}
        now = datetime.fromtimestamp(self.clock())

        def inline(app: str, data: str) -> None:
            session.execute(app, data)

        def remember(name: str, value: str) -> None:
            session.channel.variables[name] = value

        return self.dialplan.hunt(profile.context, fields, session.channel.variables, now,
                                  execute_inline=inline, api=self.api_for_expansion,
                                  on_variable=remember)

    def expand(self, data: str, channel: Channel) -> str:
        if "$" not in data:
            return data
        from fsxml.dialplan import expand_variables

        variables = {**self.globals, **channel.variables}
        return expand_variables(data, variables, self.api_for_expansion)

    def api_for_expansion(self, command: str, args: str) -> str:
        if command == "strftime":
            moment = datetime.fromtimestamp(self.clock()).astimezone()
            return moment.strftime(args or "%Y-%m-%d %H:%M:%S")
        function = self.api_commands.get(command)
        return function(args) if function else ""

    # -- sendmsg -----------------------------------------------------------------------

    def sendmsg(self, target: str, headers: dict[str, str], body: str) -> bool:
        session = self.sessions.get(target)
        if session is None:
            return False
        command = headers.get("call-command", "")
        if command == "execute":
            app = headers.get("execute-app-name", "")
            data = headers.get("execute-app-arg", body)
            session.queue_message(app, data, headers)
        elif command == "hangup":
            session.hangup_from_outside(headers.get("hangup-cause", "NORMAL_CLEARING"))
        return True

    # -- channel apis ------------------------------------------------------------------

    def _uuid(self, args: str) -> tuple[Session | None, list[str]]:
        parts = args.split()
        return (self.sessions.get(parts[0]) if parts else None), parts[1:]

    def _uuid_kill(self, args: str) -> str:
        session, rest = self._uuid(args)
        if session is None:
            return "-ERR No such channel!\n"
        session.hangup_from_outside(rest[0] if rest else "NORMAL_CLEARING")
        return "+OK\n"

    def _hupall(self, args: str) -> str:
        cause = args.split()[0] if args.strip() else "NORMAL_CLEARING"
        for session in list(self.sessions.values()):
            session.hangup_from_outside(cause)
        return f"+OK hangup all channels with cause {cause}\n"

    def _uuid_exists(self, args: str) -> str:
        session, _ = self._uuid(args)
        return "true" if session is not None else "false"

    def _uuid_getvar(self, args: str) -> str:
        session, rest = self._uuid(args)
        if session is None or not rest:
            return "-ERR No such channel!\n"
        return session.channel.variables.get(rest[0], "_undef_")

    def _uuid_setvar(self, args: str) -> str:
        session, rest = self._uuid(args)
        if session is None or not rest:
            return "-ERR No such channel!\n"
        session.channel.variables[rest[0]] = " ".join(rest[1:])
        return "+OK\n"

    def _uuid_transfer(self, args: str) -> str:
        session, rest = self._uuid(args)
        if session is None:
            return "-ERR No such channel!\n"
        if not rest:
            return "-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n"
        session.transfer_from_outside(" ".join(rest))
        return "+OK\n"

    def _show(self, args: str) -> str:
        words = args.split()
        what = words[0] if words else ""
        as_json = words[-2:] == ["as", "json"]
        if what not in ("channels", "calls"):
            return "-USAGE: show channels|calls [count] [as json]\n"
        rows = [self._channel_row(s) for s in self.sessions.values()]
        if what == "calls":
            rows = [r for r in rows if r["uuid"] == r["call_uuid"]]
        if len(words) > 1 and words[1] == "count":
            return f"\n{len(rows)} total.\n"
        if as_json:
            if not rows:
                return '{"row_count": 0}\n'
            return json.dumps({"row_count": len(rows), "rows": rows}, ensure_ascii=False,
                              separators=(",", ":"))
        if not rows:
            return "\n0 total.\n"
        lines = [",".join(rows[0]), *(",".join(r.values()) for r in rows)]
        return "\n".join(lines) + f"\n\n{len(rows)} total.\n"

    def _channel_row(self, session: Session) -> dict[str, str]:
        """A row of the core's `channels` table, the columns `show channels` prints."""
        channel = session.channel
        profile, first = channel.profile, channel.initial_profile or channel.profile
        created = profile.times["Channel-Created-Time"]
        media = channel.has_media
        codec, rate, bits = (str(x) for x in channel.codec) if media else ("", "", "")
        variables = channel.variables
        return {
            "uuid": channel.uuid, "direction": channel.direction,
            "created": datetime.fromtimestamp(created / 1e6).strftime("%Y-%m-%d %H:%M:%S"),
            "created_epoch": str(created // 1_000_000), "name": channel.name,
            "state": channel.running_state, "cid_name": profile.caller_id_name,
            "cid_num": profile.caller_id_number, "ip_addr": first.network_addr,
            "dest": profile.destination_number,
            "application": variables.get("current_application", ""),
            "application_data": variables.get("current_application_data", ""),
            "dialplan": profile.dialplan, "context": profile.context,
            "read_codec": codec, "read_rate": rate, "read_bit_rate": bits,
            "write_codec": codec, "write_rate": rate, "write_bit_rate": bits,
            "secure": "", "hostname": self.hostname, "presence_id": "", "presence_data": "",
            "accountcode": "", "callstate": channel.call_state,
            "callee_name": profile.callee_id_name, "callee_num": profile.callee_id_number,
            "callee_direction": "SEND" if channel.sent_callee[0] else "",
            "call_uuid": variables.get("call_uuid", channel.uuid),
            "sent_callee_name": channel.sent_callee[0],
            "sent_callee_num": channel.sent_callee[1],
            "initial_cid_name": first.caller_id_name, "initial_cid_num": first.caller_id_number,
            "initial_ip_addr": first.network_addr, "initial_dest": first.destination_number,
            "initial_dialplan": first.dialplan, "initial_context": first.context,
        }


__all__ = ["Hangup", "SimSwitch", "Transferred"]
