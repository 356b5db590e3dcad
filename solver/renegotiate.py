"""Renegotiate a scenario: the file a coordinator would get after relaxing elements (the linear
relaxation of a model is `solver.relaxation`, another thing).

Each element type relaxes in the way its literal does in a relaxable model, so a relaxation that
makes the model feasible makes the relaxed scenario feasible too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from forcepack.models.loading import parse_scenario
from forcepack.models.scenario import Scenario
from forcepack.solver.elements import Element
from forcepack.solver.rules import family


def relax(scenario: Scenario, elements: Iterable[Element]) -> Scenario:
    """The scenario with every element given dropped or eased, each by its family's relaxation
    (`forcepack.solver.rules`):

    - requirement: the essential line becomes desirable (a shortfall is accepted);
    - red_line: the nation withdraws the caveat;
    - veto: the party lifts its objection to that nation;
    - target: the target is dropped (`group_minimums.<g>` drops that group's minimum);
    - mandate: the condition is taken to hold;
    - funding: the funding coverage target is dropped;
    - availability: the unit is available for the whole horizon at `rapid` readiness;
    - node (phased): the node of entry's daily personnel and tons are dropped;
    - tour (phased): the unit's tour length and rotations are dropped.
    """
    data: dict[str, Any] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for e in elements:
        family(e.type).relax(data, e)
    return parse_scenario(data, f"{scenario.id} relaxed")
