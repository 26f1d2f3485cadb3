"""Reports on the desktops (callcenter/reports/): leads and admins read a report's sheets for
the Reports tab, or take it as a file to save (XLSX with charts, or CSV); both audited. The
reports hold aggregates and the staff's usernames, no caller's name or phone: a lead of one
agency reads them for the whole line, as the province reports it."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.hub.desk import _session
from callcenter.hub.server import Client
from callcenter.hub.service import Backend, Denied, HubService
from callcenter.reports.catalogue import Request, headings, run, sheet_payload
from callcenter.reports.export import csv_bytes, xlsx_bytes
from protocol.errors import ErrorCode

MAX_DAYS = 400  # a year and a bit: what one request may span


class ReportDesk:
    def __init__(self, hub: HubService, backend: Backend) -> None:
        self.hub = hub
        self.zone = ZoneInfo(backend.settings.site.timezone)
        hub.handlers.update({"report_run": self.run, "report_export": self.export})

    def run(self, client: Client, request: Any) -> dict[str, Any]:
        wanted = self._request(client, request)
        sheets = self.hub.db(run, request.name, wanted, self.zone)
        title, subtitle = headings(request.name, wanted, self.zone)
        self.hub.audit(client, "report.read", request.name, first=request.first,
                       last=request.last, grouping=request.grouping, by=request.by)
        return {"title": title, "subtitle": subtitle,
                "sheets": [sheet_payload(s) for s in sheets]}

    def export(self, client: Client, request: Any) -> dict[str, Any]:
        wanted = self._request(client, request)
        sheets = self.hub.db(run, request.name, wanted, self.zone)
        title, subtitle = headings(request.name, wanted, self.zone)
        content = xlsx_bytes(sheets, title, subtitle) if request.format == "xlsx" else \
            csv_bytes(sheets)
        filename = f"bao-cao-{request.name}-{request.first}-{request.last}.{request.format}"
        rows = sum(len(s.rows) for s in sheets)
        self.hub.audit(client, "report.export", request.name, format=request.format,
                       first=request.first, last=request.last, grouping=request.grouping,
                       by=request.by, rows=rows)
        return {"filename": filename, "rows": rows,
                "content_b64": base64.b64encode(content).decode("ascii")}

    def _request(self, client: Client, request: Any) -> Request:
        session = _session(client)
        if not session.is_lead:
            raise Denied(ErrorCode.FORBIDDEN, "only team leads and admins read the reports")
        try:
            first, last = date.fromisoformat(request.first), date.fromisoformat(request.last)
        except ValueError as exc:
            raise Denied(ErrorCode.INVALID, f"not a date: {exc}") from None
        if last < first or (last - first).days >= MAX_DAYS:
            raise Denied(ErrorCode.INVALID, f"the period runs {first} to {last}: it must end "
                         f"after it starts, and span {MAX_DAYS} days at most")
        return Request(first, last, request.grouping, request.by)
