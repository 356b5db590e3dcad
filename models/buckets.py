"""A horizon cut into buckets (weeks or calendar months): the calendar alone, before any scenario
is read, so that loading can check a dated field against the buckets (`models.scenario`) and the
arithmetic of time (`models.phases`) can cut a scenario's horizon the same way."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Bucket:
    """One time bucket: its index (0 first) and its first and last days."""

    index: int
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        """Some day of the bucket lies in start .. end."""
        return self.start <= end and start <= self.end

    def within(self, start: dt.date, end: dt.date) -> bool:
        """Every day of the bucket lies in start .. end."""
        return start <= self.start and self.end <= end


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@cache
def horizon_buckets(kind: str, start: dt.date, end: dt.date) -> tuple[Bucket, ...]:
    """The buckets (`week` or `month`) of a horizon from `start` to `end`: weeks from the start (7
    days each), or calendar months (the first from the start to its month's end); the last ends with
    the horizon."""
    out: list[Bucket] = []
    day = start
    while day <= end:
        last = day + dt.timedelta(days=6) if kind == "week" else _month_end(day)
        out.append(Bucket(len(out), day, min(last, end)))
        day = last + dt.timedelta(days=1)
    return tuple(out)


def within_period(kind: str, start: dt.date, end: dt.date, lo: dt.date, hi: dt.date) -> list[int]:
    """The buckets of the horizon `start` .. `end` every day of which lies in `lo` .. `hi`: those a
    mandate condition holding over that period holds in."""
    return [b.index for b in horizon_buckets(kind, start, end) if b.within(lo, hi)]
