"""Periods of a report in the site's time zone (pure): the UTC range of local days, and the key
of the hour, day, week or month a moment falls in.

The database sums by UTC hour; the hours are then rolled up here into local periods. That is
exact when the zone's offset is a whole number of hours over the range (Asia/Ho_Chi_Minh: +7,
no daylight saving since 1975); for any other zone the sums are made by quarter hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, get_args

Grouping = Literal["hour", "day", "week", "month", "total"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)


def local_range(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """From the start of local day `first` to the start of the day after `last`, in UTC."""
    if last < first:
        raise ValueError(f"the report ends ({last}) before it starts ({first})")
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def bucket_seconds(zone: tzinfo, start: datetime, end: datetime) -> int:
    """3,600 when every offset of the zone in [start, end) is whole hours, else 900."""
    moment = start
    while moment < end + timedelta(days=1):
        offset = moment.astimezone(zone).utcoffset() or timedelta(0)
        if offset.total_seconds() % 3600:
            return 900
        moment += timedelta(days=1)
    return 3600


def period_key(moment: datetime, grouping: Grouping, zone: tzinfo) -> str:
    """The local period `moment` (aware) falls in: "2026-12-03 08", "2026-12-03", "2026-W49",
    "2026-12" or "total"."""
    local = moment.astimezone(zone)
    if grouping == "hour":
        return local.strftime("%Y-%m-%d %H")
    if grouping == "day":
        return local.strftime("%Y-%m-%d")
    if grouping == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if grouping == "month":
        return local.strftime("%Y-%m")
    return "total"


def bucket_start(number: int, seconds: int) -> datetime:
    """The UTC start of bucket `number` (seconds since the epoch ÷ `seconds`)."""
    return datetime.fromtimestamp(number * seconds, UTC)
