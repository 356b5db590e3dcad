"""What-if: a patched scenario solved afresh (`resolve`) or repaired from the baseline (`repair`)."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Literal

from forcepack.models import phases
from forcepack.models.analysis import CoverageChange, WhatIf
from forcepack.models.patch import Patch, Withdraw, apply_patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.models.wording import millions, millions_change, plural
from forcepack.solver.answer import solve
from forcepack.solver.diff import package_diff
from forcepack.solver.document import Package
from forcepack.solver.money import keep_money
from forcepack.solver.params import SolveParams
from forcepack.solver.search import ProgressCallback

Mode = Literal["resolve", "repair"]

MONEY_LISTED = 4
"""Nations whose money drawn a summary names (the diff lists them all)."""


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
    history = kept_history(scenario, patch, start)
    if mode == "repair" and start is not None:
        patched = solve(
            patched_scenario, params, repair_from=start, on_package=on_package, cancel=cancel, include=history
        )
    else:
        patched = solve(patched_scenario, params, prefer=start, on_package=on_package, cancel=cancel, include=history)
    patched = keep_money(patched_scenario, patched, baseline, time_limit_s=params.time_limit_s, cancel=cancel)
    diff = package_diff(baseline, patched, patched_scenario) if baseline.has_package and patched.has_package else None
    return WhatIf(
        mode=mode,
        patch=patch.model_dump(mode="json", by_alias=True, exclude_none=True),
        summary=summarise(patch, baseline, patched, diff),
        baseline=baseline,
        patched=patched,
        diff=diff,
    )


def kept_history(scenario: Scenario, patch: Patch, start: Package | None) -> list[str]:
    """For a phased scenario and a dated withdrawal, what was deployed before its day, kept as it
    was: the baseline's arrivals in the buckets that end before the earliest such day, and no
    other (the inclusions `arrive:` and `history:`); a tour present on the day ends the bucket
    before it. Empty otherwise."""
    days = [op.starting for op in patch.ops if isinstance(op, Withdraw) and op.starting is not None]
    if scenario.phasing is None or not days or start is None:
        return []
    before = sum(1 for b in phases.buckets(scenario) if b.end < min(days))  # (the day's own bucket is not history)
    arrivals: dict[tuple[str, str, int], int] = defaultdict(int)
    for (key, line, arrival, _), units in start.tours.items():
        if arrival < before:
            arrivals[(key, line, arrival)] += units
    return [f"arrive:{key}@{line}#{arrival}={units}" for (key, line, arrival), units in arrivals.items()] + [
        f"history:{before}"
    ]


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
    # A dated withdrawal takes units only: a nation with none deployed keeps paying as before.
    money_only = [
        n
        for op in patch.ops
        if isinstance(op, Withdraw) and op.starting is not None
        for n in op.nations
        if not any(a.nation == n for a in baseline.assignments)
    ]
    note = (
        f" {', '.join(money_only)} {'deploys' if len(money_only) == 1 else 'deploy'} no units in the baseline: a "
        "withdrawal from a day takes units only (money is not phased), so its money stays drawn as before; "
        "withdraw from the start to take the money away."
        if money_only
        else ""
    )
    if diff.is_empty():
        return f"{what}: the package does not change." + note
    kept = [c for c in diff.coverage if c.line == "kept"]
    lost = [c.requirement for c in kept if c.lost]
    gained = [c.requirement for c in kept if not c.lost]
    parts = []
    if diff.added or diff.removed:
        parts.append(
            f"{plural(len(diff.added), 'placement')} added, {len(diff.removed)} reduced or removed "
            f"(churn {plural(diff.churn, 'unit')})"
        )
    elif diff.tours_added or diff.tours_removed:
        parts.append(
            f"the same units on the same lines, on other tours: {plural(len(diff.tours_added), 'tour')} added or "
            f"cut anew, {len(diff.tours_removed)} cut short or removed (churn {plural(diff.churn, 'unit')})"
        )
    else:
        parts.append("the same units in the same places")
    parts.append(f"cost USD {millions_change(diff.cost_delta_usd)}, personnel {diff.personnel_delta:+,}")
    parts += [_new_line_words(c) for c in diff.coverage if c.line == "added"]
    dropped = [c.requirement for c in diff.coverage if c.line == "dropped"]
    if dropped:
        parts.append("no longer required: " + ", ".join(dropped))
    if lost:
        parts.append("coverage lost on " + ", ".join(lost))
    if gained:
        parts.append("coverage gained on " + ", ".join(gained))
    if diff.nations_in:
        parts.append("joining: " + ", ".join(diff.nations_in))
    if diff.nations_out:
        parts.append("leaving: " + ", ".join(diff.nations_out))
    money_in = [n for n in diff.participating_in if n not in diff.nations_in]
    money_out = [n for n in diff.participating_out if n not in diff.nations_out]
    if money_in:
        parts.append("now taking part with money only: " + ", ".join(money_in))
    if money_out:
        parts.append("no longer taking part: " + ", ".join(money_out))
    foc = _foc_changes(baseline, patched)
    if foc:
        parts.append("full operational capability: " + ", ".join(foc))
    if diff.funding:
        drawn = ", ".join(
            f"{f.nation} USD {millions(f.used_before_usd)} → {millions(f.used_after_usd)}"
            for f in diff.funding[:MONEY_LISTED]
        )
        more = len(diff.funding) - MONEY_LISTED
        parts.append(f"pledged money drawn changes: {drawn}" + (f" and {more} more" if more > 0 else ""))
    unproven = [
        name for name, s in (("the baseline", baseline), ("the patched package", patched)) if s.status != "optimal"
    ]
    caveat = ""
    if unproven:
        # (a search stopped by its time limit may place units differently on another run)
        caveat = (
            f" {' and '.join(unproven).capitalize()} {'is' if len(unproven) == 1 else 'are'} not proven optimal: "
            "some of these changes may be the search's, not the patch's (give it more time)."
        )
    return f"{what}: " + "; ".join(parts) + "." + note + caveat


def _foc_changes(baseline: Solution, patched: Solution) -> list[str]:
    """Each sector whose full operational capability moves: `rafah week 12 (was week 9)`, `gaza-city
    never (was month 4)`; none for a static package."""
    if baseline.plan is None or patched.plan is None:
        return []
    kind = patched.plan.bucket
    before = {s.sector: s.full_from for s in baseline.plan.sectors}

    def when(index: int | None) -> str:
        return "never" if index is None else f"{kind} {index + 1}"

    return [
        f"{s.sector} {when(s.full_from)} (was {when(before[s.sector])})"
        for s in patched.plan.sectors
        if s.sector in before and before[s.sector] != s.full_from
    ]


def _new_line_words(change: CoverageChange) -> str:
    """A line the change adds: how much of it the package fills."""
    short = change.shortfall_after or 0
    if not change.provided_after:
        return f"new line {change.requirement} left unfilled (short {change.required:,})"
    if short:
        return f"new line {change.requirement} filled {change.provided_after:,} of {change.required:,}"
    return f"new line {change.requirement} filled in full"
