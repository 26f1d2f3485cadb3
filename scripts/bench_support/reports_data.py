"""The reports bench's year (scripts/bench_reports.py): a migrated PostgreSQL database filled by
COPY with a year of a provincial hotline's calls — seeded, so every run writes the same rows.

- calls: the 365 local days (Asia/Ho_Chi_Minh) ending yesterday, weekdays busier, two epidemic
  waves, callcenter.demo_history's hours (busy mornings, quiet nights) and topics (60/20/20);
  5 % hang up in the menu (ivr_hangup, no leg), 3 % of the queued are transferred (two legs);
- legs: 86 % answered (Terminated) by an agent of the topic on shift, the wait exponential,
  longer in busy hours, after-call work up to the topic's acw_seconds; the others leave
  (BREAK_OUT), time out (TIMEOUT; NO_AGENT_TIMEOUT, always with nobody on shift) or press the
  callback key (EXIT_WITH_KEY); call.result as callcenter/state/apply.py sets it;
- 40 agents in shifts (06-14, 14-22, a night on F0), a day off a week; agent_status_log:
  Available, On Break (rest, meal, a meeting, the switch's no-answer break) and back, Logged
  Out; cases on answered calls, coded per topic and (UTC) year in time order, form_data as the
  topic's form has it, mostly closed; callbacks owed to every caller left unanswered (unless
  one is open for the phone and topic): done, failed, cancelled, open in the last hours.

The loaded tables' secondary indexes, unique and foreign keys are dropped before the COPYs and
made again after (every row's foreign keys then checked), then ANALYZE."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

from callcenter.demo_history import PER_HOUR, SHARE

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OFFSET = 7 * 3600  # the zone's offset (no daylight saving since 1975): local hours from epochs
CALLERS = 400_000  # distinct phone numbers: many people call more than once in a year
IVR_HANGUP, TRANSFER, STAFFED_ANSWER = 0.05, 0.03, 0.86
# how a queued leg nobody answered ends (its share of the legs a staffed queue leaves):
# cause, weight, the seconds the caller stayed
LEFT: tuple[tuple[str, float, Callable[[random.Random], float]], ...] = (
    ("BREAK_OUT", 0.095, lambda r: min(r.expovariate(1 / 70), 295)),
    ("TIMEOUT", 0.025, lambda r: 300 + r.random()),
    ("EXIT_WITH_KEY", 0.015, lambda r: r.uniform(20, 200)),
    ("NO_AGENT_TIMEOUT", 0.005, lambda r: r.uniform(30, 120)))
RESULTS = {"Terminated": "answered", "BREAK_OUT": "abandoned", "NO_AGENT_TIMEOUT": "no_agent",
           "TIMEOUT": "overflow", "EXIT_WITH_KEY": "overflow"}
SHIFTS = {"A": 6, "B": 14, "N": 22}  # local hour a shift starts; eight hours each
# topic, role, agency, agents on shifts A, B, N
STAFF = (("f0_home_care", "nurse", "CDC", (11, 11, 2)),
         ("epidemic_report", "health", "SYT", (4, 4, 0)),
         ("public_services", "clerk", "TTPVHCC", (4, 4, 0)))
NAMES = [part.split() for part in ("Nguyễn Trần Lê Phạm Huỳnh Võ Đặng Bùi Ngô", "Văn Thị Minh Hữu",
                                   "An Bình Chi Dũng Hà Hải Lan Long Mai Nam Phúc Tâm Thảo Vy")]
FORMS: dict[str, Callable[[random.Random, str, str], dict[str, Any]]] = {  # r, name, commune
    "f0_home_care": lambda r, name, unit: {
        "full_name": name, "birth_year": r.randint(1940, 2020), "admin_unit": unit,
        "triage_level": r.choices(("green", "yellow", "orange", "red"), (55, 30, 10, 5))[0]},
    "epidemic_report": lambda r, _, unit: {
        "place": f"Chợ ấp {r.randint(1, 12)}", "admin_unit": unit, "severity": r.choice(
            ("low", "medium", "medium", "high")), "description": "Tụ tập đông người"},
    "public_services": lambda r, _, __: {"question": "Hỏi thủ tục", "procedure_area": r.choice(
        ("civil_status", "residence", "land", "social_insurance", "health", "other"))}}
COLUMNS = {
    "call": ("id", "uuid", "direction", "caller_number", "started_at", "queued_at",
             "offered_at", "answered_at", "ended_at", "menu_choice", "topic_id", "agent_id",
             "case_id", "hangup_cause", "result"),
    "call_leg": ("id", "call_id", "seq", "member_uuid", "topic_id", "agent_id", "queued_at",
                 "offered_at", "answered_at", "ended_at", "cause", "wrap_ended_at"),
    "case": ("id", "code", "topic_id", "status", "caller_phone", "person_name",
             "admin_unit_code", "address_detail", "form_data", "outcome_code", "created_by_id",
             "assignee_id", "created_at", "updated_at", "closed_at", "version"),
    "callback": ("id", "phone", "topic_id", "reason", "state", "due_at", "attempts",
                 "last_attempt_at", "assignee_id", "call_id", "last_result", "created_at",
                 "updated_at"),
    "agent_status_log": ("id", "agent_id", "at", "status", "reason", "source"),
    "case_counter": ("topic_id", "year", "last_number")}
C_PHONE, C_TOPIC, C_AGENT, C_CASE, C_ENDED = 3, 10, 11, 12, 8  # positions in a call row


def ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True)
class Plan:
    calls: int
    cases: int
    last_day: date  # local; the year is the 365 days ending here
    seed: int = 1

    @property
    def first_day(self) -> date:
        return self.last_day - timedelta(days=364)


@dataclass(frozen=True)
class TopicInfo:
    id: int
    key: str
    menu_key: str | None
    prefix: str
    outcomes: tuple[str, ...]
    acw: int  # seconds of after-call work at most


@dataclass
class Staffing:
    """Who works which shift: agent ids by (topic, weekday of the shift's start, shift)."""

    topics: list[TopicInfo]
    units: list[str]
    shifts: list[tuple[int, int, str, int]] = field(default_factory=list)  # agent, topic, …
    roster: dict[tuple[int, int, str], list[int]] = field(default_factory=dict)

    def on_duty(self, topic: int, moment: float) -> list[int]:
        local = moment + OFFSET
        hour, day = int(local // 3600 % 24), int(local // 86400)
        shift = "A" if 6 <= hour < 14 else "B" if 14 <= hour < 22 else "N"
        day -= 1 if hour < 6 else 0  # the night shift began the evening before
        return self.roster.get((topic, (day + 3) % 7, shift), [])  # 1970-01-01: a Thursday


def staff(session: Any) -> Staffing:
    """The 40 agents (and their tiers) written with the ORM; the topics and units read."""
    from sqlalchemy import select

    from db.models import AdminUnit, Agency, Agent, Tier, Topic

    topics = {t.key: t for t in session.scalars(select(Topic))}
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    staffing = Staffing([TopicInfo(t.id, t.key, t.menu_key, t.code_prefix, tuple(
        t.outcome_codes()), t.acw_seconds) for t in topics.values() if t.key in SHARE],
        sorted(session.scalars(select(AdminUnit.code).where(AdminUnit.kind != "tinh"))))
    n = 0
    for key, role, agency, counts in STAFF:
        for shift, count in zip(SHIFTS, counts, strict=True):
            for _ in range(count):
                n += 1
                agent = Agent(username=f"nv{n:03d}", full_name=f"Nhân viên {n}", role=role,
                              agency=agencies[agency], password_hash="bench",
                              sip_extension=str(1100 + n))
                agent.tiers = [Tier(topic=topics[key], level=1, position=1)]
                session.add(agent)
                session.flush()
                staffing.shifts.append((agent.id, topics[key].id, shift, n % 7))
                for weekday in (d for d in range(7) if d != n % 7):
                    staffing.roster.setdefault((topics[key].id, weekday, shift), []).append(
                        agent.id)
    return staffing


class Year:
    """The rows of every table, generated in memory (COLUMNS' order)."""

    def __init__(self, plan: Plan, staffing: Staffing) -> None:
        self.plan, self.staffing, self.rng = plan, staffing, random.Random(plan.seed)
        self.end = datetime.combine(plan.last_day + timedelta(days=1), clock(0), ZONE).timestamp()
        self.topics = staffing.topics
        self.topic_cum = list(accumulate(SHARE[t.key] for t in self.topics))
        self.rows: dict[str, list[Any]] = {table: [] for table in COLUMNS}
        self.answered: list[int] = []  # indices of the answered calls' rows
        self.open_until: dict[tuple[str, int], float] = {}  # a callback open till then

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128)))

    def calls(self) -> None:
        rng, hours = self.rng, list(accumulate(PER_HOUR))
        for day, count in zip(_days(self.plan), _per_day(self.plan), strict=True):
            midnight = datetime.combine(day, clock(0), ZONE).timestamp()
            starts = sorted(midnight + h * 3600 + rng.random() * 3600 for h in
                            rng.choices(range(24), cum_weights=hours, k=count))
            for start in starts:
                self.call(start)

    def call(self, start: float) -> None:
        rng, calls = self.rng, self.rows["call"]
        call_id, phone = len(calls) + 1, f"+8491{rng.randrange(CALLERS):07d}"
        if rng.random() < IVR_HANGUP:
            calls.append([call_id, self.uid(), "inbound", phone, ts(start), None, None, None,
                          ts(start + rng.uniform(4, 40)), None, None, None, None,
                          "NORMAL_CLEARING", "ivr_hangup"])
            return
        topic = rng.choices(self.topics, cum_weights=self.topic_cum)[0]
        queued = start + rng.uniform(8, 35)
        first = leg = self.leg(call_id, 1, topic, queued)
        if leg[2] is not None and rng.random() < TRANSFER / STAFFED_ANSWER:
            topic = rng.choice([t for t in self.topics if t is not topic])
            leg = self.leg(call_id, 2, topic, leg[3] + rng.uniform(2, 10))
        agent, offered, _, ended, cause = leg
        answered = first[2]
        result = RESULTS[cause]
        if result == "answered":
            self.answered.append(len(calls))
        calls.append([call_id, self.uid(), "inbound", phone, ts(start), ts(queued),
                      offered and ts(offered), answered and ts(answered), ts(ended),
                      topic.menu_key, topic.id, agent, None,
                      "NORMAL_CLEARING" if answered else "ORIGINATOR_CANCEL", result])
        if result != "answered":
            self.callback(call_id, phone, topic, ended, cause)

    def leg(self, call_id: int, seq: int, topic: TopicInfo, queued: float
            ) -> tuple[int | None, float | None, float | None, float, str]:
        """One queue leg written; (agent, offered, answered, ended, cause)."""
        rng = self.rng
        on = self.staffing.on_duty(topic.id, queued)
        agent = offered = answered = wrapped = None
        draw = rng.random()
        if on and draw < STAFFED_ANSWER:
            load = PER_HOUR[int((queued + OFFSET) // 3600 % 24)] / max(PER_HOUR)
            wait = min(rng.expovariate(1 / (6 + 34 * load)), 290)
            agent, answered = rng.choice(on), queued + wait
            offered = max(queued, answered - rng.uniform(2, 8))
            ended, cause = answered + 40 + rng.gammavariate(2, 90), "Terminated"
            wrapped = ended + rng.uniform(15, topic.acw)  # after-call work, ended early or not
        else:
            cause, stay = "NO_AGENT_TIMEOUT", rng.uniform(30, 120)
            draw -= STAFFED_ANSWER
            for name, weight, how_long in LEFT if on else ():
                if draw < weight or name == "NO_AGENT_TIMEOUT":
                    cause, stay = name, how_long(rng)
                    break
                draw -= weight
            ended = queued + stay
        self.rows["call_leg"].append((
            len(self.rows["call_leg"]) + 1, call_id, seq, self.uid(), topic.id, agent,
            ts(queued), offered and ts(offered), answered and ts(answered), ts(ended), cause,
            wrapped and ts(wrapped)))
        return agent, offered, answered, ended, cause

    def callback(self, call_id: int, phone: str, topic: TopicInfo, owed: float,
                 cause: str) -> None:
        """Owed unless the caller already has one open for the topic."""
        rng, key, rows = self.rng, (phone, topic.id), self.rows["callback"]
        if self.open_until.get(key, 0.0) > owed:
            return
        assignee = rng.choice([a for a, t, _, _ in self.staffing.shifts if t == topic.id])
        state, attempts, result, updated = "open", 0, None, owed
        draw = rng.random()
        if owed <= self.end - 4 * 3600:
            updated = owed + 120 + rng.expovariate(1 / 1500)  # the first dial
            if draw < 0.78:
                state, attempts, result = "done", 1 + (draw > 0.55), "SUCCESS"
            elif draw < 0.93:
                state, attempts = "failed", 3
                result = rng.choice(("NO_ANSWER", "USER_BUSY", "NO_USER_RESPONSE"))
            else:
                state = "cancelled"
            updated += 1800 * max(0, attempts - 1)
        self.open_until[key] = math.inf if state == "open" else updated
        reason = "requested" if cause == "EXIT_WITH_KEY" else "abandoned"
        rows.append((len(rows) + 1, phone, topic.id, reason, state, ts(owed), attempts,
                     ts(updated) if attempts else None, assignee, call_id, result, ts(owed),
                     ts(updated)))

    def cases(self) -> None:
        """`plan.cases` answered calls, drawn evenly, get a case (numbered in time order)."""
        rng, rows, calls = self.rng, self.rows["case"], self.rows["call"]
        by_id = {t.id: t for t in self.topics}
        picks = sorted(rng.sample(range(len(self.answered)), min(self.plan.cases,
                                                                 len(self.answered))))
        counters: dict[tuple[int, int], int] = {}
        for index in picks:
            call = calls[self.answered[index]]
            topic: TopicInfo = by_id[call[C_TOPIC]]
            created = call[C_ENDED] - timedelta(seconds=rng.uniform(5, 35))
            number = counters[topic.id, created.year] = counters.get(
                (topic.id, created.year), 0) + 1
            outcome = rng.choices(topic.outcomes, weights=[1 / (i + 1) for i in range(
                len(topic.outcomes))])[0]
            unit = rng.choice(self.staffing.units)
            name = " ".join(rng.choice(part) for part in NAMES)
            form = {**FORMS.get(topic.key, lambda *_: {})(rng, name, unit), "outcome": outcome}
            days = 2.0 if topic.key == "f0_home_care" else 0.1
            closed: datetime | None = created + timedelta(days=rng.expovariate(1 / days))
            status = "closed"
            if closed is not None and closed.timestamp() > self.end:
                status, closed = ("follow_up" if days > 1 else "open"), None
            elif rng.random() < 0.02:
                status, closed = "escalated", None
            call[C_CASE] = len(rows) + 1
            rows.append((len(rows) + 1, f"{topic.prefix}-{created.year}-{number:06d}",
                         topic.id, status, call[C_PHONE], name, unit,
                         f"Ấp {rng.randint(1, 15)}", json.dumps(form, ensure_ascii=False),
                         outcome, call[C_AGENT], call[C_AGENT], created, closed or created,
                         closed, 2 if closed else 1))
        self.rows["case_counter"] = [(t, y, n) for (t, y), n in sorted(counters.items())]

    def status_log(self) -> None:
        """Each agent's working days: log in, breaks, log out (ids in time order); now and
        then a break the switch imposed after calls not answered (max-no-answer)."""
        rng, rows = self.rng, list[tuple[int, datetime, str, str | None, str]]()
        for day in _days(self.plan):
            weekday = day.weekday()
            midnight = datetime.combine(day, clock(0), ZONE).timestamp()
            for agent, _, shift, day_off in self.staffing.shifts:
                if weekday == day_off:
                    continue
                at = midnight + SHIFTS[shift] * 3600 + rng.uniform(-600, 300)
                rows.append((agent, ts(at), "Available", None, "desktop"))
                breaks: list[tuple[float, str | None, float]] = [
                    (1.0, None, 1), (2.0, "rest", 10), (4.0, "meal", 35), (5.0, "meeting", 30),
                    (6.0, "rest", 10)]
                for hours, reason, minutes in breaks:
                    if rng.random() < {None: 0.92, "meeting": 0.85}.get(reason, 0.0):
                        continue  # the switch's break 8 % of shifts, a meeting 15 %
                    start = at + hours * 3600 + rng.uniform(-900, 900)
                    rows.append((agent, ts(start), "On Break", reason,
                                 "desktop" if reason else "switch"))
                    back = start + (minutes + rng.expovariate(1 / 4)) * 60
                    rows.append((agent, ts(back), "Available", None, "desktop"))
                rows.append((agent, ts(at + 8 * 3600 + rng.uniform(0, 900)), "Logged Out",
                             None, "desktop"))
        rows.sort(key=lambda row: row[1])
        self.rows["agent_status_log"] = [(n, *row) for n, row in enumerate(rows, 1)]


def _days(plan: Plan) -> list[date]:
    return [plan.first_day + timedelta(days=n) for n in range(365)]


def _per_day(plan: Plan) -> list[int]:
    """`plan.calls` shared out over the days: weekends quieter, two epidemic waves."""
    weights = []
    for n, day in enumerate(_days(plan)):
        week = {5: 0.85, 6: 0.65}.get(day.weekday(), 1.0)
        waves = 1 + 1.2 * math.exp(-((n - 100) / 20) ** 2) + 0.6 * math.exp(
            -((n - 260) / 30) ** 2)
        weights.append(week * waves)
    exact = [w * plan.calls / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for n in sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])[
            :plan.calls - sum(counts)]:
        counts[n] += 1
    return counts


def load(url: str, plan: Plan, step: Callable[[str], None]) -> dict[str, int]:
    """The year written into the migrated database at `url` (its topics and units loaded);
    `step(what)` after each phase (the caller times them). The rows written, by table."""
    from sqlalchemy.engine import make_url

    from db.engine import make_engine, make_sessionmaker, transaction

    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            staffing = staff(session)
    finally:
        engine.dispose()
    step(f"{len(staffing.shifts)} agents and their tiers (ORM)")
    year = Year(plan, staffing)
    for make, what in ((year.calls, "calls, legs and callbacks"), (year.cases, "cases"),
                       (year.status_log, "agent status log")):
        make()
        step(f"generate {what}")
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        indexes, constraints = _drop(conn)
        step(f"drop {len(indexes)} indexes, {len(constraints)} unique and foreign keys")
        for table, rows in year.rows.items():
            _copy(conn, table, COLUMNS[table], rows)
            step(f"COPY {table} ({len(rows):,} rows)")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for statement in indexes:
            conn.execute(statement)
        step(f"create the {len(indexes)} indexes again")
        for statement in constraints:
            conn.execute(statement)
        step("unique and foreign keys again (every row checked)")
        for table in COLUMNS:
            if table != "case_counter":
                conn.execute(sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({name}, 'id'), "
                    "(SELECT coalesce(max(id), 1) FROM {table}))").format(
                    name=sql.Literal(sql.Identifier(table).as_string(conn)),
                    table=sql.Identifier(table)))
        conn.execute("ANALYZE")
        step("ANALYZE")
    return {table: len(rows) for table, rows in year.rows.items()}


def _drop(conn: psycopg.Connection[Any]) -> tuple[list[str], list[str]]:
    """The loaded tables' indexes (but the primary keys'), unique and foreign keys dropped;
    the statements that make them again, in order."""
    tables = [sql.Identifier(t).as_string(conn) for t in COLUMNS]
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) ORDER BY 1",
        [tables]).fetchall()
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype, 1, 2", [tables]).fetchall()  # the foreign keys first
    for table, name, _ in constraints:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    return ([definition for _, definition in indexes],
            [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
             for table, name, definition in reversed(constraints)])


def _copy(conn: psycopg.Connection[Any], table: str, columns: Sequence[str],
          rows: Iterable[Sequence[Any]]) -> None:
    """The columns the table has (a column added by a later migration, or not yet: left out)."""
    has = {name for name, in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])}
    kept = [n for n, name in enumerate(columns) if name in has]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(
        ", ").join(sql.Identifier(columns[n]) for n in kept))
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row if len(kept) == len(columns) else [row[n] for n in kept])
