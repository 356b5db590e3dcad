"""The work of each kind of job: a solve, a what-if, a criticality sweep, an explanation, a why-not,
alternatives, the resilient package.

Each is a `Work` for `api.jobs.JobRunner`: it solves through the job's context (so the solver's
improving packages reach the job's progress and its event stream, and a cancel reaches
CP-SAT), then calls the library's analysis (`solver.whatif`, `solver.sweep`, `solver.explain`,
`solver.why_not`) with the job's cancel event, so that a cancel stops any of their solves within
a fraction of a second; the job also checks it between their steps, and the criticality sweep
between two withdrawals (see `_Stoppable`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, Literal, TypeVar

from forcepack.api.jobs import JobCancelled, JobContext, Work
from forcepack.api.schemas import ExplanationAnswer
from forcepack.models.analysis import Alternatives, Criticality, Resilient, WhatIf, WhyNot
from forcepack.models.patch import Patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams

T = TypeVar("T")


def solve_work(scenario: Scenario, params: SolveParams, *, explain: bool) -> Work:
    """Solve the scenario: the solution document."""

    def work(context: JobContext) -> Solution:
        return context.solve(scenario, params, explain=explain)

    return work


def what_if_work(scenario: Scenario, patch: Patch, mode: Literal["resolve", "repair"], params: SolveParams) -> Work:
    """Solve the scenario (the baseline), then the patched one: both packages and their diff."""
    from forcepack.solver.whatif import what_if

    def work(context: JobContext) -> WhatIf:
        context.step("baseline")
        baseline = context.solve(scenario, params)
        context.check_cancelled()
        context.step("patched")
        return what_if(
            scenario,
            patch,
            mode=mode,
            params=params,
            baseline=baseline,
            on_package=context.on_package,
            cancel=context.cancel,
        )

    return work


def criticality_work(scenario: Scenario, params: SolveParams, *, pairs: bool) -> Work:
    """Solve the scenario, then re-solve it without each participating nation (and pair), in this thread."""
    from forcepack.solver.sweep import criticality

    def work(context: JobContext) -> Criticality:
        context.step("baseline")
        baseline = context.solve(scenario, params)
        context.check_cancelled()
        context.step("withdrawals")
        return criticality(
            scenario,
            params,
            pairs=pairs,
            baseline=baseline,
            executor=_Stoppable(context.cancel, context.job_id),
            progress=lambda done, total: context.step("withdrawals", done, total),
            cancel=context.cancel,
        )

    return work


def explanation_work(scenario: Scenario, params: SolveParams, *, relaxations: int) -> Work:
    """Why the scenario has no package (or that it has one).

    The scenario is solved first: when a package exists that is the answer, found in the time of
    a solve (the explanation's own search would spend its whole time limit on a large feasible
    scenario before giving up).
    """
    from forcepack.solver.best_effort import best_effort
    from forcepack.solver.explain import explain

    def work(context: JobContext) -> ExplanationAnswer:
        context.step("solving")
        solution = context.solve(scenario, params, explain=False)
        context.check_cancelled()
        if solution.has_package:
            return ExplanationAnswer(package_exists=True, explanation=None)
        context.step("explaining")
        explanation = explain(scenario, params, relaxations=relaxations, cancel=context.cancel)
        if explanation is not None:
            context.step("best effort")
            effort = best_effort(scenario, params, cancel=context.cancel)
            explanation = explanation.model_copy(update={"best_effort": effort})
        return ExplanationAnswer(package_exists=explanation is None, explanation=explanation)

    return work


def why_not_work(scenario: Scenario, subject: str, params: SolveParams) -> Work:
    """Why a nation (or an offered unit) is not in the best package: the best package with it, and
    what that costs, or the conflict that keeps it out."""
    from forcepack.solver.why_not import why_not

    def work(context: JobContext) -> WhyNot:
        context.step("optimum")
        optimum = context.solve(scenario, params)
        context.check_cancelled()
        context.step("with the subject")  # every reader sees steps: another nation's unit id stays out
        return why_not(scenario, subject, params, optimum=optimum, on_package=context.on_package, cancel=context.cancel)

    return work


def alternatives_work(
    scenario: Scenario, params: SolveParams, *, k: int, tolerance: float, min_difference: int
) -> Work:
    """The best package, then up to k-1 others within the tolerance of it, each different enough."""
    from forcepack.solver.alternatives import alternatives

    def work(context: JobContext) -> Alternatives:
        context.step("best")
        best = context.solve(scenario, params)
        context.check_cancelled()
        context.step("alternatives")
        answer = alternatives(
            scenario,
            k,
            tolerance=tolerance,
            min_difference=min_difference,
            params=params,
            best=best,
            on_package=context.on_package,
            cancel=context.cancel,
        )
        context.check_cancelled()
        return answer

    return work


def resilience_work(scenario: Scenario, params: SolveParams) -> Work:
    """The package that survives the most single withdrawals, a fallback for each, and what it costs."""
    from forcepack.solver.resilience import resilient

    def work(context: JobContext) -> Resilient:
        context.step("optimum")
        plain = context.solve(scenario, params)
        context.check_cancelled()
        answer = resilient(scenario, params, plain=plain, cancel=context.cancel, progress=context.step)
        context.check_cancelled()
        return answer

    return work


class _Stoppable(Executor):
    """Runs a sweep's variants one after the other in the job's own thread, stopping between two when cancelled.

    The job holds one slot of the runner, so a sweep uses one thread, as a solve does.
    """

    in_process = True
    """The variants run in this process: the job's cancel event reaches their solves."""

    def __init__(self, cancel: threading.Event, job_id: str) -> None:
        self._cancel = cancel
        self._job_id = job_id

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if self._cancel.is_set():
            raise JobCancelled(self._job_id)
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def map(
        self, fn: Callable[..., T], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[T]:
        for args in zip(*iterables, strict=False):
            if self._cancel.is_set():
                raise JobCancelled(self._job_id)
            yield fn(*args)
