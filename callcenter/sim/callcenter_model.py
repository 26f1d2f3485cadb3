"""mod_callcenter's state, I/O-free: queues in memory, the agents/tiers/members tables as rows.

Everything here follows `src/mod/applications/mod_callcenter/mod_callcenter.c` (FreeSWITCH 1.10
line): the `*_CHART` strings, `queue_set_config` defaults, the `agents_sql`/`tiers_sql`/
`members_sql` columns (same names, same order, since `agent list` prints `SELECT *`), and the
dispatcher's SQL in `members_callback`/`agents_callback` for `offer_order`/`member_order`.
Rows stay in insertion order because SQLite returns a table scan in rowid order.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from callcenter.sim.switch_hash import SwitchHash

INSTANCE_ID = "single_box"  # agents always use this literal; members use cc-instance-id

AGENT_STATUSES = ("Logged Out", "Available", "Available (On Demand)", "On Break")
AGENT_STATES = ("Waiting", "Receiving", "In a queue call", "Idle", "Reserved")
TIER_STATES = ("No Answer", "Ready", "Offering", "Active Inbound", "Standby")
MEMBER_STATES = ("Waiting", "Trying", "Answered", "Abandoned")
CANCEL_REASONS = ("NONE", "TIMEOUT", "NO_AGENT_TIMEOUT", "BREAK_OUT", "EXIT_WITH_KEY")
AGENT_TYPES = ("Callback", "uuid-standby")  # CC_AGENT_TYPE_*, compared case-insensitively
STRATEGIES = (
    "ring-all", "longest-idle-agent", "round-robin", "top-down", "agent-with-least-talk-time",
    "agent-with-fewest-calls", "sequentially-by-agent-order", "random", "ring-progressively",
)
# agents_callback's SQL: `agents.status = '...'` for these three, exact case.
DISPATCH_STATUSES = ("Available", "On Break", "Available (On Demand)")


def chart_name(chart: tuple[str, ...], text: str) -> str | None:
    """`cc_*_str2*`: a case-insensitive lookup; None stands for the chart's invalid `Unknown`."""
    for name in chart:
        if name.lower() == text.lower():
            return name
    return None


def same_text(a: str | None, b: str) -> bool:
    """C `strcasecmp(a, b) == 0` (ASCII folding), for the checks mod_callcenter does in C."""
    return a is not None and a.lower() == b.lower()


@dataclass
class Settings:
    """`<settings>` of callcenter.conf.xml (`load_config`), with the module's defaults."""

    debug: int = 0
    dbname: str = "callcenter"
    odbc_dsn: str | None = None
    reserve_agents: bool = False
    truncate_tiers_on_load: bool = False
    truncate_agents_on_load: bool = False
    global_database_lock: bool = True
    cc_instance_id: str = INSTANCE_ID
    agent_originate_timeout: int = 60


@dataclass
class Queue:
    """`struct cc_queue`: the parameters of `queue_set_config` with their defaults."""

    name: str
    strategy: str = "longest-idle-agent"
    moh_sound: str | None = None
    announce_sound: str | None = None
    announce_frequency: int = 0
    record_template: str | None = None
    time_base_score: str = "queue"
    ring_progressively_delay: int = 0  # 0 means 10 s in members_callback
    tier_rules_apply: bool = False
    tier_rule_wait_second: int = 0
    tier_rule_wait_multiply_level: bool = False
    tier_rule_no_agent_no_wait: bool = True
    discard_abandoned_after: int = 60
    abandoned_resume_allowed: bool = False
    max_wait_time: int = 0
    max_wait_time_with_no_agent: int = 0
    max_wait_time_with_no_agent_time_reached: int = 5
    agent_no_answer_status: str = "On Break"
    skip_agents_with_external_calls: bool = True
    # Runtime fields of the struct, reset on every load.
    calls_answered: int = 0
    calls_abandoned: int = 0
    last_agent_exist: int = 0
    last_agent_exist_check: int = 0


@dataclass
class Agent:
    """A row of `agents` (`agents_sql`); None is SQL NULL (uuid/contact after `agent add`)."""

    name: str
    instance_id: str | None = INSTANCE_ID
    uuid: str | None = None
    type: str | None = None
    contact: str | None = None
    status: str | None = "Logged Out"
    state: str | None = "Waiting"
    max_no_answer: int = 0
    wrap_up_time: int = 0
    reject_delay_time: int = 0
    busy_delay_time: int = 0
    no_answer_delay_time: int = 0
    last_bridge_start: int = 0
    last_bridge_end: int = 0
    last_offered_call: int = 0
    last_status_change: int = 0
    no_answer_count: int = 0
    calls_answered: int = 0
    talk_time: int = 0
    ready_time: int = 0
    external_calls_count: int = 0


