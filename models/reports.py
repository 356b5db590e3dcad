"""What `forcepack check` and `forcepack validate` report, as documents (`--json`).

Both are read without the project's code, like the solution document: a CI job or an analyst's
script tells a pass from a failure by `passed`, and finds each problem in words beside its key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from forcepack.models.common import Frozen
from forcepack.models.solution import ObjectiveValue, ScenarioRef, Status

CHECK_SCHEMA = "forcepack.check/1"
VALIDATION_SCHEMA = "forcepack.validation/1"


class RuleViolation(Frozen):
    """One way a solution document breaks a rule of its scenario or the document's contract."""

    rule: str = Field(description="Machine key of the rule broken, e.g. `capacity`, `red_line.max_engagement`.")
    message: str = Field(description="The problem in a planner's words, naming the elements concerned.")
    element: str | None = Field(
        default=None, description="Id of the scenario element concerned (unit, line, red line, ...), where one is."
    )


class CheckReport(Frozen):
    """The independent checker's verdict on a solution document against a scenario."""

    schema_: Literal["forcepack.check/1"] = Field(default="forcepack.check/1", alias="schema")
    scenario: ScenarioRef = Field(description="The scenario checked against (its sha256 as the file is now).")
    solution: str = Field(description="The solution document checked (its file).")
    status: Status = Field(description="The status the solution document states.")
    passed: bool = Field(description="True when the document honours every rule: `violations` is empty.")
    violations: list[RuleViolation] = Field(default_factory=list, description="Every rule the document breaks.")

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


class ErrorReport(Frozen):
    """A command asked for JSON that could not answer: what it was given and what is wrong with it,
    so a script reading the command's output reads a document either way (exit code 2)."""

    schema_: Literal["forcepack.error/1"] = Field(default="forcepack.error/1", alias="schema")
    message: str = Field(description="The error in one paragraph, as the command prints it.")
    source: str | None = Field(default=None, description="The file or input the problems are in.")
    problems: list[str] = Field(default_factory=list, description="One line per problem, each led by its field path.")

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)


class ValidatedFile(Frozen):
    """One scenario file validated: loaded, solved, checked and compared with its `expect` block."""

    file: str = Field(description="The scenario file, as named or found.")
    scenario: ScenarioRef | None = Field(description="The scenario it holds; None when it could not be loaded.")
    passed: bool = Field(description="Loaded, the answer honours every rule, and it is as `expect` says.")
    status: Status | None = Field(description="The solve's status; None when the file could not be loaded.")
    wall_s: float | None = Field(description="Seconds the solve took; None when the file could not be loaded.")
    objective: list[ObjectiveValue] = Field(default_factory=list, description="The package's objective values.")
    summary: str = Field(description="The outcome in one line, as the readable output gives it.")
    problems: list[str] = Field(
        default_factory=list,
        description="What is wrong: loading problems (each led by its field), rule violations, unmet expectations.",
    )
    notes: list[str] = Field(default_factory=list, description="What was not checked, e.g. no `expect` block.")


class ValidationReport(Frozen):
    """Every scenario file validated, and whether all are as expected."""

    schema_: Literal["forcepack.validation/1"] = Field(default="forcepack.validation/1", alias="schema")
    passed: bool = Field(description="True when every file passed.")
    as_expected: int = Field(ge=0, description="How many files passed.")
    total: int = Field(ge=0, description="How many files were validated.")
    files: list[ValidatedFile] = Field(description="Each file, in the order validated.")

    model_config = Frozen.model_config | {"populate_by_name": True}

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)
