"""The arithmetic of time in a phased scenario: its buckets, when a unit can arrive, how long a tour
lasts, what a line needs in each bucket, when a dated element binds.

This is the meaning of the scenario's time fields (docs/domain.md, "Time phases"), written once: the
solver builds from it and the checker verifies against it, as both read `months_between` for costs.
A scenario without `phasing` has no buckets, and none of this applies to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from forcepack.models.buckets import Bucket, horizon_buckets, within_period
from forcepack.models.common import Readiness, months_between
from forcepack.models.scenario import Requirement, Scenario, UnitOffer
from forcepack.models.wording import plural

READY_DAYS: dict[Readiness, int] = {
    Readiness.RAPID: 60,
    Readiness.MOU: 90,
    Readiness.VERIFIED: 120,
    Readiness.PLEDGED: 180,
}
"""Days after the force is requested (`phasing.requested`) before a unit of each readiness is ready:
the UN's rapid-deployment level is 60 days; the other rungs are the ladder's usual steps."""


def buckets(scenario: Scenario) -> tuple[Bucket, ...]:
    """The scenario's buckets, first first: weeks from the horizon's start (7 days each), or calendar
    months (the first from the horizon's start to its month's end); the last ends with the horizon.
    Empty for a scenario without `phasing`."""
    if scenario.phasing is None:
        return ()
    return horizon_buckets(scenario.phasing.bucket, scenario.horizon.start, scenario.horizon.end)


def bucket_words(scenario: Scenario, index: int) -> str:
    """A bucket as a planner names it, counted from 1 as the page's timeline does: `week 9
    (2026-03-02 .. 2026-03-08)`, `month 3 (2026-03-01 .. 2026-03-31)`."""
    all_buckets = buckets(scenario)
    kind = scenario.phasing.bucket if scenario.phasing is not None else "bucket"
    if not 0 <= index < len(all_buckets):
        return f"{kind} {index + 1}"
    b = all_buckets[index]
    return f"{kind} {index + 1} ({b.start} .. {b.end})"


def span_words(kind: str, bounds: Sequence[tuple[dt.date, dt.date]], indices: Iterable[int]) -> str:
    """Buckets as a planner names them, counted from 1: `month 3 (2026-03-01 .. 2026-03-31)`, `3 months
    (month 7 .. month 9, 2026-07-01 .. 2026-09-30)`, and when they are not consecutive each run:
    `6 months (month 1 .. month 4, 2026-01-01 .. 2026-04-30; month 11 .. month 12, ...)`. (`kind` is
    `week` or `month`; `bounds` each bucket's first and last day.)"""
    chosen = sorted(set(indices))
    if not chosen:
        return f"no {kind} of the horizon"
    runs: list[tuple[int, int]] = []
    for i in chosen:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))

    def run(first: int, last: int) -> str:
        dates = f"{bounds[first][0]} .. {bounds[last][1]}"
        return f"{kind} {first + 1}, {dates}" if first == last else f"{kind} {first + 1} .. {kind} {last + 1}, {dates}"

    if len(chosen) == 1:
        first = chosen[0]
        return f"{kind} {first + 1} ({bounds[first][0]} .. {bounds[first][1]})"
    return f"{plural(len(chosen), kind)} (" + "; ".join(run(a, b) for a, b in runs) + ")"


def buckets_words(scenario: Scenario, indices: Iterable[int]) -> str:
    """`span_words` of the scenario's buckets."""
    kind = scenario.phasing.bucket if scenario.phasing is not None else "bucket"
    return span_words(kind, [(b.start, b.end) for b in buckets(scenario)], indices)


def first_arrival(scenario: Scenario, unit: UnitOffer) -> int | None:
    """The first bucket a unit can arrive in: the first beginning on or after its ready day (None:
    none within the horizon)."""
    ready = ready_day(scenario, unit)
    return next((b.index for b in buckets(scenario) if b.start >= ready), None)


def bucket_count(scenario: Scenario) -> int:
    return len(buckets(scenario))


def bucket_weight(scenario: Scenario, index: int) -> int:
    """How much a shortfall in the bucket weighs: T - index of T buckets when `front_loaded` (the
    first T times the last), else 1."""
    phasing = scenario.phasing
    if phasing is None or not phasing.front_loaded:
        return 1
    return bucket_count(scenario) - index


def in_force(scenario: Scenario, start: dt.date | None, end: dt.date | None) -> list[int]:
    """The buckets a dated element (a red line, a veto) binds in: every bucket some day of which lies
    in its dates (defaults: the horizon's ends)."""
    lo, hi = start or scenario.horizon.start, end or scenario.horizon.end
    return [b.index for b in buckets(scenario) if b.overlaps(lo, hi)]


def condition_buckets(scenario: Scenario, condition: str) -> list[int]:
    """The buckets a mandate condition holds in, every day of them: none when it does not hold; every
    bucket when it holds and has no period under `phasing.conditions`; else those within its period."""
    if not scenario.mandate.get(condition, False):
        return []
    phasing = scenario.phasing
    period = next((p for p in phasing.conditions if p.condition == condition), None) if phasing else None
    if phasing is None or period is None:
        return [b.index for b in buckets(scenario)]
    lo, hi = period.span(scenario.horizon)
    return within_period(phasing.bucket, scenario.horizon.start, scenario.horizon.end, lo, hi)


def need_window(scenario: Scenario, requirement: Requirement) -> tuple[dt.date, dt.date]:
    """The days a line is needed: its window, from its sector's opening on."""
    start, end = scenario.window_of(requirement)
    opens = scenario.sector_by_id[requirement.sector].opens
    return (max(start, opens) if opens is not None else start), end


def quantity_on(requirement: Requirement, day: dt.date) -> int:
    """The quantity a line asks for on a day of its window: its last ramp step begun by then, else
    `quantity`."""
    quantity = requirement.quantity
    for step in requirement.ramp or []:
        if step.starting <= day:
            quantity = step.quantity
    return quantity


def _memo(scenario: Scenario) -> dict[tuple[str, str], Any]:
    """Results computed once per scenario object (kept beside its own lookups, which a copy drops)."""
    memo: dict[tuple[str, str], Any] = scenario.__dict__.setdefault("_phases_memo", {})
    return memo


def needs(scenario: Scenario, requirement: Requirement) -> dict[int, int]:
    """Per bucket the line is needed in (some day of it in the need window), the quantity it asks for
    there: the largest in force on any of those days (a step that begins mid-bucket counts for the
    whole bucket). Computed once per scenario and line; the caller must not change it."""
    memo = _memo(scenario)
    key = ("needs", requirement.id)
    if key not in memo or memo[key][0] is not requirement:
        memo[key] = (requirement, _needs(scenario, requirement))
    result: dict[int, int] = memo[key][1]
    return result


def _needs(scenario: Scenario, requirement: Requirement) -> dict[int, int]:
    start, end = need_window(scenario, requirement)
    out: dict[int, int] = {}
    if end < start:
        return out
    for b in buckets(scenario):
        if not b.overlaps(start, end):
            continue
        lo, hi = max(b.start, start), min(b.end, end)
        changes = [lo] + [s.starting for s in requirement.ramp or [] if lo < s.starting <= hi]
        out[b.index] = max(quantity_on(requirement, day) for day in changes)
    return out


def ready_day(scenario: Scenario, unit: UnitOffer) -> dt.date:
    """The first day a unit can be in theatre: available, ready after the request (its readiness'
    days, `READY_DAYS`), and its transit done. A unit sets off when it is both available (its
    `available_from`; without one, the horizon's start when nothing was requested) and ready after the
    request; with a request, one that needs no `available_from` may set off before the horizon and be
    there on its first day (no sooner)."""
    transit = dt.timedelta(days=unit.transit_days or 0)
    phasing = scenario.phasing
    if phasing is None or phasing.requested is None:
        return scenario.availability_of(unit)[0] + transit
    ready = phasing.requested + dt.timedelta(days=READY_DAYS[unit.readiness]) + transit
    if unit.available_from is not None:
        return max(ready, unit.available_from + transit)
    return max(scenario.horizon.start, ready)


def tour_buckets(scenario: Scenario, unit: UnitOffer) -> int | None:
    """Whole buckets in a unit's tour (a tour never ends mid-bucket, nor outlasts what its nation
    offers): its months for monthly buckets, the weeks in them for weekly ones (at least 1). None
    when the unit has no tour length."""
    if unit.tour_months is None:
        return None
    phasing = scenario.phasing
    if phasing is not None and phasing.bucket == "week":
        return max(1, unit.tour_months * 487 // 112)  # months x 30.4375 days, in whole weeks
    return unit.tour_months


def relief_buckets(scenario: Scenario, unit: UnitOffer) -> int:
    """Buckets at the start of each tour a unit spends taking over: its relief days, rounded up to
    whole buckets."""
    days = unit.relief_days or 0
    if not days:
        return 0
    phasing = scenario.phasing
    if phasing is not None and phasing.bucket == "week":
        return -(-days // 7)
    return -(-(days * 16) // 487)  # days / 30.4375, rounded up


def _last_ending_by(all_buckets: tuple[Bucket, ...], day: dt.date) -> int:
    """The last bucket that ends by the day (-1: none)."""
    lo, hi = 0, len(all_buckets)
    while lo < hi:
        mid = (lo + hi) // 2
        if all_buckets[mid].end <= day:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@dataclass(frozen=True)
class Tour:
    """Units of one unit line arriving in one bucket for one requirement line: present from
    `arrival` to `last` (buckets, both included), filling the line from `effective`."""

    arrival: int
    effective: int
    last: int

    def present(self, index: int) -> bool:
        return self.arrival <= index <= self.last

    def fills(self, index: int) -> bool:
        return self.effective <= index <= self.last


def tour(scenario: Scenario, unit: UnitOffer, requirement: Requirement, arrival: int) -> Tour | None:
    """The tour of a unit arriving for a line in a bucket, or None when it cannot arrive then.

    It arrives on the bucket's first day, no sooner than its ready day (`ready_day`), and no sooner
    than its relief buckets before the line is first needed; it fills the line after its relief
    buckets; it leaves at the end of the first bucket where its tour is over (`tour_buckets`), its
    availability ends (the last bucket that ends by `available_until`), or the line is no longer
    needed, whichever comes first; a tour that would fill the line in no bucket is not one."""
    if not 0 <= arrival < bucket_count(scenario):
        return None
    return _Tours(scenario, unit, requirement).at(arrival)


def tours(scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> list[Tour]:
    """Every tour a unit can serve on a line, by arrival bucket (`tour`)."""
    of = _Tours(scenario, unit, requirement)
    out = []
    for index in range(of.first_arrival, bucket_count(scenario)):
        t = of.at(index)
        if t is not None:
            out.append(t)
    return out


class _Tours:
    """What `tour` reads of a unit and a line, once for every arrival bucket."""

    def __init__(self, scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> None:
        self.buckets = buckets(scenario)
        need = needs(scenario, requirement)
        self.ready = ready_day(scenario, unit)
        self.relief = relief_buckets(scenario, unit)
        self.length = tour_buckets(scenario, unit)
        if not need:
            self.first_arrival = len(self.buckets)
            self.last = -1
            return
        first_need, last_need = min(need), max(need)
        last_available = _last_ending_by(self.buckets, scenario.availability_of(unit)[1])
        self.last = min(last_need, last_available, len(self.buckets) - 1)
        # No arrival sooner than relief buckets before the first need (nor, a fortiori, before 0).
        self.first_arrival = max(0, first_need - self.relief)

    def at(self, arrival: int) -> Tour | None:
        if arrival < self.first_arrival or self.buckets[arrival].start < self.ready:
            return None
        last = self.last if self.length is None else min(self.last, arrival + self.length - 1)
        effective = arrival + self.relief
        if effective > last:
            return None
        return Tour(arrival, effective, last)


def tour_months(scenario: Scenario, t: Tour) -> int:
    """Months a tour is paid for: from its arrival's first day to its last bucket's last day
    (`months_between`), relief included."""
    all_buckets = buckets(scenario)
    return months_between(all_buckets[t.arrival].start, all_buckets[t.last].end)
