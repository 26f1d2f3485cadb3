"""`callcenter report`: a report for a period, as XLSX (with charts) or CSV, audited."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.cli.context import database, settings
from callcenter.reports.catalogue import REPORTS, Request, headings, run
from callcenter.reports.export import csv_bytes, xlsx_bytes
from callcenter.reports.periods import GROUPINGS
from db.audit import command_line_actor, record


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("report", help="a report for a period: XLSX with charts, CSV, or "
                                           "PNG charts")
    p.add_argument("name", choices=sorted(REPORTS), help="which report ('daily': all parts)")
    p.add_argument("--from", dest="first", type=date.fromisoformat, default=None,
                   metavar="YYYY-MM-DD", help="the first local day (default: yesterday)")
    p.add_argument("--to", dest="last", type=date.fromisoformat, default=None,
                   metavar="YYYY-MM-DD", help="the last local day (default: --from)")
    p.add_argument("--group-by", choices=GROUPINGS, default="day",
                   help="the periods of the rows (default: day)")
    p.add_argument("--by", choices=("topic", "agency", "agent", "all"), default="topic",
                   help="the groups of the queues' rows (default: topic)")
    p.add_argument("--format", choices=("xlsx", "csv", "png"), default=None,
                   help="default: from the --out file's extension")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.set_defaults(handler=report)


def _progress(done: int, of: int) -> bool:
    """A long report says how far it is (on standard error; Ctrl-C stops it)."""
    if of > 1:
        print(f"report: part {done} of {of}", file=sys.stderr, flush=True)
    return True


def report(args: argparse.Namespace) -> None:
    zone = ZoneInfo(settings(args).site.timezone)
    first = args.first or (datetime.now(zone).date() - timedelta(days=1))  # the site's yesterday
    last = args.last or first
    kind = args.format or args.out.suffix.lstrip(".").lower()
    if kind not in ("xlsx", "csv", "png"):
        raise SystemExit(f"report: write .xlsx, .csv or .png (or say --format), not "
                         f"{args.out.name}")
    request = Request(first, last, args.group_by, args.by)
    with database(args) as session:
        sheets = run(session, args.name, request, zone, progress=_progress)
        title, subtitle = headings(args.name, request, zone)
        if kind == "png":
            from callcenter.reports.charts import png_bytes  # matplotlib: only when asked

            args.out.write_bytes(png_bytes(sheets, title, subtitle))
        else:
            args.out.write_bytes(xlsx_bytes(sheets, title, subtitle) if kind == "xlsx"
                                 else csv_bytes(sheets))
        record(session, command_line_actor(), "report.export", args.name, file=str(args.out),
               format=kind, first=first.isoformat(), last=last.isoformat(),
               group_by=args.group_by, by=args.by, rows=sum(len(s.rows) for s in sheets))
    print(f"{args.out}: {title}, {first} – {last}, {sum(len(s.rows) for s in sheets)} rows "
          f"in {len(sheets)} part(s)")
