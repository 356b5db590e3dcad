"""Availability: an offered unit's window and readiness against a requirement line's. The home of
every face of the availability rule (rules 2 and 3 of a placement in the domain reference).

In a phased scenario the window and readiness set the unit's ready day (`models.phases.ready_day`):
the first bucket it can arrive in. Relaxed, the unit is available over the whole horizon at `rapid`
readiness (`ease`), so a relaxable phased model also holds the earlier tours it could then serve,
behind this element: a plan that cannot be met in time names the ready day that holds it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from forcepack.models import phases
from forcepack.models.common import Readiness
from forcepack.models.patch import Operation
from forcepack.models.scenario import Requirement, Scenario, UnitOffer, offer_key
from forcepack.models.wording import plural
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation, fills
from forcepack.solver.elements import Block, Element
from forcepack.solver.rules.base import Family, OptionFilter, Rule


def element_of(unit: UnitOffer, nation: str) -> Element:
    """The scenario element an offered unit's availability is."""
    return Element("availability", unit.id, nation)


def window_blocks(scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> bool:
    """True when the unit is not available for the whole of the line's window."""
    start, end = scenario.window_of(requirement)
    available_from, available_until = scenario.availability_of(unit)
    return available_from > start or available_until < end


def readiness_blocks(unit: UnitOffer, requirement: Requirement) -> bool:
    """True when the line asks for a higher readiness than the unit has."""
    return requirement.min_readiness is not None and unit.readiness.rank < requirement.min_readiness.rank


class AvailabilityRule(Rule):
    """A unit fills only lines whose whole window it is available for, at their readiness or above."""

    name = "availability"
    family = "availability"

    def blocks(self, scenario: Scenario, nation: str) -> OptionFilter | None:
        def closed(unit: UnitOffer, requirement: Requirement) -> list[Block]:
            if readiness_blocks(unit, requirement) or (
                not phases.tours(scenario, unit, requirement)
                if scenario.phasing is not None
                else window_blocks(scenario, unit, requirement)
            ):
                return [(element_of(unit, nation),)]
            return []

        return closed

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """A unit is available over the whole window of the line it fills, at its `min_readiness` or above."""
        for p in pkg.placements:
            available_from, available_until = pkg.scenario.availability_of(p.unit)
            needed_from, needed_until = pkg.scenario.window_of(p.requirement)
            if available_from > needed_from or available_until < needed_until:
                yield Violation(
                    "eligibility.window",
                    f"{fills(p)} needed {needed_from} .. {needed_until}, "
                    f"but the unit is available {available_from} .. {available_until}",
                    p.unit.id,
                )
            wanted = p.requirement.min_readiness
            if wanted is not None and p.unit.readiness.rank < wanted.rank:
                yield Violation(
                    "eligibility.readiness",
                    f"{fills(p)}, which needs readiness `{wanted}`; the unit is `{p.unit.readiness}`",
                    p.unit.id,
                )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """A tour arrives no sooner than its unit's ready day (available, ready after the request, its
        transit done) and no more than its relief before its line is first needed; it stays no later
        than the last bucket that ends by the unit's `available_until`; its unit has the line's
        `min_readiness` or above."""
        scenario = plan.scenario
        buckets = plan.buckets
        for t in plan.tours:
            what = t.words()
            ready = phases.ready_day(scenario, t.unit)
            if buckets[t.arrival].start < ready:
                yield Violation(
                    "eligibility.arrival",
                    f"{what}: it arrives on {buckets[t.arrival].start}, before the unit is ready ({ready})",
                    t.unit.id,
                )
            need = plan.needs(t.requirement)
            relief = t.effective - t.arrival
            if not need:
                yield Violation("eligibility.window", f"{what}: `{t.requirement.id}` is needed in no bucket", t.unit.id)
            elif t.effective < min(need):
                yield Violation(
                    "eligibility.arrival",
                    f"{what}: the line is first needed in bucket {min(need)}; the unit may arrive at most its "
                    f"relief ({plural(relief, 'bucket')}) before",
                    t.unit.id,
                )
            until = scenario.availability_of(t.unit)[1]
            if buckets[t.last].end > until:
                yield Violation(
                    "eligibility.window",
                    f"{what}: it stays to {buckets[t.last].end}, but the unit is available until {until}",
                    t.unit.id,
                )
            wanted = t.requirement.min_readiness
            if wanted is not None and t.unit.readiness.rank < wanted.rank:
                yield Violation(
                    "eligibility.readiness",
                    f"{what}: `{t.requirement.id}` needs readiness `{wanted}`; the unit is `{t.unit.readiness}`",
                    t.unit.id,
                )


def eased(unit: UnitOffer) -> UnitOffer:
    """The unit as its availability's relaxation leaves it: available over the whole horizon, at
    `rapid` readiness (its transit stays: a ready unit still travels)."""
    return unit.model_copy(update={"available_from": None, "available_until": None, "readiness": Readiness.RAPID})


def describe_in_time(scenario: Scenario, unit: UnitOffer, nation: str) -> str:
    """The unit's ready day in a phased scenario, why (its window, its readiness after the request,
    its transit), the first bucket it can arrive in, and what the lines of its capability ask of it
    that it cannot give: "unit `eng` (IDN) is ready on 2026-04-27 (...): it arrives in week 9
    (2026-04-27 .. 2026-05-03) at the earliest (`rafah-eng` is needed from week 1 (...))"."""
    phasing = scenario.phasing
    start, end = scenario.availability_of(unit)
    ready = phases.ready_day(scenario, unit)
    why = []
    if unit.available_from is not None:
        why.append(f"available from {start}")
    if phasing is not None and phasing.requested is not None:
        why.append(
            f"readiness {unit.readiness.value}: {plural(phases.READY_DAYS[unit.readiness], 'day')} after the "
            f"request of {phasing.requested}"
        )
    if unit.transit_days:
        why.append(f"{plural(unit.transit_days, 'day')} in transit")
    first = phases.first_arrival(scenario, unit)
    text = f"unit `{unit.id}` ({nation}) is ready on {ready}" + (f" ({'; '.join(why)})" if why else "")
    text += (
        f": it arrives in {phases.bucket_words(scenario, first)} at the earliest"
        if first is not None
        else ": it cannot arrive within the horizon"
    )
    if unit.available_until is not None:
        text += f", and is available until {end}"
    relief = phases.relief_buckets(scenario, unit)
    asks = []
    for r in scenario.requirements:
        if r.capability != unit.capability:
            continue
        need = phases.needs(scenario, r)
        if not need:
            continue
        wants = []
        if first is None or first + relief > min(need):
            wants.append(f"from {phases.bucket_words(scenario, min(need))}")
        if end < phases.buckets(scenario)[max(need)].end:
            wants.append(f"until {phases.bucket_words(scenario, max(need))}")
        if readiness_blocks(unit, r) and r.min_readiness is not None:
            wants.append(f"at readiness {r.min_readiness.value}")
        if wants:
            asks.append(f"`{r.id}` is needed {' and '.join(wants)}")
    return text + (f" ({'; '.join(asks)})" if asks else "")


def describe(scenario: Scenario, unit: UnitOffer, nation: str) -> str:
    """The unit's availability window and readiness, and what the lines of its capability it
    cannot fill ask of it (the dates, the readiness): what to ask its nation for. In a phased
    scenario, its ready day (`describe_in_time`)."""
    if scenario.phasing is not None:
        return describe_in_time(scenario, unit, nation)
    start, end = scenario.availability_of(unit)
    text = f"unit `{unit.id}` ({nation}) is available {start} .. {end} at readiness {unit.readiness.value}"
    asks = []
    for r in scenario.requirements:
        if r.capability != unit.capability:
            continue
        needed_from, needed_until = scenario.window_of(r)
        late = start > needed_from or end < needed_until
        unready = r.min_readiness is not None and unit.readiness.rank < r.min_readiness.rank
        if late or unready:
            wants = [f"{needed_from} .. {needed_until}"] if late else []
            wants += [f"readiness {r.min_readiness.value}"] if unready and r.min_readiness is not None else []
            asks.append(f"`{r.id}` needs it {' at '.join(wants)}")
    return text + (f" ({'; '.join(asks)})" if asks else "")


class AvailabilityFamily(Family):
    """A unit's availability as an element: eased to the whole horizon at `rapid` when relaxed."""

    type = "availability"
    default_relax_cost = 5

    def describe(self, scenario: Scenario, element: Element) -> str:
        nation = element.nation or ""
        return describe(scenario, scenario.unit_by_key[offer_key(nation, element.id)], nation)

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        """None: no operation eases one unit's window or readiness (`replace_offer` would restate the
        nation's whole offer); the change is the nation's to make in its offer."""
        return None

    def relax(self, document: dict[str, Any], element: Element) -> None:
        """The unit is available over the whole horizon at `rapid` readiness (`eased`)."""
        for offer in document["offers"]:
            for unit in offer["units"] if offer["nation"] == element.nation else []:  # ids are each nation's own
                if unit["id"] == element.id:
                    unit.pop("available_from", None)
                    unit.pop("available_until", None)
                    unit["readiness"] = Readiness.RAPID.value

    # -- easing (`base.Easing`) ------------------------------------------------------------

    def element(self, unit: UnitOffer, nation: str) -> Element:
        return element_of(unit, nation)

    def eases(self, scenario: Scenario, unit: UnitOffer) -> bool:
        """Easing moves the unit's ready day or the end of its window (its readiness alone closes
        options, which eligibility's blocks say)."""
        easier = eased(unit)
        return (
            phases.ready_day(scenario, easier) != phases.ready_day(scenario, unit)
            or scenario.availability_of(easier)[1] != scenario.availability_of(unit)[1]
        )

    def ease(self, unit: UnitOffer) -> UnitOffer:
        return eased(unit)

    def keeps_out(self, scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> bool:
        """Its readiness below the line's `min_readiness` (an option without tours is closed by the
        tours themselves)."""
        return readiness_blocks(unit, requirement)


RULE = AvailabilityRule()
FAMILY = AvailabilityFamily()
