"""The project's documents told apart: given where a scenario was expected, what a document is
instead, and which command takes it (a solution, a what-if patch, an analysis's answer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forcepack.models.analysis import Alternatives, Criticality, Resilient, WhatIf, WhyNot
from forcepack.models.reports import CHECK_SCHEMA, VALIDATION_SCHEMA
from forcepack.models.scenario import SCENARIO_SCHEMA
from forcepack.models.solution import SOLUTION_SCHEMA

PATCH_SCHEMA = "forcepack.patch/1"
"""The schema of a what-if patch (`models.patch`), defined here so that telling documents apart
needs no patch machinery."""

_ANSWERS = {
    model.model_fields["schema_"].default: command
    for model, command in (
        (WhatIf, "what-if"),
        (WhyNot, "why-not"),
        (Criticality, "criticality"),
        (Alternatives, "alternatives"),
        (Resilient, "solve --resilient"),
    )
} | {CHECK_SCHEMA: "check", VALIDATION_SCHEMA: "validate"}
"""The schema of each answer the command line prints with `--json`, and its command."""

SOLUTION = (
    "this is a solution document (what `forcepack solve --json` prints), not a scenario: check it "
    "against its scenario with `forcepack check SCENARIO SOLUTION`"
)
PATCH = (
    "this is a what-if patch, not a scenario: apply it to a scenario with `forcepack what-if SCENARIO --patch PATCH`"
)

_SOLUTION_FIELDS = frozenset({"assignments", "coverage", "totals"})
_SCENARIO_FIELDS = frozenset({"sectors", "requirements", "nations", "offers", "horizon"})


def other_document(data: Any) -> str | None:
    """What a document given as a scenario is instead, and what takes it; None when it may be a
    scenario (a scenario with mistakes is for its own validation to word). Known by its `schema`,
    or, without one, by fields only the other kind has."""
    if not isinstance(data, Mapping):
        return None
    schema = data.get("schema")
    if schema == SCENARIO_SCHEMA:
        return None
    if schema == SOLUTION_SCHEMA:
        return SOLUTION
    if schema == PATCH_SCHEMA:
        return PATCH
    if isinstance(schema, str) and schema in _ANSWERS:
        command = _ANSWERS[schema]
        return (
            f"this is the answer `forcepack {command} --json` prints (`{schema}`), not a scenario: "
            f"run `forcepack {command}` on the scenario file instead"
        )
    if schema is None and not _SCENARIO_FIELDS & data.keys():
        if data.keys() >= _SOLUTION_FIELDS:
            return SOLUTION
        if isinstance(data.get("ops"), list):
            return PATCH
    return None


HOLDS_SOLUTIONS = {
    "forcepack.resilient/1": "a resilient answer (`solve --resilient --json`): its package is the solution document "
    "under `package`",
    "forcepack.what-if/1": "a what-if answer: its solution documents are under `baseline` and `patched`",
    "forcepack.criticality/1": "a criticality answer: its solution document is under `baseline`",
    "forcepack.alternatives/1": "an alternatives answer: its solution documents are under `packages`",
}
"""The answers that hold solution documents, and where."""


def scenario_not_solution(data: Any) -> str | None:
    """When a document given as a solution is a scenario or another forcepack answer, what to do
    instead; else None."""
    if not isinstance(data, Mapping):
        return None
    schema = data.get("schema")
    if isinstance(schema, str) and schema in HOLDS_SOLUTIONS:
        return (
            f"this is {HOLDS_SOLUTIONS[schema]}, not a solution document itself: give `forcepack check` that part "
            "alone, or `forcepack solve SCENARIO --json` makes the solution document"
        )
    if data.get("schema") == SCENARIO_SCHEMA or (
        data.get("schema") is None and {"sectors", "requirements"} <= data.keys()
    ):
        return (
            "this is a scenario, not a solution document: `forcepack check SCENARIO SOLUTION` takes the scenario "
            "first; `forcepack solve SCENARIO --json` makes its solution document"
        )
    if isinstance(schema, str) and schema.startswith("forcepack.") and schema != SOLUTION_SCHEMA:
        return f"this is a `{schema}` document, not a solution document: `forcepack solve SCENARIO --json` makes one"
    return None
