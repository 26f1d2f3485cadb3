"""A lead's listen, whisper and barge on an agent's live call, from the lead's own phone.

The switch rings the lead's phone and, once answered, eavesdrops on the agent's leg
(`originate {…}<lead's phone> &eavesdrop(<agent leg>)`, the `lead_transfer_callback`
capture). How the lead's voice is mixed on that leg (switch_ivr_async.c eavesdrop_callback):
into what the agent's phone sends (READ: the caller hears it) and into what is written to the
agent's phone (WRITE: the agent hears it). So:
- listen: neither; whisper (the agent alone hears the lead): WRITE; barge: both.
At the start the mode is the leg's variables eavesdrop_whisper_aleg (READ) and
eavesdrop_whisper_bleg (WRITE) (mod_dptools.c eavesdrop_function); while it runs, a DTMF on the
lead's leg changes it — 0 listen, 1 READ, 2 WRITE, 3 both, * ends (switch_ivr_async.c
switch_ivr_eavesdrop_session) — sent from the desktop as `uuid_recv_dtmf` (mod_commands.c
uuid_recv_dtmf_function), or pressed on the lead's own phone. Every act is audited."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

import gevent

from callcenter.hub import lead_store
from callcenter.hub.desk import AgentDesk
from callcenter.hub.lead import LeadDesk
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.hub.views import current_call
from callcenter.state.effects import Effect, SupervisionEnded
from callcenter.switch.errors import CommandError, SwitchError
from protocol.errors import ErrorCode

log = logging.getLogger(__name__)
MODE_VARIABLES = {"listen": {}, "whisper": {"eavesdrop_whisper_bleg": "true"},
                  "barge": {"eavesdrop_whisper_aleg": "true", "eavesdrop_whisper_bleg": "true"}}
MODE_DIGITS = {"listen": "0", "whisper": "2", "barge": "3"}
RING_SECONDS = 30  # the lead's phone rings this long (originate_timeout)


class Supervision:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk,
                 lead: LeadDesk) -> None:
        self.hub, self.backend, self.desk, self.lead = hub, backend, desk, lead
        hub.handlers.update({"lead_supervise": self.supervise,
                             "lead_supervise_end": self.end})

    @property
    def active(self) -> dict[str, dict[str, Any]]:
        """Lead username → their listening (what their board shows)."""
        return self.lead.supervision

    def supervise(self, client: Client, request: Any) -> dict[str, Any]:
        session = self.lead.lead_session(client)
        person = self.lead.person_in_scope(session, request.agent)
        mine = self.active.get(session.username)
        if mine is not None and mine["agent"] == person.username:
            return self._change_mode(client, mine, request.mode)
        if mine is not None:
            raise Denied(ErrorCode.CONFLICT, f"you are listening to {mine['agent']}; end that "
                                             "first")
        call = current_call(self.backend.state, self.desk.agent_name(person.username))
        if call is None or not call.agent_leg:
            raise Denied(ErrorCode.CONFLICT, f"{person.full_name} is not on a call now")
        phone = self.hub.db(lead_store.lead_phone, session.agent_id, self.desk.domain)
        if not phone:
            raise Denied(ErrorCode.INVALID, "your account has no phone to ring (an extension "
                                            "or a contact): ask an admin")
        token = secrets.token_hex(8)
        variables = {"origination_caller_id_number": "1022",
                     "origination_caller_id_name": f"Giam sat {person.username}",
                     "originate_timeout": str(RING_SECONDS), "hotline_supervise": token,
                     **MODE_VARIABLES[request.mode]}
        try:
            job = self.backend.switch.eavesdrop(phone, variables, call.agent_leg)
        except SwitchError as exc:
            raise Denied(ErrorCode.SWITCH, f"the switch did not answer: {exc}") from None
        listening = {"agent": person.username, "full_name": person.full_name,
                     "call_uuid": call.uuid, "mode": request.mode, "state": "ringing",
                     "token": token, "leg_uuid": None,
                     "started_at": datetime.now(UTC).isoformat()}
        self.active[session.username] = listening
        self.lead.push_supervision(session.username)
        gevent.spawn(self._watch, session.username, token, job)
        self.hub.audit(client, f"lead.{request.mode}", person.username, call=call.uuid,
                       agent_leg=call.agent_leg, phone=phone)
        return {"token": token}

    def _change_mode(self, client: Client, mine: dict[str, Any], mode: str) -> dict[str, Any]:
        if mine["leg_uuid"] is None:
            raise Denied(ErrorCode.CONFLICT, "your phone has not answered yet")
        if mine["mode"] == mode:
            return {"token": mine["token"]}
        try:
            reply = self.backend.switch.receive_dtmf(mine["leg_uuid"], MODE_DIGITS[mode])
        except SwitchError as exc:
            raise Denied(ErrorCode.SWITCH, f"the switch did not answer: {exc}") from None
        if not reply.startswith("+OK"):
            raise Denied(ErrorCode.SWITCH, f"the switch refused: {reply.strip()}")
        mine["mode"] = mode
        self.lead.push_supervision(_username(client))
        self.hub.audit(client, f"lead.{mode}", mine["agent"], call=mine["call_uuid"],
                       changed=True)
        return {"token": mine["token"]}

    def _watch(self, lead: str, token: str, job: Any) -> None:
        """originate's answer: +OK <the lead's leg> once the lead's phone answered."""
        try:
            words = job.get(timeout=RING_SECONDS + 15).split()
        except CommandError as exc:
            log.info("hub: %s's phone did not take the supervision: %s", lead, exc)
            self._ended(token)
            return
        except SwitchError:
            self._ended(token)
            return
        mine = self.active.get(lead)
        if mine is not None and mine["token"] == token and len(words) > 1:
            mine["leg_uuid"], mine["state"] = words[1], "connected"
            self.lead.push_supervision(lead)

    def end(self, client: Client, request: Any) -> dict[str, Any]:
        session = self.lead.lead_session(client)
        mine = self.active.get(session.username)
        if mine is None:
            return {}
        if mine["leg_uuid"]:
            try:
                self.backend.switch.hangup(mine["leg_uuid"])
            except SwitchError as exc:
                raise Denied(ErrorCode.SWITCH, f"the switch did not answer: {exc}") from None
        self._ended(mine["token"])
        self.hub.audit(client, "lead.supervise_end", mine["agent"], call=mine["call_uuid"])
        return {}

    def on_effect(self, effect: Effect) -> None:
        if isinstance(effect, SupervisionEnded):
            self._ended(effect.token)

    def _ended(self, token: str) -> None:
        for lead, mine in list(self.active.items()):
            if mine["token"] == token:
                del self.active[lead]
                self.lead.push_supervision(lead)


def _username(client: Client) -> str:
    return client.session.username if client.session else ""
