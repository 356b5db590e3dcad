"""Scenario elements: the things a package must respect, each with the id a person finds in the file."""

from __future__ import annotations

from dataclasses import dataclass

from forcepack.models.solution import ConflictType


@dataclass(frozen=True, order=True)
class Element:
    """One scenario element that constraints come from: a requirement line, red line, veto, target,
    mandate condition, the funding target, an offered unit's availability, and in a phased scenario a
    node of entry's capacity or an offered unit's tours.

    `id` is what a person searches for in the scenario file: a requirement, red line or veto id; a
    target key (`max_personnel`, `group_minimums.oic`); a mandate condition; `funding_coverage`; an
    offered unit's id for its availability window and readiness, or for its tour length and
    rotations; or a node of entry's id.
    """

    type: ConflictType
    id: str
    nation: str | None = None

    def __str__(self) -> str:
        return f"{self.type} `{self.id}`" + (f" ({self.nation})" if self.nation else "")


Block = tuple[Element, ...]
"""A reason an option is closed; relaxing any one of its elements lifts it (e.g. a nation's
`requires_mandate` red line, or the mandate condition it waits for)."""
