"""The reports over a year of calls, timed on PostgreSQL.

A throwaway PostgreSQL cluster (tests/support/pg_server.py, as bench_intake starts it: fsync
off), migrated with the shipped topics and units (bench_support.intake_server.prepare), is
filled by bench_support/reports_data.py with a year of calls ending yesterday (in
Asia/Ho_Chi_Minh): 1,000,000 calls, their queue legs, 40 agents' status logs, 300,000 cases
and the callbacks owed; each phase's time is printed as it ends.

Then the parts of `reports()` are run, each in a session of its own on a connection already
open, as the app runs them: every part once (cold: the first run after the load, PostgreSQL's
buffers holding what the load left there, the OS's page cache the rest), then --repeat more
times (warm). The table: rows returned, the first run, the median and the maximum of the warm
runs, and of the median run the time in SQL (each statement sent → its whole result received;
the rest is Python: the roll-up into local periods, the figures) and the statements. The
daily report (the target's) is the headline parts of period "day", for yesterday: the queues
by hour and topic and by agent; the monthly one those of "month", for the last whole month,
by day. All the parts of a period are what the catalogue's 'daily' report runs (every sheet,
as the daemon writes it at each shift's end); "year" is shown, not a target. Then the plans
(EXPLAIN (ANALYZE, BUFFERS)) of the slowest statement of the daily report, of the monthly
one and of the other parts; last: `report day over N calls: D ms; month: M ms` (medians)."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_support.intake_cpu import postgres_seconds, reference_ms  # noqa: E402
from bench_support.machine import machine_busy_seconds, own_seconds  # noqa: E402
from bench_support.stats import percentile  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TARGETS_MS = {"day": 1_000.0, "month": 3_000.0}
Report = Callable[["Session", date, date], list[dict[str, Any]]]


def reports() -> list[tuple[str, bool, str, Report]]:
    """(period, headline, name, function(session, first, last)): what is timed, in this order,
    one line a report. The headline parts of a period are the report the targets are for (the
    queues by topic and by agent); all its parts are the catalogue's 'daily' summary report
    (callcenter/reports/catalogue.py: every sheet) over the period. A `*_rows` function of
    callcenter.reports named nowhere here is listed as untimed."""
    from callcenter.reports.activity import activity_rows
    from callcenter.reports.agents import agent_time_rows
    from callcenter.reports.cases import case_rows, unit_rows
    from callcenter.reports.queues import heatmap_rows, queue_rows

    parts: list[tuple[str, bool, str, Report]] = []
    for period, g in (("day", "hour"), ("month", "day")):
        parts += [
            (period, True, f"queues by {g} and topic", part(queue_rows, g, "topic")),
            (period, True, "queues by agent", part(queue_rows, "total", "agent")),
            (period, False, f"agents' time by {g} (status log)", part(agent_time_rows, g)),
            (period, False, f"calls and callbacks by {g}", part(activity_rows, g)),
            *((period, False, f"cases by {g} and {d}", part(case_rows, g, d))
              for d in ("outcome", "triage_level", "status")),
            (period, False, "cases by commune", part(unit_rows)),
            (period, False, "heat map (weekday × hour)", part(heatmap_rows))]
    return [*parts,
            ("year", True, "queues by month and topic", part(queue_rows, "month", "topic")),
            ("year", False, "heat map (weekday × hour)", part(heatmap_rows))]


def part(function: Callable[..., list[dict[str, Any]]], *options: Any) -> Report:
    """`function(session, first, last, *options, ZONE)`."""
    return lambda session, first, last: function(session, first, last, *options, ZONE)


def untimed() -> list[str]:
    """callcenter.reports' `*_rows` functions that `reports` does not name."""
    import callcenter.reports as package

    named, missing = inspect.getsource(reports), []
    for info in pkgutil.iter_modules(package.__path__):
        try:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as exc:  # a module being written: say so, time the others
            missing.append(f"{info.name} (not importable: {exc!r})")
            continue
        missing += [f"{info.name}.{name}" for name, function in inspect.getmembers(
            module, inspect.isfunction) if name.endswith("_rows") and
            function.__module__ == module.__name__ and not re.search(rf"\b{name}\b", named)]
    return missing


@dataclass
class Timed:
    period: str
    headline: bool
    name: str
    function: Report
    rows: int = 0
    ms: list[float] = field(default_factory=list)  # ms[0]: the first run
    sql_ms: list[float] = field(default_factory=list)
    statements: list[tuple[float, str, Any]] = field(default_factory=list)  # the last run's


