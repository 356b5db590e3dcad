"""What-if: a patched scenario solved afresh (`resolve`) or repaired from the baseline (`repair`)."""

from __future__ import annotations

import threading
from typing import Literal

from forcepack.models.analysis import WhatIf
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.models.wording import plural
from forcepack.solver.answer import solve
from forcepack.solver.diff import package_diff
from forcepack.solver.document import Package
from forcepack.solver.params import SolveParams
from forcepack.solver.search import ProgressCallback

Mode = Literal["resolve", "repair"]


def what_if(
    scenario: Scenario,
    patch: Patch,
    *,
    mode: Mode = "resolve",
    params: SolveParams | None = None,
    baseline: Solution | None = None,
    on_package: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> WhatIf:
    """Apply a patch and compare the packages.

    Parameters
    ----------
    scenario
        The scenario as it stands.
    patch
        The change asked about.
    mode
        `resolve`: the patched scenario's own optimum, ties broken toward the baseline among the
        packages exactly as good on every criterion (never merely within a tolerance).
        `repair`: keep as much of the baseline package as possible (least churn first), then
        the scenario's objective.
    params
        Solve parameters, for both solves.
    baseline
        The current package, when already known (else it is solved first).
    on_package
        Called on every improving package of the patched scenario's solve (progress).
    cancel
        Set from another thread to stop the solves soon (their best so far is answered).

    Raises
    ------
    models.patch.PatchError
        When the patch does not apply to the scenario.
    """
    params = params or SolveParams()
    patched_scenario = apply_patch(scenario, patch)
    if baseline is None:
        baseline = solve(scenario, params, cancel=cancel)
    start = Package.from_solution(baseline) if baseline.has_package else None
    if mode == "repair" and start is not None:
        patched = solve(patched_scenario, params, repair_from=start, on_package=on_package, cancel=cancel)
    else:
        patched = solve(patched_scenario, params, prefer=start, on_package=on_package, cancel=cancel)
    diff = package_diff(baseline, patched, patched_scenario) if baseline.has_package and patched.has_package else None
    return WhatIf(
        mode=mode,
        patch=patch.model_dump(mode="json", by_alias=True, exclude_none=True),
        summary=summarise(patch, baseline, patched, diff),
        baseline=baseline,
        patched=patched,
        diff=diff,
    )


def summarise(patch: Patch, baseline: Solution, patched: Solution, diff: object) -> str:
    """The what-if in one paragraph."""
    from forcepack.models.analysis import PackageDiff

    what = patch.description or plural(len(patch.ops), "change")
    if not patched.has_package:
        reason = patched.explanation.summary if patched.explanation else f"no package ({patched.status})"
        return f"{what}: no package remains. {reason}"
    if not baseline.has_package:
        return f"{what}: a package now exists ({patched.status}), where none did before."
    assert isinstance(diff, PackageDiff)
    if diff.is_empty():
        return f"{what}: the package does not change."
    lost = [c.requirement for c in diff.coverage if c.shortfall_after > c.shortfall_before]
    gained = [c.requirement for c in diff.coverage if c.shortfall_after < c.shortfall_before]
    parts = [
        f"{plural(len(diff.added), 'placement')} added, {len(diff.removed)} reduced or removed "
        f"(churn {plural(diff.churn, 'unit')})",
        f"cost USD {diff.cost_delta_usd / 1e6:+,.1f}M, personnel {diff.personnel_delta:+,}",
    ]
    if lost:
        parts.append("coverage lost on " + ", ".join(lost))
    if gained:
        parts.append("coverage gained on " + ", ".join(gained))
    if diff.nations_in:
        parts.append("joining: " + ", ".join(diff.nations_in))
    if diff.nations_out:
        parts.append("leaving: " + ", ".join(diff.nations_out))
    return f"{what}: " + "; ".join(parts) + "."
