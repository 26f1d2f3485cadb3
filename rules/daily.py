"""Times of day in the site's zone (pure): the home-treatment plans' check-ins and the shifts'
ends are both "the first of these local times after a moment"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def next_time_of_day(times: Sequence[dt.time], after: dt.datetime, zone: dt.tzinfo
                     ) -> dt.datetime:
    """The first of the local `times` strictly after `after`, in UTC."""
    local = after.astimezone(zone)
    for days in (0, 1):
        day = local.date() + dt.timedelta(days=days)
        for moment in sorted(times):
            slot = dt.datetime.combine(day, moment, zone)
            if slot > local:
                return slot.astimezone(dt.UTC)
    raise ValueError("no times of day")