@dataclass
class Probe:
    """Every statement's time: the cursor's execute, which with psycopg's client-side cursor
    returns once the whole result has come (the rows then fetched from memory)."""

    statements: list[tuple[float, str, Any]] = field(default_factory=list)
    started: float = 0.0

    def attach(self, engine: Engine) -> None:
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, *_: Any) -> None:
        self.started = time.perf_counter()

    def after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
              *_: Any) -> None:
        self.statements.append(((time.perf_counter() - self.started) * 1000, statement,
                                parameters))

    def take(self) -> list[tuple[float, str, Any]]:
        taken, self.statements = self.statements, []
        return taken


def periods(last: date) -> dict[str, tuple[date, date]]:
    """Yesterday, the last whole month before yesterday's, the year."""
    month_end = last.replace(day=1) - timedelta(days=1)
    return {"day": (last, last), "month": (month_end.replace(day=1), month_end),
            "year": (last - timedelta(days=364), last)}


def time_reports(engine: Engine, timed: list[Timed], spans: dict[str, tuple[date, date]],
                 repeat: int) -> None:
    from sqlalchemy.orm import Session

    probe = Probe()
    probe.attach(engine)
    with engine.connect():
        pass  # the pool's connection opened before the first run
    for _ in range(repeat + 1):
        for report in timed:
            probe.take()
            with Session(engine) as session:
                started = time.perf_counter()
                rows = report.function(session, *spans[report.period])
                report.ms.append((time.perf_counter() - started) * 1000)
                statements = probe.take()
            report.rows = len(rows)
            report.sql_ms.append(sum(ms for ms, _, _ in statements))
            report.statements = statements


def totals(timed: list[Timed], period: str, headline: bool = True) -> list[float]:
    """The period's report (its headline parts, or all), run by run: the sum of its parts."""
    parts = [t.ms for t in timed if t.period == period and (t.headline or not headline)]
    return [sum(run) for run in zip(*parts, strict=True)]


