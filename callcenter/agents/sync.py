"""Make mod_callcenter's agents and tiers equal to the database, idempotently.

`plan()` is pure: what the database wants, what the switch has, and the mod_callcenter
commands (callcenter.switch.api) that close the gap, each with the log line it deserves.
`read_switch()` and `run()` are the I/O, through the switch's typed API. Agents of other domains
are left alone, statuses never touched (they belong to the agents) — except a phone-only
agent's (`agent.phone_status`, `callcenter agent switch-settings`): with no desktop to set it,
the database's is held on the switch, put back at each sync if the switch has another."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from callcenter.switch.api import (
    CcCommand,
    SwitchApi,
    agent_add,
    agent_del,
    agent_set,
    tier_add,
    tier_del,
    tier_set,
)
from db.agents import callcenter_name
from db.models import Agent, Tier, Topic

log = logging.getLogger(__name__)

PARAMS = ("contact", "max_no_answer", "wrap_up_time", "reject_delay_time", "busy_delay_time",
          "no_answer_delay_time", "status")  # status: only a phone-only agent's is wanted


@dataclass(frozen=True)
class SwitchAgent:
    name: str
    # PARAMS, in order, as strings (a wanted agent has `status` only if phone-only: it is set
    # last, once the agent can be rung)
    params: tuple[tuple[str, str], ...]

    def param(self, key: str) -> str:
        return dict(self.params)[key]


Tiers = dict[tuple[str, str], tuple[int, int]]  # (queue, agent) → (level, position)
Wanted = tuple[dict[str, SwitchAgent], Tiers]


def desired(session: Session, domain: str) -> Wanted:
    """Active agents with a phone to ring, and their tiers, as mod_callcenter should have them."""
    agents: dict[str, SwitchAgent] = {}
    tiers: dict[tuple[str, str], tuple[int, int]] = {}
    rows = session.scalars(select(Agent).where(Agent.active).options(
        selectinload(Agent.tiers).selectinload(Tier.topic)))
    for agent in rows:
        contact = agent.dial_string(domain)
        if contact is None:
            continue
        name = callcenter_name(agent, domain)
        agents[name] = SwitchAgent(name, (
            ("contact", contact), ("max_no_answer", str(agent.max_no_answer)),
            ("wrap_up_time", str(agent.wrap_up_time)),
            ("reject_delay_time", str(agent.reject_delay_time)),
            ("busy_delay_time", str(agent.busy_delay_time)),
            ("no_answer_delay_time", str(agent.no_answer_delay_time)),
            *((("status", agent.phone_status),) if agent.phone_status else ())))
        for tier in agent.tiers:
            if tier.topic.active:
                tiers[(tier.topic.queue, name)] = (tier.level, tier.position)
    return agents, tiers


def fingerprint(session: Session) -> tuple[object, ...]:
    """A few aggregates that change whenever an agent, a tier or a topic does: polled every
    few seconds instead of reading every agent (with a thousand agents, building them all in
    Python would hold the event loop for tens of milliseconds each time)."""
    agents = session.execute(select(func.count(Agent.id), func.max(Agent.updated_at))).one()
    tiers = session.execute(select(func.count(Tier.id), func.max(Tier.id),
                                   func.coalesce(func.sum(Tier.level), 0),
                                   func.coalesce(func.sum(Tier.position), 0))).one()
    topics = session.execute(select(func.count(Topic.id), func.max(Topic.updated_at))).one()
    return (*agents, *tiers, *topics)


def plan(want_agents: dict[str, SwitchAgent], want_tiers: dict[tuple[str, str], tuple[int, int]],
         have_agents: dict[str, SwitchAgent], have_tiers: dict[tuple[str, str], tuple[int, int]],
         domain: str) -> list[CcCommand]:
    """The commands that make the switch equal to the database (ours: agents @domain)."""
    ours = f"@{domain}"
    commands: list[CcCommand] = []
    for name, agent in want_agents.items():
        have = have_agents.get(name)
        if have is None:
            commands.append(agent_add(name, f"agent {name}: added"))
        for key, value in agent.params:
            if have is None or have.param(key) != value:
                commands.append(agent_set(key, name, value, f"agent {name}: {key} = {value}"))
    for (queue, name), (level, position) in want_tiers.items():
        tier = have_tiers.get((queue, name))
        if tier is None:
            commands.append(tier_add(queue, name, level, position,
                                     f"tier {queue} {name}: added ({level}/{position})"))
            continue
        if tier[0] != level:
            commands.append(tier_set("level", queue, name, level,
                                     f"tier {queue} {name}: level {tier[0]} → {level}"))
        if tier[1] != position:
            commands.append(tier_set("position", queue, name, position,
                                     f"tier {queue} {name}: position {tier[1]} → {position}"))
    for queue, name in sorted(set(have_tiers) - set(want_tiers)):
        if name.endswith(ours) and name in want_agents:
            commands.append(tier_del(queue, name, f"tier {queue} {name}: removed"))
    for name in sorted(set(have_agents) - set(want_agents)):
        if name.endswith(ours):  # `agent del` takes its tiers with it
            commands.append(agent_del(name, f"agent {name}: removed"))
    return commands


def statuses_set(commands: list[CcCommand]) -> list[tuple[str, str, str]]:
    """The phone-only statuses among the commands: (agent, status, the command's reason)."""
    return [(c.words[3], c.words[4], c.reason) for c in commands
            if c.words[:3] == ("agent", "set", "status")]


def removed(commands: list[CcCommand], done: list[str]) -> list[str]:
    """The agents whose `agent del` the switch took. mod_callcenter sends no event for it
    (mod_callcenter.c, cc_agent_del: two DELETEs and nothing else), so whoever keeps a copy
    of its agents must forget these itself."""
    accepted = set(done)
    return [name for c in commands
            if (name := c.deletes_agent()) is not None and c.reason in accepted]


def read_switch(switch: SwitchApi) -> tuple[dict[str, SwitchAgent],
                                            dict[tuple[str, str], tuple[int, int]]]:
    """mod_callcenter's agents and tiers."""
    agents = {row["name"]: SwitchAgent(row["name"], tuple(
        (key, str(row.get(key) or "")) for key in PARAMS)) for row in switch.agent_list()}
    tiers = {(row["queue"], row["agent"]): (int(row.get("level") or 1),
                                            int(row.get("position") or 1))
             for row in switch.tier_list()}
    return agents, tiers


def run(commands: list[CcCommand], switch: SwitchApi) -> list[str]:
    """Send the commands; returns the log lines of those that FreeSWITCH accepted."""
    done = []
    for command in commands:
        reply = switch.callcenter(command)
        if reply.startswith("+OK"):
            log.info("mod_callcenter: %s", command.reason)
            done.append(command.reason)
        else:
            log.error("mod_callcenter refused %s: %s", command.arguments, reply.strip())
    return done


def synchronise(session: Session, switch: SwitchApi, domain: str) -> list[str]:
    """Read both sides, plan, run: one call does the whole job (at start and on change)."""
    want_agents, want_tiers = desired(session, domain)
    have_agents, have_tiers = read_switch(switch)
    return run(plan(want_agents, want_tiers, have_agents, have_tiers, domain), switch)
