"""The reports by name, as sheets: columns with their Vietnamese and English headers and kinds,
the rows, and the chart each sheet is drawn as. One place the command line, the exports and the
desktop's Reports tab take them from; the numbers come from queues.py, activity.py, cases.py.

The reports hold aggregates and the staff's usernames, never a caller's name or phone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.reports.activity import activity_rows
from callcenter.reports.agents import agent_time_rows
from callcenter.reports.cases import case_rows, unit_rows
from callcenter.reports.periods import Grouping
from callcenter.reports.queues import By, heatmap_rows, queue_rows
from db.models import Topic

Kind = Literal["text", "int", "pct", "seconds", "minutes"]


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    kind: Kind = "int"


@dataclass(frozen=True)
class Chart:
    """A sheet drawn as `kind`: the values of `series` against the `category` column."""

    kind: Literal["column", "line", "heat"]
    category: str
    series: tuple[str, ...]


@dataclass
class Sheet:
    name: str  # the sheet's name in a workbook (31 characters at most)
    title: str  # Vietnamese, as the province reads it
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: Chart | None = None
    # what the files show for a row's "group" (topic keys → the topics' Vietnamese names)
    labels: dict[str, str] = field(default_factory=dict)

    def text(self, row: dict[str, Any], key: str) -> Any:
        """A cell as the files show it."""
        value = row.get(key)
        return self.labels.get(str(value), value) if key == "group" else value


@dataclass(frozen=True)
class Request:
    first: date
    last: date
    grouping: Grouping = "day"
    by: By = "topic"


PERIOD = Column("period", "Kỳ", "Period", "text")
GROUP = Column("group", "Nhóm", "Group", "text")
QUEUE_COLUMNS = (
    PERIOD, GROUP, Column("offered", "Cuộc gọi đến", "Offered"),
    Column("answered", "Đã trả lời", "Answered"), Column("abandoned", "Bỏ máy", "Abandoned"),
    Column("short_abandoned", "Bỏ máy ngay (< ngưỡng)", "Short abandons"),
    Column("timed_out", "Hết thời gian chờ", "Timed out"),
    Column("service_level_pct", "Mức phục vụ (%)", "Service level (%)", "pct"),
    Column("abandon_pct", "Tỷ lệ bỏ máy (%)", "Abandon rate (%)", "pct"),
    Column("asa_seconds", "Chờ trung bình (giây)", "Average speed of answer (s)", "seconds"),
    Column("longest_wait_seconds", "Chờ lâu nhất (giây)", "Longest wait (s)", "seconds"),
    Column("avg_talk_seconds", "Đàm thoại trung bình (giây)", "Average talk (s)", "seconds"),
    Column("avg_wrap_seconds", "Xử lý sau cuộc gọi trung bình (giây)",
           "Average after-call work (s)", "seconds"),
    Column("aht_seconds", "Xử lý trung bình (giây)", "Average handle time (s)", "seconds"),
)
ACTIVITY_COLUMNS = (
    PERIOD, GROUP, Column("ivr_hangups", "Gác máy ở lời chào", "IVR hang-ups"),
    Column("no_agent", "Không có điện thoại viên", "No agent"),
    Column("overflow", "Tràn hàng chờ", "Overflow"),
    Column("callback_requests", "Bấm phím gọi lại", "Callback-key requests"),
    Column("transfers", "Chuyển hàng chờ", "Transfers"),
    Column("callbacks_owed", "Cần gọi lại", "Callbacks owed"),
    Column("callbacks_reached", "Gọi lại được", "Callbacks reached"),
    Column("callbacks_failed", "Gọi lại không được", "Callbacks failed"),
    Column("avg_reach_minutes", "Phút đến khi gọi lại được", "Minutes to reach", "minutes"),
)
HEAT_COLUMNS = (Column("weekday", "Thứ", "Weekday"),
                *(Column(f"{h:02d}", f"{h:02d} giờ", f"{h:02d}:00") for h in range(24)))


def _queues(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    return [Sheet("Hàng chờ", "Cuộc gọi vào hàng chờ", QUEUE_COLUMNS,
                  queue_rows(s, r.first, r.last, r.grouping, r.by, zone),
                  Chart("column", "period", ("answered", "abandoned", "timed_out")))]


BREAK_NAMES = {"meal": ("ăn", "meal"), "rest": ("nghỉ ngơi", "rest"),
               "meeting": ("họp", "meeting"), "training": ("đào tạo", "training"),
               "personal": ("việc riêng", "personal"), "other": ("khác", "other")}


def _agents(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    """Their calls (the queues' figures by agent), and their time (status log and legs)."""
    time_rows = agent_time_rows(s, r.first, r.last, r.grouping, zone)
    reasons = sorted({k for row in time_rows for k in row if k.startswith("break_")
                      and k != "break_minutes"})
    time_columns = (
        PERIOD, Column("group", "Điện thoại viên", "Agent", "text"),
        Column("staffed_hours", "Giờ làm việc", "Staffed (h)", "minutes"),
        Column("available_hours", "Giờ sẵn sàng", "Available (h)", "minutes"),
        Column("break_minutes", "Phút tạm nghỉ", "Break (min)", "minutes"),
        *(Column(key, f"Nghỉ {BREAK_NAMES.get(key[6:-8], (key[6:-8],))[0]} (phút)",
                 f"Break: {BREAK_NAMES.get(key[6:-8], ('', key[6:-8]))[-1]} (min)", "minutes")
          for key in reasons),
        Column("answered", "Cuộc đã trả lời", "Answered"),
        Column("talk_hours", "Giờ đàm thoại", "Talk (h)", "minutes"),
        Column("wrap_hours", "Giờ xử lý sau cuộc gọi", "After-call work (h)", "minutes"),
        Column("occupancy_pct", "Mức bận (%)", "Occupancy (%)", "pct"),
        Column("utilisation_pct", "Mức sử dụng (%)", "Utilisation (%)", "pct"),
        Column("no_answer_breaks", "Tạm nghỉ do không nghe máy", "No-answer breaks"))
    return [Sheet("Điện thoại viên", "Cuộc gọi theo điện thoại viên", QUEUE_COLUMNS,
                  queue_rows(s, r.first, r.last, "total", "agent", zone),
                  Chart("column", "group", ("answered",))),
            Sheet("Thời gian làm việc", "Thời gian làm việc của điện thoại viên", time_columns,
                  time_rows, Chart("column", "group", ("occupancy_pct", "utilisation_pct")))]


def _activity(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    return [Sheet("Cuộc gọi và gọi lại", "Cuộc gọi ngoài hàng chờ và gọi lại",
                  ACTIVITY_COLUMNS, activity_rows(s, r.first, r.last, r.grouping, zone),
                  Chart("column", "period", ("callbacks_owed", "callbacks_reached",
                                             "callbacks_failed")))]


def _cases(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    sheets = []
    for dimension, name, vi, en in (("outcome", "Kết quả xử lý", "Kết quả xử lý", "Outcome"),
                                    ("triage_level", "Phân loại nguy cơ", "Phân loại",
                                     "Triage level"),
                                    ("status", "Trạng thái hồ sơ", "Trạng thái", "Status")):
        columns = (PERIOD, GROUP, Column(dimension, vi, en, "text"),
                   Column("cases", "Số hồ sơ", "Cases"))
        sheets.append(Sheet(name, f"Hồ sơ theo {vi.lower()}", columns,
                            case_rows(s, r.first, r.last, r.grouping, dimension, zone),  # type: ignore[arg-type]
                            Chart("column", dimension, ("cases",))))
    return sheets


def _units(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    """A column of cases per topic (topics are data), then the declarations."""
    topics = s.scalars(select(Topic).order_by(Topic.menu_key, Topic.key)).all()
    columns = (Column("unit", "Xã, phường", "Commune or ward", "text"),
               Column("former", "Gồm các đơn vị cũ", "Former units", "text"),
               *(Column(f"cases_{t.key}", f"Hồ sơ: {t.name_vi}", f"Cases: {t.name_en}")
                 for t in topics),
               Column("declarations", "Tờ khai trực tuyến", "Declarations"),
               Column("total", "Tổng", "Total"))
    return [Sheet("Xã, phường", "Hồ sơ và tờ khai theo xã, phường", columns,
                  unit_rows(s, r.first, r.last, zone),
                  Chart("column", "unit", tuple(c.key for c in columns[2:-1])))]


def _heatmap(s: Session, r: Request, zone: tzinfo) -> list[Sheet]:
    return [Sheet("Giờ cao điểm", "Cuộc gọi đến theo thứ và giờ", HEAT_COLUMNS,
                  heatmap_rows(s, r.first, r.last, zone), Chart("heat", "weekday", ()))]


Maker = Callable[[Session, Request, tzinfo], list[Sheet]]
REPORTS: dict[str, tuple[str, tuple[Maker, ...]]] = {
    "queues": ("Hàng chờ", (_queues,)),
    "agents": ("Điện thoại viên", (_agents,)),
    "calls": ("Cuộc gọi và gọi lại", (_activity,)),
    "cases": ("Hồ sơ", (_cases,)),
    "units": ("Xã, phường", (_units,)),
    "heatmap": ("Giờ cao điểm", (_heatmap,)),
    "daily": ("Báo cáo tổng hợp", (_queues, _agents, _activity, _cases, _units, _heatmap)),
}


def run(session: Session, name: str, request: Request, zone: tzinfo,
        progress: Callable[[int, int], bool] | None = None) -> list[Sheet]:
    """The report's sheets. `progress(done, of)` is told after each part and may return
    False to cancel (then the sheets made so far are returned)."""
    if name not in REPORTS:
        raise KeyError(f"no report {name!r}: one of {', '.join(REPORTS)}")
    makers = REPORTS[name][1]
    names = dict(session.execute(select(Topic.key, Topic.name_vi)).all())
    sheets: list[Sheet] = []
    for done, make in enumerate(makers, 1):
        sheets += make(session, request, zone)
        if progress is not None and not progress(done, len(makers)):
            break
    for sheet in sheets:
        sheet.labels = names
    return sheets


def chart_points(sheet: Sheet) -> tuple[list[str], dict[str, list[float]]]:
    """What a sheet's chart draws: each category once (in the rows' order), and for each
    series its value there — counts summed over the rows of that category (the topics of a
    period), rates and durations averaged (a sum of percentages means nothing)."""
    chart = sheet.chart
    if chart is None:
        return [], {}
    kinds = {c.key: c.kind for c in sheet.columns}
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in sheet.rows:
        groups.setdefault(str(sheet.text(row, chart.category) or "—"), []).append(row)
    values: dict[str, list[float]] = {}
    for key in chart.series:
        values[key] = []
        for rows in groups.values():
            found = [float(r[key]) for r in rows if r.get(key) is not None]
            total = sum(found)
            values[key].append(total if kinds.get(key) == "int" else
                               round(total / len(found), 1) if found else 0.0)
    return list(groups), values


def headings(name: str, request: Request, zone: tzinfo) -> tuple[str, str]:
    """The report's title and the line under it: the line, the period, the time zone."""
    first, last = request.first, request.last
    span = f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    return REPORTS[name][0], f"Đường dây nóng 0290 1022 · {span} · giờ {zone}"


def sheet_payload(sheet: Sheet) -> dict[str, Any]:
    """A sheet as JSON for the desktop's Reports tab."""
    chart = sheet.chart
    return {"name": sheet.name, "title": sheet.title, "labels": sheet.labels,
            "columns": [vars(c) for c in sheet.columns], "rows": sheet.rows,
            "chart": None if chart is None else {"kind": chart.kind, "category": chart.category,
                                                 "series": list(chart.series)}}