@dataclass
class Tier:
    """A row of `tiers` (`tiers_sql`)."""

    queue: str
    agent: str
    state: str = "Ready"
    level: int = 1
    position: int = 1


@dataclass
class Member:
    """A row of `members` (`members_sql`), as `callcenter_function` inserts it."""

    queue: str
    instance_id: str = INSTANCE_ID
    uuid: str = ""
    session_uuid: str = ""
    cid_number: str | None = ""
    cid_name: str | None = ""
    system_epoch: int = 0
    joined_epoch: int = 0
    rejoined_epoch: int = 0
    bridge_epoch: int = 0
    abandoned_epoch: int = 0
    base_score: int = 0
    skill_score: int = 0
    serving_agent: str | None = ""
    serving_system: str | None = ""
    state: str = "Waiting"


def columns(row: Agent | Tier | Member) -> list[tuple[str, str | int | None]]:
    """(column, value) in table order: what `SELECT *` hands to the list callbacks."""
    return [(f.name, getattr(row, f.name)) for f in dataclasses.fields(row)]


@dataclass
class CallcenterConf:
    """A parsed callcenter.conf.xml: what `switch_xml_open_cfg` gives mod_callcenter."""

    settings: Settings = field(default_factory=Settings)
    queues: list[Queue] = field(default_factory=list)  # templates, in XML order
    agents: list[dict[str, str]] | None = None  # None: no <agents> element at all
    tiers: list[dict[str, str]] | None = None  # None: no <tiers> element at all

    def find_queue(self, name: str) -> Queue | None:
        """`switch_xml_find_child(x_queues, "queue", "name", name)`: first, case-insensitive."""
        return next((q for q in self.queues if same_text(q.name, name)), None)


@dataclass
class CallcenterModel:
    """The module's whole state: the queue hash and the three tables (rowid order)."""

    config: CallcenterConf = field(default_factory=CallcenterConf)
    queues: SwitchHash[Queue] = field(default_factory=SwitchHash)
    agents: list[Agent] = field(default_factory=list)
    tiers: list[Tier] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def agent(self, name: str) -> Agent | None:
        """`WHERE name = '%q'`: exact (SQLite compares case-sensitively)."""
        return next((a for a in self.agents if a.name == name), None)

    def tier(self, queue: str, agent: str) -> Tier | None:
        return next((t for t in self.tiers if t.queue == queue and t.agent == agent), None)

    def load_queue(self, name: str) -> Queue | None:
        """`load_queue`: a fresh copy of the XML queue under the requested name, into the hash.

        An invalid agent-no-answer-status becomes `On Break`, as the source does after parsing.
        """
        template = self.config.find_queue(name)
        if template is None:
            return None
        queue = dataclasses.replace(template, name=name, calls_answered=0, calls_abandoned=0,
                                    last_agent_exist=0, last_agent_exist_check=0)
        if chart_name(AGENT_STATUSES, queue.agent_no_answer_status) is None:
            queue.agent_no_answer_status = "On Break"
        self.queues.insert(name, queue)
        return queue

    def get_queue(self, name: str) -> Queue | None:
        """`get_queue`: the loaded queue, else lazily loaded from the XML."""
        return self.queues.find(name) or self.load_queue(name)

    def peek_queue(self, name: str) -> Queue | None:
        """Like `get_queue` but without loading it: for read-only questions."""
        return self.queues.find(name) or self.config.find_queue(name)


def member_score(member: Member, now: float) -> int:
    """`(now - joined_epoch) + base_score + skill_score`, now in whole seconds as in the SQL."""
    return int(now) - member.joined_epoch + member.base_score + member.skill_score


def member_base_score(queue: Queue, now: float, answered_epoch: int,
                      cc_base_score: str | None = None) -> int:
    """The base_score `callcenter_function` stores when a caller joins.

    `atoi(cc_base_score)`, plus, with time-base-score `system`, the seconds since the channel was
    answered (`system_epoch`), so time spent in the IVR counts; with `queue` it does not.
    """
    score = c_atoi(cc_base_score) if cc_base_score is not None else 0
    if same_text(queue.time_base_score, "system"):
        score += int(now) - answered_epoch
    return score


