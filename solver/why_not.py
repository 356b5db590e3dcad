"""Why not: for a nation or an offered unit left out of the best package, the best package that
includes it and what that costs against the optimum, or the conflict that keeps it out."""

from __future__ import annotations

import difflib
import threading
from typing import Literal

from forcepack.models.analysis import CriterionDelta, WhyNot
from forcepack.models.errors import ForcepackError
from forcepack.models.scenario import Scenario, offer_key
from forcepack.models.solution import Solution
from forcepack.solver.answer import solve
from forcepack.solver.criteria import criterion
from forcepack.solver.params import SolveParams
from forcepack.solver.search import ProgressCallback


class UnknownSubjectError(ForcepackError):
    """A why-not question naming neither a nation nor an offered unit of the scenario."""


def subject_type(scenario: Scenario, subject: str) -> Literal["nation", "unit"]:
    """Whether `subject` names a nation or an offered unit; UnknownSubjectError (with the closest
    match) when neither, or when it names units of several nations."""
    return resolve_subject(scenario, subject)[0]


def resolve_subject(scenario: Scenario, subject: str) -> tuple[Literal["nation", "unit"], str]:
    """("nation", code) or ("unit", its key `NATION/id`) for a subject: a nation code, a unit's key,
    or a unit's id that only one nation uses."""
    if subject in scenario.nation_by_code:
        return "nation", subject
    keys = scenario.unit_keys_named(subject)
    if len(keys) == 1:
        return "unit", keys[0]
    if keys:
        named = ", ".join(f"`{key}`" for key in keys)
        raise UnknownSubjectError(f"`{subject}` is the id of units of several nations: name one of {named}")
    known = sorted(scenario.nation_by_code) + sorted({u.id for o in scenario.offers for u in o.units})
    close = difflib.get_close_matches(subject, known, n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    raise UnknownSubjectError(f"`{subject}` is neither a nation nor an offered unit of `{scenario.id}`{hint}")


def why_not(
    scenario: Scenario,
    subject: str,
    params: SolveParams | None = None,
    *,
    optimum: Solution | None = None,
    on_package: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> WhyNot:
    """Answer "why is this nation (or unit) not in the package?".

    Parameters
    ----------
    scenario
        The scenario.
    subject
        A nation code, an offered unit's key (`IDN/idn-eng`), or its id when one nation only uses it.
    params
        Parameters of each solve.
    optimum
        The best package, when already known (else it is solved first).
    on_package
        Called on every improving package of the solve that includes the subject (progress).
    cancel
        Set from another thread to stop the solves soon (their best so far is answered).

    Raises
    ------
    UnknownSubjectError
        When `subject` names neither a nation nor an offered unit.
    """
    params = params or SolveParams()
    kind, name = resolve_subject(scenario, subject)
    if optimum is None:
        optimum = solve(scenario, params, cancel=cancel)
    if kind == "nation":
        present = any(n.nation == name for n in optimum.nations)
    else:
        present = any(offer_key(a.nation, a.unit) == name for a in optimum.assignments)
    if not optimum.has_package:
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=False,
            summary=f"No package exists for `{scenario.id}` at all ({optimum.status}); see its explanation.",
            optimum=optimum,
        )
    if present:
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=True,
            summary=f"{subject} is already in the best package.",
            optimum=optimum,
        )
    forced = solve(scenario, params, include=[name], on_package=on_package, cancel=cancel)
    if forced.status == "unknown":
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=False,
            summary=f"Whether a package can include {subject} was not decided within the time limit.",
            optimum=optimum,
            with_subject=forced,
        )
    if not forced.has_package:
        reason = forced.explanation.summary if forced.explanation else f"no package found ({forced.status})"
        return WhyNot(
            subject=subject,
            subject_type=kind,
            in_package=False,
            summary=f"No package can include {subject}. {reason}",
            optimum=optimum,
            with_subject=forced,
        )
    deltas = [
        CriterionDelta(criterion=a.criterion, optimum=a.value, with_subject=b.value, delta=b.value - a.value)
        for a, b in zip(optimum.objective, forced.objective, strict=True)
    ]
    worse = [d for d in deltas if criterion(d.criterion).worse(d.delta)]
    if worse:
        first = worse[0]
        shown = criterion(first.criterion).shown(first.delta)
        summary = (
            f"{subject} can be included, at a price: {first.criterion} {shown} "
            f"({first.optimum:,.4g} -> {first.with_subject:,.4g})."
        )
    else:
        summary = f"{subject} can be included at no loss: another package is just as good."
    return WhyNot(
        subject=subject,
        subject_type=kind,
        in_package=False,
        summary=summary,
        optimum=optimum,
        with_subject=forced,
        deltas=deltas,
    )
