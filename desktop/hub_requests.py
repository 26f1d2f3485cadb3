"""The hub's requests as typed methods (HubConnection inherits them): one line each over
HubConnection.request, so the session's own code (desktop/connection.py) stays about the
session, and a view asks for what it means (`episode_get(...)`), not for a message class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from protocol import messages as m
from protocol import monitoring, reports

ReplyCallback = Callable[[m.Reply | m.Error], None]


class HubRequests:
    """What a desktop asks the hub; `request` is HubConnection's (queueing, ids, timeouts)."""

    def request(self, kind: type[m.Request], callback: ReplyCallback | None = None,
                **fields: Any) -> str:
        raise NotImplementedError  # HubConnection.request

    def set_status(self, status: str, reason: str | None = None,
                   callback: ReplyCallback | None = None) -> str:
        return self.request(m.SetStatus, callback, status=status, reason=reason)

    def case_save(self, callback: ReplyCallback | None = None, **fields: Any) -> str:
        return self.request(m.CaseSave, callback, **fields)

    def case_draft(self, callback: ReplyCallback | None = None, **fields: Any) -> str:
        """The form as it stands (autosave): the hub keeps the newest for after-call work."""
        return self.request(m.CaseDraft, callback, **fields)

    def case_get(self, case_id: int, callback: ReplyCallback | None = None) -> str:
        return self.request(m.CaseGet, callback, case_id=case_id)

    def history_search(self, callback: ReplyCallback | None = None, *, phone: str | None = None,
                       case_code: str | None = None) -> str:
        return self.request(m.HistorySearch, callback, phone=phone, case_code=case_code)

    def callback_list(self, callback: ReplyCallback | None = None) -> str:
        return self.request(m.CallbackList, callback)

    def callback_dial(self, callback_id: int, callback: ReplyCallback | None = None) -> str:
        return self.request(m.CallbackDial, callback, callback_id=callback_id)

    def colleagues(self, callback: ReplyCallback | None = None) -> str:
        return self.request(m.Colleagues, callback)

    def referral_forward(self, case_id: int, agency: str, due_on: str | None = None,
                         note: str = "", callback: ReplyCallback | None = None) -> str:
        return self.request(m.ReferralForward, callback, case_id=case_id, agency=agency,
                            due_on=due_on, note=note)

    def referral_list(self, callback: ReplyCallback | None = None) -> str:
        return self.request(m.ReferralList, callback)

    def referral_update(self, referral_id: int, state: str, resolution: str = "",
                        callback: ReplyCallback | None = None) -> str:
        return self.request(m.ReferralUpdate, callback, referral_id=referral_id, state=state,
                            resolution=resolution)

    def lead_handover(self, callback: ReplyCallback | None = None) -> str:
        return self.request(m.LeadHandover, callback)

    def call_transfer(self, call_uuid: str, to: str, target: str = "",
                      callback: ReplyCallback | None = None) -> str:
        return self.request(m.CallTransfer, callback, call_uuid=call_uuid, to=to, target=target)

    def call_hangup(self, call_uuid: str, callback: ReplyCallback | None = None) -> str:
        return self.request(m.CallHangup, callback, call_uuid=call_uuid)

    def call_hold(self, call_uuid: str, hold: bool = True,
                  callback: ReplyCallback | None = None) -> str:
        return self.request(m.CallHold, callback, call_uuid=call_uuid, hold=hold)

    def wrap_up_done(self, callback: ReplyCallback | None = None,
                     call_uuid: str | None = None) -> str:
        return self.request(m.WrapUpDone, callback, call_uuid=call_uuid)

    # -- home-treatment monitoring (protocol/monitoring.py) ----------------------------

    def episode_get(self, callback: ReplyCallback | None = None, *,
                    episode_id: int | None = None, case_id: int | None = None) -> str:
        """A patient's episode with every check-in (the chart's points): by id, or a case's."""
        return self.request(monitoring.EpisodeGet, callback, episode_id=episode_id, case_id=case_id)

    def episode_close(self, episode_id: int, state: str, note: str = "",
                      callback: ReplyCallback | None = None) -> str:
        """End an episode as `state` (recovered, facility, deceased, lost)."""
        return self.request(monitoring.EpisodeClose, callback, episode_id=episode_id, state=state,
                            note=note)

    def monitoring_cohort(self, callback: ReplyCallback | None = None) -> str:
        """Leads: the patients under monitoring in their topics, by commune."""
        return self.request(monitoring.MonitoringCohort, callback)

    # -- reports (protocol/reports.py): leads and admins -----------------------------------

    def report_run(self, name: str, first: str, last: str, grouping: str = "day",
                   by: str = "topic", callback: ReplyCallback | None = None) -> str:
        """A report's sheets (title, subtitle, sheets with columns, rows and chart) for local
        days `first` … `last` ("YYYY-MM-DD")."""
        return self.request(reports.ReportRun, callback, name=name, first=first, last=last,
                            grouping=grouping, by=by)

    def report_export(self, name: str, first: str, last: str, grouping: str = "day",
                      by: str = "topic", file_format: str = "xlsx",
                      callback: ReplyCallback | None = None) -> str:
        """The same report as a file: its filename, rows and bytes (base64)."""
        return self.request(reports.ReportExport, callback, name=name, first=first, last=last,
                            grouping=grouping, by=by, format=file_format)