def member_order(model: CallcenterModel, queue_name: str | None, now: float) -> list[Member]:
    """Members the dispatcher tries to serve, best score first (`cc_agent_dispatch_thread_run`).

    The SQL also returns `Abandoned` rows, but `members_callback` only garbage-collects them (see
    `members_to_discard`), so they are left out here. `Trying` members stay in only for ring-all
    and ring-progressively (whose serving_agent is the strategy name). Ties keep rowid order.
    """
    ringing = ("ring-all", "ring-progressively")
    rows = [
        m for m in model.members
        if m.instance_id == model.settings.cc_instance_id
        and (queue_name is None or m.queue == queue_name)
        and (m.state == "Waiting" or (m.state == "Trying" and m.serving_agent in ringing))
    ]
    return sorted(rows, key=lambda m: -member_score(m, now))


def members_to_discard(model: CallcenterModel, now: float) -> list[Member]:
    """Rows `members_callback` deletes: queue not found, or abandoned longer than allowed."""
    out = []
    for m in model.members:
        queue = model.peek_queue(m.queue)
        if queue is None:
            out.append(m)
        elif m.state == "Abandoned":
            since = m.abandoned_epoch or m.joined_epoch
            if since + queue.discard_abandoned_after < int(now):
                out.append(m)
    return out


def _dispatch_rows(model: CallcenterModel, queue_name: str,
                   with_status: bool = True) -> list[tuple[Agent, Tier]]:
    """`agents LEFT JOIN tiers ... WHERE tiers.queue = q AND agents.status IN (...)`.

    SQLite scans `tiers` and looks agents up by name, so rows come in tier rowid order (checked
    with EXPLAIN QUERY PLAN on SQLite 3.40); a stable sort then keeps that order for ties.
    """
    by_name: dict[str, list[Agent]] = {}  # agents in rowid order, looked up by name
    for agent in model.agents:
        if not with_status or agent.status in DISPATCH_STATUSES:
            by_name.setdefault(agent.name, []).append(agent)
    return [(agent, tier) for tier in model.tiers if tier.queue == queue_name
            for agent in by_name.get(tier.agent, ())]


def _union_key(row: tuple[Agent, Tier], dyn_order: int) -> tuple:
    """ORDER BY dyn_order, level, position, last_offered_call; UNION breaks ties on the other
    selected columns, instance_id then name first (what SQLite's compound ORDER BY does)."""
    agent, tier = row
    return (dyn_order, tier.level, tier.position, agent.last_offered_call,
            agent.instance_id or "", agent.name)


def _ordered_rows(model: CallcenterModel, queue: Queue, rng: random.Random | None,
                  last_tier_level: int, last_tier_position: int) -> list[tuple[Agent, Tier]]:
    """The row order of the strategy's SQL in `members_callback`."""
    rows = _dispatch_rows(model, queue.name)
    strategy = queue.strategy.lower()
    if strategy in ("top-down", "round-robin"):
        if strategy == "top-down":  # the member's cc_last_agent_tier_* channel variables
            level, position = last_tier_level, last_tier_position
            first = [r for r in rows if r[1].position > position and r[1].level == level]
            second = [r for r in rows if r[1].level > level]
        else:
            # Position/level of the queue's most recently offered agent (any status); with no
            # offer yet the subquery is NULL and the first part is empty.
            offered = [r for r in _dispatch_rows(model, queue.name, with_status=False)
                       if r[0].last_offered_call > 0]
            last = max(offered, key=lambda r: r[0].last_offered_call, default=None)
            first = [] if last is None else [
                r for r in rows if r[1].position > last[1].position and r[1].level == last[1].level]
            second = rows
        keyed = [(_union_key(r, 1), r) for r in first] + [(_union_key(r, 2), r) for r in second]
        return [r for _k, r in sorted(keyed, key=lambda kr: kr[0])]
    if strategy == "longest-idle-agent":
        return sorted(rows, key=lambda r: (r[1].level, r[0].last_bridge_end, r[1].position))
    if strategy == "agent-with-least-talk-time":
        return sorted(rows, key=lambda r: (r[1].level, r[0].talk_time, r[1].position))
    if strategy == "agent-with-fewest-calls":
        return sorted(rows, key=lambda r: (r[1].level, r[0].calls_answered, r[1].position))
    if strategy in ("ring-all", "ring-progressively"):
        return sorted(rows, key=lambda r: (r[1].level, r[1].position))
    if strategy == "random":
        if rng is None:
            raise ValueError("the random strategy needs an rng")
        keys = {id(r): rng.random() for r in rows}
        return sorted(rows, key=lambda r: (r[1].level, keys[id(r)]))
    # sequentially-by-agent-order, and the fallback for an unknown strategy.
    return sorted(rows, key=lambda r: (r[1].level, r[1].position, r[0].last_offered_call))


