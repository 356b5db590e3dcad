"""Apply relaxations to a scenario: the file a coordinator would get after renegotiating elements.

Each element type relaxes in the way its literal does in a relaxable model, so a relaxation that
makes the model feasible makes the relaxed scenario feasible too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from forcepack.models.loading import parse_scenario
from forcepack.models.scenario import Scenario
from forcepack.solver.elements import Element


def relax(scenario: Scenario, elements: Iterable[Element]) -> Scenario:
    """The scenario with every element given dropped or eased.

    - requirement: the essential line becomes desirable (a shortfall is accepted);
    - red_line: the nation withdraws the caveat;
    - veto: the party lifts its objection to that nation;
    - target: the target is dropped (`group_minimums.<g>` drops that group's minimum);
    - mandate: the condition is taken to hold;
    - funding: the funding coverage target is dropped;
    - availability: the unit is available for the whole horizon at `rapid` readiness.
    """
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for e in elements:
        _RELAX[e.type](data, e)
    return parse_scenario(data, f"{scenario.id} relaxed")


def _requirement(data: dict[str, Any], e: Element) -> None:
    for r in data["requirements"]:
        if r["id"] == e.id:
            r["priority"] = "desirable"


def _red_line(data: dict[str, Any], e: Element) -> None:
    for o in data["offers"]:
        if o["nation"] == e.nation:  # red-line ids are each nation's own
            o["red_lines"] = [r for r in o["red_lines"] if r["id"] != e.id]


def _veto(data: dict[str, Any], e: Element) -> None:
    for v in data["vetoes"]:
        if v["id"] == e.id:
            v["against"] = [n for n in v["against"] if e.nation is not None and n != e.nation]
    data["vetoes"] = [v for v in data["vetoes"] if v["against"]]


def _target(data: dict[str, Any], e: Element) -> None:
    targets = data.setdefault("targets", {})
    if e.id.startswith("group_minimums."):
        targets.get("group_minimums", {}).pop(e.id.split(".", 1)[1], None)
    else:
        targets.pop(e.id, None)


def _mandate(data: dict[str, Any], e: Element) -> None:
    data["mandate"][e.id] = True


def _funding(data: dict[str, Any], e: Element) -> None:
    data.setdefault("targets", {}).pop("funding_coverage", None)


def _availability(data: dict[str, Any], e: Element) -> None:
    for o in data["offers"]:
        for u in o["units"] if o["nation"] == e.nation else []:  # unit ids are each nation's own
            if u["id"] == e.id:
                u.pop("available_from", None)
                u.pop("available_until", None)
                u["readiness"] = "rapid"


_RELAX = {
    "requirement": _requirement,
    "red_line": _red_line,
    "veto": _veto,
    "target": _target,
    "mandate": _mandate,
    "funding": _funding,
    "availability": _availability,
}
