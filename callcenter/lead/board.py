"""Pure: the lead's board as sections of rows (queues, agents, waiting callers, the intraday
quarter hours, the urgent declarations still to call), from the live state and today's
tally; one lead's part of it; and the difference between two boards, which is what the hub
pushes.

A board is `{section: {key: row}}`, every row plain JSON. Times are ISO strings in UTC: the
desktop counts the time in state, the wait and the talk time up from them itself, so a row
changes only when something happens, not every second."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from callcenter.hub.views import ON_DEMAND, iso_us, shown_status
from callcenter.lead.tally import Tally
from callcenter.state.model import AgentState, LiveState
from rules.board import board_rules
from rules.phone import masked_phone

Board = dict[str, dict[str, Any]]
SECTIONS = ("queues", "agents", "waiting", "today", "last_week", "urgent")


@dataclass(frozen=True)
class Person:
    """An agent's account as the board shows it."""

    username: str
    full_name: str
    role: str
    agency_id: int | None
    agency: str  # the agency's code
    topics: frozenset[str]


@dataclass(frozen=True)
class Inputs:
    """Everything a board is built from (the hub gathers it; nothing here does I/O)."""

    state: LiveState
    tally: Tally
    today: date
    now_us: int
    domain: str
    topics: list[dict[str, Any]]  # topics_payload rows, with "agencies": [agency ids]
    people: list[Person]
    reasons: Mapping[str, str | None]  # username → break reason
    acw_until: Mapping[str, str | None]  # username → ISO end of after-call work
    callbacks: Mapping[str, tuple[int, int]]  # topic → (owed, overdue)
    # declarations at an alert level whose callback is still owed, by callback id
    urgent: Mapping[str, dict[str, Any]] = field(default_factory=dict)


@lru_cache(maxsize=16384)
def _masked(number: str) -> str:
    """masked_phone, remembered: libphonenumber's parse is the board's dearest step, and the
    same callers are on every build while they wait and talk."""
    return masked_phone(number)


def agent_activity(agent: AgentState | None, in_acw: bool) -> str:
    """One word for what an agent is doing: logged_out, on_break, talking, ringing, wrap_up,
    available."""
    if agent is None or agent.status == "Logged Out":
        return "logged_out"
    if agent.status == "On Break":
        return "on_break"
    if agent.state == "In a queue call" or agent.call is not None:
        return "talking"
    if agent.state == "Receiving":
        return "ringing"
    if in_acw or agent.state == "Idle":
        return "wrap_up"
    return "available" if agent.status in ("Available", ON_DEMAND) else "on_break"


def build(inputs: Inputs) -> Board:
    """The whole board (every agency's), from the inputs."""
    board: Board = {name: {} for name in SECTIONS}
    by_queue = {t["queue"]: t for t in inputs.topics}
    activities: dict[str, str] = {}
    for person in inputs.people:
        agent = inputs.state.agents.get(f"{person.username}@{inputs.domain}")
        activity = agent_activity(agent, bool(inputs.acw_until.get(person.username)))
        activities[person.username] = activity
        board["agents"][person.username] = _agent_row(inputs, person, agent, by_queue, activity)
    for topic in inputs.topics:
        key = topic["key"]
        queue = inputs.state.queues.get(topic["queue"])
        members = queue.waiting() if queue else []
        for member in members:  # the desktop numbers their positions (protocol.board)
            board["waiting"][member.uuid] = {
                "member_uuid": member.uuid, "call_uuid": member.session_uuid, "topic": key,
                "joined_at": iso_us(member.joined_us),
                "caller": _masked(member.caller_number), "state": member.state,
                "base_score": member.base_score, "returning": member.case_id is not None}
        board["queues"][key] = _queue_row(inputs, topic, members, activities)
        for day, section in ((inputs.today, "today"),
                             (inputs.today - timedelta(days=7), "last_week")):
            for (d, t, quarter), counts in inputs.tally.buckets.items():
                if d == day and t == key and counts.offered:
                    f = counts.figures()
                    board[section][f"{key}/{quarter}"] = {
                        "topic": key, "quarter": quarter, "offered": f["offered"],
                        "answered": f["answered"], "abandoned": f["abandoned"],
                        "service_level_pct": f["service_level_pct"]}
    board["urgent"] = {key: {**row, "phone": _masked(row["phone"])}
                       for key, row in inputs.urgent.items()}
    return board