def print_table(timed: list[Timed], spans: dict[str, tuple[date, date]]) -> None:
    print(f"\n{'report (* the headline parts)':<46} {'rows':>6} {'cold ms':>8} "
          f"{'median ms':>9} {'max ms':>8} {'SQL ms':>7} {'stmts':>5}")
    for period in dict.fromkeys(t.period for t in timed):
        first, last = spans[period]
        print(f"{period}: {first}" + ("" if first == last else f" … {last}"))
        parts = [t for t in timed if t.period == period]
        for t in parts:
            middle = sorted(range(1, len(t.ms)), key=lambda i: t.ms[i])[(len(t.ms) - 1) // 2]
            print(f" {'*' if t.headline else ' '} {t.name:<42} {t.rows:>6} {t.ms[0]:>8.1f} "
                  f"{t.ms[middle]:>9.1f} {max(t.ms[1:]):>8.1f} {t.sql_ms[middle]:>7.1f} "
                  f"{len(t.statements):>5}")
        for headline, label in ((True, f"= the {period} report (* parts)"),
                                (False, f"= all {len(parts)} parts (catalogue 'daily')")):
            if period == "year" and not headline:
                continue
            runs = totals(timed, period, headline)
            rows = sum(t.rows for t in parts if t.headline or not headline)
            print(f"   {label:<42} {rows:>6} {runs[0]:>8.1f} "
                  f"{percentile(runs[1:], 0.5):>9.1f} {max(runs[1:]):>8.1f}")


def explain(engine: Engine, parts: list[Timed], what: str) -> None:
    """The plan of the slowest statement of the slowest of `parts` (in its last run): the
    nodes, their conditions, the whole plan's buffers and any spill to temporary files."""
    parts = [t for t in parts if t.statements]
    if not parts:
        return
    report = max(parts, key=lambda t: percentile(t.ms[1:], 0.5))
    ms, statement, parameters = max(report.statements, key=lambda s: s[0])
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = [str(row[0]) for row in cursor.fetchall()]
    finally:
        raw.close()
    print(f"\n{what} slowest statement ({report.period}: {report.name}, {ms:.1f} ms): "
          f"{' '.join(statement.split())[:230]} …")
    for n, line in enumerate(plan):
        if "Buffers:" not in line or n == 1 or "temp" in line:
            print(f"  {line[:150]}")


def print_schema(engine: Engine) -> None:
    """The loaded tables' sizes and the indexes the reports can use."""
    from sqlalchemy import text

    with engine.connect() as conn:
        sizes = conn.execute(text(
            "SELECT relname, reltuples::bigint, pg_relation_size(oid), pg_indexes_size(oid) "
            "FROM pg_class WHERE relname IN ('call', 'call_leg', 'case', 'callback', "
            "'agent_status_log') ORDER BY pg_relation_size(oid) DESC")).all()
        indexes = conn.execute(text(
            "SELECT tablename, indexname, regexp_replace(indexdef, '.* USING ', '') "
            "FROM pg_indexes WHERE tablename IN ('call', 'call_leg', 'callback', "
            "'agent_status_log') ORDER BY 1, 2")).all()
    print("\n" + "; ".join(f"{name}: {rows:,} rows, {heap / 2**20:.0f} MB + indexes "
                           f"{index / 2**20:.0f} MB" for name, rows, heap, index in sizes))
    for table in dict.fromkeys(t for t, _, _ in indexes):
        print(f"  indexes of {table}: " + ", ".join(
            f"{name} {how}" for t, name, how in indexes if t == table))


def load(url: str, args: argparse.Namespace, last: date) -> None:
    from bench_support.intake_server import prepare
    from bench_support.reports_data import Plan
    from bench_support.reports_data import load as fill

    clock = [time.monotonic()]

    def step(what: str) -> None:
        now = time.monotonic()
        print(f"  {what}: {now - clock[0]:.1f} s", flush=True)
        clock[0] = now

    prepare(url)
    step("schema (migrations), topics, units")
    fill(url, Plan(args.calls, args.cases, last, args.seed), step)


def run(args: argparse.Namespace) -> None:
    from db.engine import make_engine
    from tests.support.pg_server import throwaway_cluster

    last = datetime.now(ZONE).date() - timedelta(days=1)
    spans = periods(last)
    timed = [Timed(*report) for report in reports()]
    started = time.monotonic()
    print(f"a year of calls ({spans['year'][0]} … {last}, {ZONE.key}) into PostgreSQL: "
          f"{args.calls:,} calls, {args.cases:,} cases (seed {args.seed})", flush=True)
    with throwaway_cluster() as url:
        print(f"  PostgreSQL cluster started: {time.monotonic() - started:.1f} s", flush=True)
        load(url, args, last)
        print(f"  the whole load: {time.monotonic() - started:.1f} s")
        engine = make_engine(url)
        try:
            print_schema(engine)
            speed = reference_ms()
            cpu = (machine_busy_seconds(), own_seconds(), postgres_seconds(), time.monotonic())
            time_reports(engine, timed, spans, args.repeat)
            used = (machine_busy_seconds() - cpu[0], own_seconds() - cpu[1],
                    postgres_seconds() - cpu[2], time.monotonic() - cpu[3])
            print_table(timed, spans)
            print(f"cores used while timed: this process {used[1] / used[3]:.2f}, postgres "
                  f"{used[2] / used[3]:.2f}, the rest of the machine "
                  f"{max(0.0, used[0] - used[1] - used[2]) / used[3]:.2f} (of "
                  f"{args.cores}); a reference loop: {speed:.1f} ms before, "
                  f"{reference_ms():.1f} ms after (22 on a quiet host)")
            for name in untimed():
                print(f"not timed (add it to REPORTS in bench_reports.py): {name}")
            for period in TARGETS_MS:
                explain(engine, [t for t in timed if t.period == period and t.headline],
                        f"the {period} report's")
            explain(engine, [t for t in timed if t.period in TARGETS_MS and not t.headline],
                    "the other parts' (day and month)")
        finally:
            engine.dispose()
    day, month = (percentile(totals(timed, p)[1:], 0.5) for p in TARGETS_MS)
    print("\ntargets: " + "; ".join(
        f"{p} ≤ {target:,.0f} ms {'met' if ms <= target else 'NOT met'}"
        for (p, target), ms in zip(TARGETS_MS.items(), (day, month), strict=True)))
    print(f"report day over {args.calls:,} calls: {day:.0f} ms; month: {month:.0f} ms")


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1_000_000,
                        help="calls over the year (default 1000000; quick: 50000)")
    parser.add_argument("--cases", type=int, default=300_000,
                        help="cases on answered calls (default 300000)")
    parser.add_argument("--repeat", type=int, default=9,
                        help="warm runs of each report after the first (default 9)")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed (default 1)")
    args = parser.parse_args()
    args.cores = os.cpu_count() or 1
    run(args)


if __name__ == "__main__":
    main()
