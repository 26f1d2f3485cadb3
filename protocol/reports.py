"""Requests of the reports (leads and admins): a report's sheets for the Reports tab, and the
same as a file (XLSX or CSV) to save; both audited."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from protocol.base import _Request

Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ReportName = Literal["queues", "agents", "calls", "cases", "units", "heatmap", "daily"]


class _ReportRequest(_Request):
    name: ReportName
    first: Day  # local days, Asia/Ho_Chi_Minh (the site's zone)
    last: Day
    grouping: Literal["hour", "day", "week", "month", "total"] = "day"
    by: Literal["topic", "agency", "agent", "all"] = "topic"


class ReportRun(_ReportRequest):
    """The report's sheets: title, columns (key, vi, en, kind), rows, chart."""

    type: Literal["report_run"] = "report_run"


class ReportExport(_ReportRequest):
    """The report as a file: its name and its bytes (base64)."""

    type: Literal["report_export"] = "report_export"
    format: Literal["xlsx", "csv"] = "xlsx"