def _agent_row(inputs: Inputs, person: Person, agent: AgentState | None,
               by_queue: Mapping[str, dict[str, Any]], activity: str) -> dict[str, Any]:
    call = inputs.state.calls.get(agent.call) if agent and agent.call else None
    current = None
    if call is not None:
        leg = next((leg for leg in reversed(call.legs) if leg.agent == agent.name), None) \
            if agent else None
        topic = by_queue.get((leg.queue if leg else call.queue) or "")
        current = {"call_uuid": call.uuid, "topic": topic["key"] if topic else None,
                   "caller": _masked(call.caller_number),
                   "answered_at": iso_us(leg.answered_us if leg else call.answered_us)}
    status = shown_status(agent.status) if agent else "Logged Out"
    return {"username": person.username, "full_name": person.full_name, "role": person.role,
            "agency": person.agency, "status": status, "activity": activity,
            "reason": inputs.reasons.get(person.username) if status == "On Break" else None,
            "state": agent.state if agent else None,
            "since": iso_us(agent.since_us) if agent else None, "call": current,
            "calls_today": agent.calls_answered if agent else 0,
            "no_answers": agent.no_answers if agent else 0,
            "acw_until": inputs.acw_until.get(person.username),
            "topics": sorted(person.topics)}


def _queue_row(inputs: Inputs, topic: dict[str, Any], members: list[Any],
               activities: Mapping[str, str]) -> dict[str, Any]:
    key = topic["key"]
    rules = board_rules(topic.get("rules") or {})
    figures = inputs.tally.day(inputs.today, key).figures()
    oldest = members[0].joined_us if members else None
    staff = [p.username for p in inputs.people if key in p.topics]
    by_activity = {name: 0 for name in ("available", "ringing", "talking", "wrap_up",
                                        "on_break", "logged_out")}
    for username in staff:
        by_activity[activities[username]] += 1
    owed, overdue = inputs.callbacks.get(key, (0, 0))
    return {"topic": key, "name_vi": topic["name_vi"], "name_en": topic["name_en"],
            "menu_key": topic.get("menu_key"),
            "service_level_seconds": topic["service_level_seconds"],
            "waiting": len(members), "oldest_joined_at": iso_us(oldest), **figures,
            "callbacks_owed": owed, "callbacks_overdue": overdue, "agents": by_activity,
            "rules": rules.model_dump()}


def scope(board: Board, topics: Collection[str] | None,
          people: Collection[str] | None) -> Board:
    """One lead's part: the rows of their topics and their agency's people (None: all)."""
    if topics is None and people is None:
        return board
    out: Board = {}
    for section, rows in board.items():
        if section == "agents":
            out[section] = rows if people is None else {
                k: v for k, v in rows.items() if k in people}
        else:
            out[section] = rows if topics is None else {
                k: v for k, v in rows.items() if v.get("topic") in topics}
    return out


def diff(old: Board, new: Board) -> tuple[Board, dict[str, list[str]]]:
    """What changed from `old` to `new`: rows added or changed, keys removed (per section)."""
    changed: Board = {}
    removed: dict[str, list[str]] = {}
    for section in SECTIONS:
        before, after = old.get(section, {}), new.get(section, {})
        rows = {k: v for k, v in after.items() if before.get(k) != v}
        gone = [k for k in before if k not in after]
        if rows:
            changed[section] = rows
        if gone:
            removed[section] = gone
    return changed, removed
