"""Answers of analyses built on the solve: why a nation or unit is left out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from models.common import Frozen
from models.solution import Solution


class CriterionDelta(Frozen):
    """One criterion in the best package against the best package that includes the subject."""

    criterion: str
    optimum: float = Field(description="Value in the best package.")
    with_subject: float = Field(description="Value in the best package that includes the subject.")
    delta: float = Field(description="with_subject - optimum.")


class WhyNot(Frozen):
    """Why a nation or an offered unit is not in the best package, and what including it costs."""

    schema_: Literal["forcepack.why-not/1"] = Field(default="forcepack.why-not/1", alias="schema")
    subject: str = Field(description="The nation code or offered unit id asked about.")
    subject_type: Literal["nation", "unit"]
    in_package: bool = Field(description="The subject already takes part in the best package.")
    summary: str = Field(description="The answer in one paragraph.")
    optimum: Solution = Field(description="The best package.")
    with_subject: Solution | None = Field(
        default=None,
        description="The best package that includes the subject, or an infeasible answer whose explanation "
        "names what keeps it out.",
    )
    deltas: list[CriterionDelta] = Field(default_factory=list)

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)
