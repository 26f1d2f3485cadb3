"""Acting on calls from the desktop: hang up, hold, transfer (a queue, 115, a number), and
the lead's view of the agents. Each one is an api command to the switch; the
switch's refusal comes back to the desktop as an error with FreeSWITCH's own words."""

from __future__ import annotations

import re
from typing import Any

from callcenter.hub.desk import AgentDesk, _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService, switch_reply
from callcenter.switch.api import to_bridge, to_extension, via_gateway
from db.models import Agent
from protocol.errors import ErrorCode
from rules.phone import national_digits

NUMBER = re.compile(r"\+?[0-9]{3,15}")  # fullmatch: nothing else (no space, no newline)


class CallControl:
    def __init__(self, hub: HubService, backend: Backend, desk: AgentDesk) -> None:
        self.hub, self.backend, self.desk = hub, backend, desk
        hub.handlers.update({
            "call_hangup": self.hangup, "call_hold": self.hold, "call_transfer": self.transfer,
            "agents_overview": self.overview})

    def hangup(self, client: Client, request: Any) -> dict[str, Any]:
        call = self.desk.call_of(_session(client), request.call_uuid, dialled_too=True)
        switch_reply(lambda: self.backend.switch.hangup(call.uuid))
        return {}

    def hold(self, client: Client, request: Any) -> dict[str, Any]:
        """The caller hears the hold music: FreeSWITCH holds the media of the leg it is
        given and plays the music to that leg's partner (switch_ivr.c switch_ivr_hold;
        captures hotline_hold_caller_leg / hotline_hold_agent_leg), so the agent's leg is
        the one held."""
        call = self.desk.call_of(_session(client), request.call_uuid)
        live = self.backend.state.calls.get(call.uuid)
        if live is None or not live.agent_leg:
            raise Denied(ErrorCode.CONFLICT, "the call is not bridged to your phone (yet)")
        leg = live.agent_leg
        switch_reply(lambda: self.backend.switch.hold(leg, request.hold))
        return {}

    def transfer(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        call = self.desk.call_of(session, request.call_uuid)
        if request.to == "queue":
            if request.target not in self.desk.topics():
                raise Denied(ErrorCode.INVALID, f"no topic {request.target!r}",
                             [("target", "unknown")])
            destination = to_extension(f"hotline_queue_{request.target}", "hotline")
        elif request.to == "emergency":
            destination = to_extension("hotline_emergency", "hotline")
        else:
            if not NUMBER.fullmatch(request.target):
                raise Denied(ErrorCode.INVALID, "a number has 3 to 15 digits",
                             [("target", "not a phone number")])
            gateway = self.backend.settings.trunk.name
            destination = to_bridge(via_gateway(gateway, national_digits(request.target)))
        switch_reply(lambda: self.backend.switch.transfer(call.uuid, destination))
        self.hub.audit(client, "call.transfer", call.uuid, to=request.to,
                       destination=request.target or None, topic=call.topic)
        return {}

    def overview(self, client: Client, request: Any) -> dict[str, Any]:
        session = _session(client)
        if not session.is_lead:
            raise Denied(ErrorCode.FORBIDDEN, "only team leads see the other agents")
        if session.role != "admin" and session.agency_id is None:
            raise Denied(ErrorCode.FORBIDDEN,
                         "a lead sees the agents of their agency, and you have none")
        rows = self.hub.db(_agency_agents, None if session.role == "admin"
                           else session.agency_id)
        agents = []
        for row in rows:
            live = self.backend.state.agents.get(self.desk.agent_name(row["username"]))
            agents.append({**row, "status": live.status if live else "Logged Out",
                           "state": live.state if live else None,
                           "since_us": live.since_us if live else None,
                           "calls_answered": live.calls_answered if live else 0,
                           "acw_seconds": self.desk.acw.seconds_in(row["username"])})
        self.hub.audit(client, "agents.read", str(session.agency_id))
        return {"agents": agents}


def _agency_agents(db: Any, agency_id: int | None) -> list[dict[str, Any]]:
    from sqlalchemy import select

    query = select(Agent).where(Agent.active).order_by(Agent.username)
    if agency_id is not None:
        query = query.where(Agent.agency_id == agency_id)
    return [{"username": a.username, "full_name": a.full_name, "role": a.role}
            for a in db.scalars(query)]
