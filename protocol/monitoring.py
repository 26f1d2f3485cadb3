"""Requests of home-treatment monitoring (db/monitoring.py): a patient's episode with its
readings, ending one, and the leads' cohort by commune."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from protocol.base import RowId, _Request


class EpisodeGet(_Request):
    """A patient's episode with every check-in: by its id, or the episode of a case."""

    type: Literal["episode_get"] = "episode_get"
    episode_id: RowId | None = None
    case_id: RowId | None = None


class EpisodeClose(_Request):
    """End an episode (its owed check-ins are cancelled)."""

    type: Literal["episode_close"] = "episode_close"
    episode_id: RowId
    state: Literal["recovered", "facility", "deceased", "lost"]
    note: Annotated[str, Field(max_length=2000)] = ""


class MonitoringCohort(_Request):
    """Leads: the patients under monitoring in their topics, by commune."""

    type: Literal["monitoring_cohort"] = "monitoring_cohort"