def offer_order(model: CallcenterModel, queue_name: str, now: float,
                rng: random.Random | None = None, *, member_joined_epoch: int | None = None,
                last_tier_level: int = 0, last_tier_position: int = 0,
                limit: int | None = None) -> list[Agent]:
    """Agents that may be offered a call of this queue now, in the order they would be tried
    (the first `limit` of them: the dispatcher needs one, except for ring-all).

    Follows `members_callback` (the per-strategy SQL) and `agents_callback` (the checks):
    * rows: a tier in the queue and status exactly Available / On Break / Available (On Demand);
    * tier rules (`tier-rules-apply`): moving to a higher level needs the member to have waited
      tier-rule-wait-second (times the level with multiply-level) unless no-agent-no-wait and the
      previous level had no agent; otherwise the walk stops there. Without `member_joined_epoch`
      the member is taken as joining now;
    * skipped: tier state not Ready/No Answer, state not Waiting (both `strcasecmp` in C), still
      in wrap-up (`last_bridge_end < now - wrap_up_time` fails), `ready_time > now`, status
      On Break, external calls when the queue skips them, agent on another instance (for
      ring-all that stops the walk);
    * top-down starts after the member's last tier level/position (its channel variables);
      round-robin after the tier position of the queue's last offered agent; random shuffles
      within a level with `rng`. UNION rows that repeat an agent are dropped (FreeSWITCH would
      stop at the agent's first row anyway).
    ring-all offers every agent returned; the other strategies offer the first one.
    """
    queue = model.peek_queue(queue_name)
    if queue is None:
        return []
    queue = dataclasses.replace(queue, name=queue_name)
    t = int(now)
    joined = t if member_joined_epoch is None else member_joined_epoch
    tier_level, tier_available = 0, 0
    out: list[Agent] = []
    offered: set[int] = set()  # ids of the agents in `out`
    for agent, tier in _ordered_rows(model, queue, rng, last_tier_level, last_tier_position):
        if queue.tier_rules_apply and tier.level > tier_level:
            if queue.tier_rule_no_agent_no_wait and tier_available == 0:
                tier_level = tier.level
            elif t - joined >= (tier.level if queue.tier_rule_wait_multiply_level else 1) * (
                    queue.tier_rule_wait_second):
                tier_level, tier_available = tier.level, 0
            else:
                break
        tier_available += 1
        if not (same_text(tier.state, "No Answer") or same_text(tier.state, "Ready")):
            continue
        if not same_text(agent.state, "Waiting"):
            continue
        if not agent.last_bridge_end < t - agent.wrap_up_time or agent.ready_time > t:
            continue
        if same_text(agent.status, "On Break"):
            continue
        if queue.skip_agents_with_external_calls and agent.external_calls_count > 0:
            continue
        if not same_text(agent.instance_id, INSTANCE_ID):
            if same_text(queue.strategy, "ring-all"):
                break
            continue
        if id(agent) not in offered:
            offered.add(id(agent))
            out.append(agent)
            if limit is not None and len(out) >= limit:
                break
    return out


def agent_found(model: CallcenterModel, queue_name: str, *, last_tier_level: int = 0,
                last_tier_position: int = 0) -> bool:
    """Whether the strategy's SQL returned any row at all (`cbt.agent_found`, set for every row
    agents_callback sees, offered or not): top-down starts from the top again when not."""
    queue = model.peek_queue(queue_name)
    return queue is not None and bool(_ordered_rows(
        model, dataclasses.replace(queue, name=queue_name), None, last_tier_level,
        last_tier_position))


def c_atoi(text: str | None) -> int:
    """C `atoi`/`atol`: leading blanks, optional sign, digits; anything else ends the number."""
    s = (text or "").lstrip(" \t\n\v\f\r")
    sign, digits = 1, ""
    if s[:1] in ("+", "-"):
        sign, s = (-1 if s[0] == "-" else 1), s[1:]
    for ch in s:
        if not "0" <= ch <= "9":
            break
        digits += ch
    return sign * int(digits) if digits else 0
