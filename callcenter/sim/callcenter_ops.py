"""mod_callcenter's table helpers (`cc_agent_*`, `cc_tier_*`, `load_*`), with their events.

Line-by-line from mod_callcenter.c. `callcenter_config` (callcenter_api.py) is a thin text layer
over these; the dispatcher can call them too (e.g. `agent_update("state", "Receiving", ...)`),
so its events come out exactly as FreeSWITCH's do. Events go to `emit` as the CC-* headers in the
order the C code adds them; a header with an empty value is dropped, as
`switch_event_add_header_string` drops it. Side effects outside the tables (hanging up a ringing
callback offer) go to `hangup_matching(variable, value, cause)`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, auto

from callcenter.sim.callcenter_model import (
    AGENT_STATES,
    AGENT_STATUSES,
    AGENT_TYPES,
    INSTANCE_ID,
    TIER_STATES,
    Agent,
    CallcenterModel,
    Tier,
    c_atoi,
    chart_name,
    same_text,
)

Emit = Callable[[list[tuple[str, str]]], None]
HangupMatching = Callable[[str, str, str], None]  # (variable, value, cause)


class CC(Enum):
    """`cc_status_t`."""

    SUCCESS = auto()
    AGENT_NOT_FOUND = auto()
    QUEUE_NOT_FOUND = auto()
    AGENT_ALREADY_EXIST = auto()
    AGENT_INVALID_TYPE = auto()
    AGENT_INVALID_STATUS = auto()
    AGENT_INVALID_STATE = auto()
    TIER_ALREADY_EXIST = auto()
    TIER_NOT_FOUND = auto()
    TIER_INVALID_STATE = auto()
    INVALID_KEY = auto()


_INT_KEYS = ("ready_time", "busy_delay_time", "reject_delay_time", "no_answer_delay_time",
             "max_no_answer", "wrap_up_time")


def cut(value: str, size: int) -> str:
    """What fits a C buffer of `size` bytes with its NUL."""
    return value.encode()[:size - 1].decode(errors="ignore")


class CallcenterOps:
    """The helpers of mod_callcenter.c over a CallcenterModel."""

    def __init__(self, model: CallcenterModel, emit: Emit | None = None,
                 hangup_matching: HangupMatching | None = None) -> None:
        self.model = model
        self._emit_cb = emit
        self._hangup = hangup_matching

    def _emit(self, headers: list[tuple[str, str]]) -> None:
        if self._emit_cb is not None:
            self._emit_cb([(name, value) for name, value in headers if value])

    # -- module load (`load_config`) ---------------------------------------------------------
    def startup(self, now: float) -> None:
        """Loading mod_callcenter: reset this box's rows, load queues, then XML agents/tiers."""
        m = self.model
        for agent in m.agents:
            if agent.instance_id == INSTANCE_ID:
                agent.state, agent.uuid, agent.external_calls_count = "Waiting", "", 0
                for tier in m.tiers:
                    if tier.agent == agent.name:
                        tier.state = "Ready"
        for member in m.members:
            if member.instance_id == m.settings.cc_instance_id:
                member.state, member.session_uuid = "Abandoned", ""
        if m.settings.truncate_tiers_on_load:
            m.tiers.clear()
        if m.settings.truncate_agents_on_load:
            m.agents.clear()
        for queue in m.config.queues:
            m.load_queue(queue.name)
        for attrs in m.config.agents or []:
            if "name" in attrs:
                self.load_agent(attrs["name"], now)
        self.load_tiers(True, None, None)

    def queue_agents(self, queue: str, filters: list[str] | None = None) -> list[Agent]:
        """`SELECT agents.* FROM agents,tiers WHERE ...`: SQLite scans tiers first, but agents
        first once a status filter is added (EXPLAIN QUERY PLAN on SQLite 3.40)."""
        status, state = [*(filters or []), None, None][:2]
        tiers = [t for t in self.model.tiers if t.queue == queue]

        def keep(a: Agent) -> bool:
            return (status is None or a.status == status) and (state is None or a.state == state)

        if status is None:
            return [a for t in tiers for a in self.model.agents if a.name == t.agent]
        return [a for a in self.model.agents if keep(a) for t in tiers if t.agent == a.name]

    # -- cc_agent_* / cc_tier_* -----------------------------------------------------------------
    def agent_add(self, name: str, agent_type: str) -> CC:
        """`cc_agent_add`: Logged Out / Waiting, type kept as typed; fires agent-add."""
        if chart_name(AGENT_TYPES, agent_type) is None:
            return CC.AGENT_INVALID_TYPE
        if self.model.agent(name) is not None:
            return CC.AGENT_ALREADY_EXIST
        self.model.agents.append(Agent(name=name, type=agent_type))
        self._emit([("CC-Agent", name), ("CC-Agent-Type", agent_type), ("CC-Action", "agent-add")])
        return CC.SUCCESS

    def agent_get(self, key: str, name: str) -> tuple[CC, str]:
        """`cc_agent_get` of status/state/uuid (NULL reads as ""); fires agent-<key>-get with
        the key as typed (`agent get STATUS` gives CC-Agent-STATUS)."""
        agent = self.model.agent(name)
        if agent is None:
            return CC.AGENT_NOT_FOUND, ""
        if key.lower() not in ("status", "state", "uuid"):
            return CC.INVALID_KEY, ""
        value = cut(getattr(agent, key.lower()) or "", 256)
        header = "CC-Agent-UUID" if key.lower() == "uuid" else f"CC-Agent-{key[0].upper()}{key[1:]}"
        self._emit([("CC-Agent", name), ("CC-Action", f"agent-{key}-get"), (header, value)])
        return CC.SUCCESS, value

    def agent_update(self, key: str, value: str, name: str, now: float) -> CC:
        """`cc_agent_update`; `now` is the whole-second `local_epoch_time_now`.

        Values are stored as given (a status is only checked case-insensitively). Setting
        `Available` when the status text differs zeroes talk_time/calls_answered/
        no_answer_count; any other status hangs up a ringing callback offer. Fires
        agent-status-change, agent-state-change (also for state_if_waiting) and
        agent-contact-change.
        """
        agent = self.model.agent(name)
        if agent is None:
            return CC.AGENT_NOT_FOUND
        k, t = key.lower(), int(now)
        if k == "status":
            status = chart_name(AGENT_STATUSES, value)
            if status is None:
                return CC.AGENT_INVALID_STATUS
            if status != "Available":
                agent.status, agent.last_status_change = value, t
                self._hangup_offer(name)
            elif agent.status is not None and agent.status != value:  # `AND NOT status = value`
                agent.status, agent.last_status_change = value, t
                agent.talk_time = agent.calls_answered = agent.no_answer_count = 0
            self._emit([("CC-Agent", name), ("CC-Action", "agent-status-change"),
                        ("CC-Agent-Status", value)])
        elif k in ("state", "state_if_waiting"):
            state = chart_name(AGENT_STATES, value)
            if state is None:
                return CC.AGENT_INVALID_STATE
            if k == "state_if_waiting":
                if agent.state != "Waiting" or agent.status not in (
                        "Available", "Available (On Demand)"):
                    return CC.AGENT_NOT_FOUND
            elif state == "Receiving":
                agent.last_offered_call = t
            agent.state = value
            self._emit([("CC-Agent", name), ("CC-Action", "agent-state-change"),
                        ("CC-Agent-State", value)])
        elif k in ("uuid", "contact"):
            setattr(agent, k, value)
            agent.instance_id = INSTANCE_ID
            if k == "contact":
                self._emit([("CC-Agent", name), ("CC-Action", "agent-contact-change"),
                            ("CC-Agent-Contact", value)])
        elif k in _INT_KEYS:
            setattr(agent, k, c_atoi(value))
            agent.instance_id = INSTANCE_ID
        elif k == "type":
            if chart_name(AGENT_TYPES, value) is None:
                return CC.AGENT_INVALID_TYPE
            agent.type = value
        else:
            return CC.INVALID_KEY
        return CC.SUCCESS

    def _hangup_offer(self, name: str) -> None:
        """A status other than Available hangs up a callback offer still ringing that agent."""
        ringing = next((x for x in self.model.members if x.serving_agent == name
                        and x.serving_system == INSTANCE_ID and x.state != "Answered"), None)
        if ringing is not None and ringing.uuid and self._hangup is not None:
            self._hangup("cc_member_pre_answer_uuid", ringing.uuid, "ORIGINATOR_CANCEL")

    def tier_add(self, queue: str, agent: str, state: str, level: int, position: int) -> CC:
        """`cc_tier_add`; the queue lookup may load it from the XML (`get_queue`)."""
        m = self.model
        if m.get_queue(queue) is None:
            return CC.QUEUE_NOT_FOUND
        if chart_name(TIER_STATES, state) is None:
            return CC.TIER_INVALID_STATE
        if m.agent(agent) is None:
            return CC.AGENT_NOT_FOUND
        if m.tier(queue, agent) is not None:
            return CC.TIER_ALREADY_EXIST
        m.tiers.append(Tier(queue=queue, agent=agent, state=state, level=level, position=position))
        return CC.SUCCESS

    def tier_update(self, key: str, value: str, queue: str, agent: str) -> CC:
        """`cc_tier_update`: checks tier, then agent, then queue, then the key."""
        m = self.model
        tier = m.tier(queue, agent)
        if tier is None:
            return CC.TIER_NOT_FOUND
        if m.agent(agent) is None:
            return CC.AGENT_NOT_FOUND
        if m.get_queue(queue) is None:
            return CC.QUEUE_NOT_FOUND
        k = key.lower()
        if k == "state":
            if chart_name(TIER_STATES, value) is None:
                return CC.TIER_INVALID_STATE
            tier.state = value
        elif k in ("level", "position"):
            setattr(tier, k, c_atoi(value))
        else:
            return CC.INVALID_KEY
        return CC.SUCCESS

    # -- load_agent / load_tiers / load_queue ---------------------------------------------------
    def load_agent(self, name: str, now: float) -> None:
        """`load_agent`: (re)write an XML agent through agent_add/agent_update (with events)."""
        attrs = next((a for a in self.model.config.agents or []
                      if same_text(a.get("name"), name)), None)
        if attrs is None or attrs.get("type") is None:
            return
        added = self.agent_add(name, attrs["type"])
        if added not in (CC.SUCCESS, CC.AGENT_ALREADY_EXIST):
            return
        for attr, key in (("contact", "contact"), ("status", "status"),
                          ("wrap-up-time", "wrap_up_time"), ("max-no-answer", "max_no_answer"),
                          ("reject-delay-time", "reject_delay_time"),
                          ("busy-delay-time", "busy_delay_time"),
                          ("no-answer-delay-time", "no_answer_delay_time")):
            if attr in attrs:
                self.agent_update(key, attrs[attr], name, now)
        if added is CC.AGENT_ALREADY_EXIST:
            self.agent_update("type", attrs["type"], name, now)

    def load_tiers(self, load_all: bool, queue: str | None, agent: str | None) -> bool:
        """`load_tiers`: True only when at least one XML tier matched."""
        loaded = False
        for attrs in self.model.config.tiers or []:
            t_queue, t_agent = attrs.get("queue"), attrs.get("agent")
            if t_queue is None or t_agent is None:
                continue
            if (load_all or (agent and queue and same_text(t_agent, agent)
                             and same_text(t_queue, queue))
                    or (not agent and queue is not None and same_text(t_queue, queue))
                    or (not queue and agent is not None and same_text(t_agent, agent))):
                self._load_tier(t_queue, t_agent, attrs.get("level"), attrs.get("position"))
                loaded = True
        return loaded

    def _load_tier(self, queue: str, agent: str, level: str | None, position: str | None) -> None:
        """`load_tier`: add as Ready, or only reset level/position of an existing tier."""
        if self.tier_update("unknown", "unknown", queue, agent) is CC.TIER_NOT_FOUND:
            self.tier_add(queue, agent, "Ready", c_atoi(level) if level else 1,
                           c_atoi(position) if position else 1)
        else:
            self.tier_update("level", level or "1", queue, agent)
            self.tier_update("position", position or "1", queue, agent)

    def load_queue(self, name: str, now: float) -> bool:
        """`load_queue(name, TRUE, TRUE)`: the queue, then every XML agent and every XML tier."""
        if self.model.load_queue(name) is None:
            return False
        for attrs in self.model.config.agents or []:
            if "name" in attrs:
                self.load_agent(attrs["name"], now)
        if self.model.config.tiers is not None:
            self.load_tiers(True, name, None)
        return True
