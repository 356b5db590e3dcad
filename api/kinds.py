"""Job kinds: what each kind of job asks, runs and lets each caller read, in one object per kind.

A kind names the action a coordinator takes (for the 403 a delegate gets), reads its request (JSON
or YAML, 415/422 alike for every kind), turns it into the parameters the job runs with (the time
limit capped by the server), checks what can be checked before the job is queued (a patch that
does not apply, a subject that is no nation or unit: 422 now, never a failed job), gives the work
(`api.analyses`), and redacts its answer for the caller (`api.visibility`). `api.service.submit`
and `api.service.job_view` do the rest alike for every kind, and `KINDS` lists them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from forcepack.api.analyses import (
    alternatives_work,
    criticality_work,
    explanation_work,
    resilience_work,
    solve_work,
    what_if_work,
    why_not_work,
)
from forcepack.api.auth import Principal
from forcepack.api.errors import InvalidRequest
from forcepack.api.jobs import Work
from forcepack.api.limits import read_body_document, read_request
from forcepack.api.schemas import (
    COORDINATORS_ONLY,
    AlternativesJob,
    AlternativesParamsUsed,
    AlternativesRequest,
    AnalysisParamsUsed,
    CriticalityJob,
    CriticalityParamsUsed,
    CriticalityRequest,
    ExplanationAnswer,
    ExplanationJob,
    ExplanationParamsUsed,
    ExplanationRequest,
    ResilienceJob,
    ResilienceParamsUsed,
    ResilienceRequest,
    SolveJob,
    SolveParamsUsed,
    SolveRequest,
    WhatIfJob,
    WhatIfParamsUsed,
    WhatIfRequest,
    WhyNotJob,
    WhyNotParamsUsed,
    WhyNotRequest,
)
from forcepack.api.settings import Settings
from forcepack.api.visibility import (
    OfferSecrets,
    redact_criticality,
    redact_explanation_answer,
    redact_patch,
    redact_solution,
    redact_subject,
    redact_what_if,
    redact_why_not,
)
from forcepack.models.analysis import Alternatives, Criticality, Resilient, WhatIf, WhyNot
from forcepack.models.errors import ScenarioInputError
from forcepack.models.patch import Patch, PatchError, apply_patch, patch_problem
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams

Request = TypeVar("Request", bound=BaseModel)
Used = TypeVar("Used", bound=BaseModel)

Secrets = Callable[[], OfferSecrets]
"""What the offers a job used hold that a caller may not read (read only when a view needs it)."""


class JobKind(ABC, Generic[Request, Used]):
    """One kind of job."""

    name: ClassVar[str]
    """The job's `kind`."""
    source: ClassVar[str]
    """The request in error messages, `{}` the scenario's id ("solve of scenario {}")."""
    action: ClassVar[str]
    """What a coordinator does by submitting one ("ask what-if questions")."""
    request_model: type[Request]
    job_model: type[BaseModel]
    """The job's document (`SolveJob`, ...): its `params` and `result` are this kind's."""
    params_model: type[Used]
    answer_model: type[BaseModel]
    """The answer's document (`Solution`, `WhatIf`, ...)."""

    def read(self, body: bytes, content_type: str | None, scenario_id: str) -> Request:
        """The request body as this kind's request (415 for another media type, 422 naming fields)."""
        return read_request(body, content_type, self.request_model, self.source.format(scenario_id))

    @abstractmethod
    def used(self, request: Request, settings: Settings) -> Used:
        """The parameters the job runs with (recorded with it)."""

    @abstractmethod
    def work(self, scenario: Scenario, used: Used, scenario_id: str) -> Work:
        """The work on the scenario as it stands; raises a user error when it cannot apply."""

    def view(self, params: Used, result: Any, principal: Principal, secrets: Secrets) -> tuple[Used, Any]:
        """The parameters and the answer (a document, or None) as the caller may read them."""
        return params, result

    def job(self, params: Any, result: Any, principal: Principal, secrets: Secrets, **common: Any) -> BaseModel:
        """The job's document for the caller: the stored parameters and answer, redacted."""
        used = self.params_model.model_validate(params)
        answer = self.answer(result) if result is not None else None
        if not principal.is_coordinator:
            used, answer = self.view(used, answer, principal, secrets)
        return self.job_model(kind=self.name, params=used, result=answer, **common)

    def answer(self, document: Any) -> BaseModel:
        """The stored answer as its model."""
        return self.answer_model.model_validate(document)


def _time_limit(settings: Settings, asked: float | None) -> float:
    """The time limit a job runs with: the one asked, or the server's default; at most the server maximum."""
    return min(asked or settings.default_solve_seconds, settings.max_solve_seconds)


def solve_params(used: AnalysisParamsUsed | SolveParamsUsed) -> SolveParams:
    """The solver's parameters of a job."""
    return SolveParams(time_limit_s=used.time_limit_s, workers=used.workers, seed=used.seed)


class SolveKind(JobKind[SolveRequest, SolveParamsUsed]):
    """A solve of the scenario as it stands."""

    name = "solve"
    source = "solve of scenario {}"
    action = "solve"
    request_model = SolveRequest
    job_model = SolveJob
    params_model = SolveParamsUsed
    answer_model = Solution

    def used(self, request: SolveRequest, settings: Settings) -> SolveParamsUsed:
        limit = _time_limit(settings, request.time_limit_s)
        return SolveParamsUsed(time_limit_s=limit, seed=request.seed, explain=request.explain, workers=1)

    def work(self, scenario: Scenario, used: SolveParamsUsed, scenario_id: str) -> Work:
        return solve_work(scenario, solve_params(used), explain=used.explain)

    def view(
        self, params: SolveParamsUsed, result: Any, principal: Principal, secrets: Secrets
    ) -> tuple[SolveParamsUsed, Any]:
        return params, redact_solution(result, principal) if result is not None else None


def read_what_if_request(body: bytes, content_type: str | None, scenario_id: str) -> WhatIfRequest:
    """A what-if request body (JSON or YAML): a patch and its mode; problems named `ops[0].nations[0]: ...`."""
    source = f"what-if on scenario {scenario_id}"
    try:
        data = read_body_document(body, content_type, source)
    except ScenarioInputError as exc:  # (a request, not a scenario: titled as one)
        raise InvalidRequest("the request is not a readable document", exc.problems) from None
    try:
        return WhatIfRequest.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if all((e.get("loc") or ("",))[0] in ("ops", "description", "schema") for e in errors):
            ops = data.get("ops") if isinstance(data, dict) else None
            raise PatchError(source, [patch_problem(e, WhatIfRequest) for e in errors], ops) from None
        # A parameter of the question (its time limit, its seed, its mode), not of the patch.
        problems = [patch_problem(e, WhatIfRequest) for e in errors]
        raise InvalidRequest("the request does not match its schema", problems) from None


class WhatIfKind(JobKind[WhatIfRequest, WhatIfParamsUsed]):
    """The scenario as it stands and as a patch changes it, solved and compared."""

    name = "what-if"
    source = "what-if on scenario {}"
    action = "ask what-if questions"
    request_model = WhatIfRequest
    job_model = WhatIfJob
    params_model = WhatIfParamsUsed
    answer_model = WhatIf

    def read(self, body: bytes, content_type: str | None, scenario_id: str) -> WhatIfRequest:
        return read_what_if_request(body, content_type, scenario_id)

    def used(self, request: WhatIfRequest, settings: Settings) -> WhatIfParamsUsed:
        patch = Patch(description=request.description, ops=request.ops)
        return WhatIfParamsUsed(
            time_limit_s=_time_limit(settings, request.time_limit_s),
            seed=request.seed,
            workers=1,
            mode=request.mode,
            patch=patch.model_dump(mode="json", by_alias=True, exclude_none=True),
        )

    def work(self, scenario: Scenario, used: WhatIfParamsUsed, scenario_id: str) -> Work:
        patch = Patch.model_validate(used.patch)
        apply_patch(scenario, patch, source=f"what-if on scenario {scenario_id}")  # 422 now, not a failed job
        return what_if_work(scenario, patch, used.mode, solve_params(used))

    def view(
        self, params: WhatIfParamsUsed, result: Any, principal: Principal, secrets: Secrets
    ) -> tuple[WhatIfParamsUsed, Any]:
        known = secrets()
        params = params.model_copy(update={"patch": redact_patch(params.patch, principal, known)})
        return params, redact_what_if(result, principal, known) if result is not None else None


class CriticalityKind(JobKind[CriticalityRequest, CriticalityParamsUsed]):
    """The package re-solved without each participating nation (and pair)."""

    name = "criticality"
    source = "criticality of scenario {}"
    action = "ask for criticality"
    request_model = CriticalityRequest
    job_model = CriticalityJob
    params_model = CriticalityParamsUsed
    answer_model = Criticality

    def used(self, request: CriticalityRequest, settings: Settings) -> CriticalityParamsUsed:
        limit = _time_limit(settings, request.time_limit_s)
        return CriticalityParamsUsed(time_limit_s=limit, seed=request.seed, workers=1, pairs=request.pairs)

    def work(self, scenario: Scenario, used: CriticalityParamsUsed, scenario_id: str) -> Work:
        return criticality_work(scenario, solve_params(used), pairs=used.pairs)

    def view(
        self, params: CriticalityParamsUsed, result: Any, principal: Principal, secrets: Secrets
    ) -> tuple[CriticalityParamsUsed, Any]:
        return params, redact_criticality(result, principal, secrets()) if result is not None else None


class ExplanationKind(JobKind[ExplanationRequest, ExplanationParamsUsed]):
    """Why the scenario as it stands has no package, and the cheapest ways out."""

    name = "explanation"
    source = "explanation of scenario {}"
    action = "ask for explanations"
    request_model = ExplanationRequest
    job_model = ExplanationJob
    params_model = ExplanationParamsUsed
    answer_model = ExplanationAnswer

    def used(self, request: ExplanationRequest, settings: Settings) -> ExplanationParamsUsed:
        limit = _time_limit(settings, request.time_limit_s)
        return ExplanationParamsUsed(time_limit_s=limit, seed=request.seed, workers=1, relaxations=request.relaxations)

    def work(self, scenario: Scenario, used: ExplanationParamsUsed, scenario_id: str) -> Work:
        return explanation_work(scenario, solve_params(used), relaxations=used.relaxations)

    def view(
        self, params: ExplanationParamsUsed, result: Any, principal: Principal, secrets: Secrets
    ) -> tuple[ExplanationParamsUsed, Any]:
        return params, redact_explanation_answer(result, principal) if result is not None else None


class WhyNotKind(JobKind[WhyNotRequest, WhyNotParamsUsed]):
    """Why a nation (or an offered unit) is not in the best package."""

    name = "why-not"
    source = "why-not on scenario {}"
    action = "ask why-not questions"
    request_model = WhyNotRequest
    job_model = WhyNotJob
    params_model = WhyNotParamsUsed
    answer_model = WhyNot

    def used(self, request: WhyNotRequest, settings: Settings) -> WhyNotParamsUsed:
        limit = _time_limit(settings, request.time_limit_s)
        return WhyNotParamsUsed(time_limit_s=limit, seed=request.seed, workers=1, subject=request.subject)

    def work(self, scenario: Scenario, used: WhyNotParamsUsed, scenario_id: str) -> Work:
        from forcepack.solver.why_not import UnknownSubjectError, subject_type

        try:
            subject_type(scenario, used.subject)  # 422 now, not a failed job
        except UnknownSubjectError as error:
            raise InvalidRequest(
                "the subject names nothing of the scenario (a nation, an offered unit, a pledge or a requirement "
                "line), or several things",
                [f"subject: {error}"],
            ) from None
        return why_not_work(scenario, used.subject, solve_params(used))

    def view(
        self, params: WhyNotParamsUsed, result: Any, principal: Principal, secrets: Secrets
    ) -> tuple[WhyNotParamsUsed, Any]:
        known = secrets()
        kind = result.subject_type if result is not None else None
        params = params.model_copy(update={"subject": redact_subject(params.subject, principal, known, kind)})
        return params, redact_why_not(result, principal, known) if result is not None else None


class _CoordinatorsOnly(JobKind[Request, Used]):
    """A kind whose answer only coordinators read: it weighs offers no package uses (every other
    nation's units and money, a package built on them, each nation's fatal reason), which no
    redaction short of withholding it all keeps from a delegate. Others read the job, not its answer."""

    def job(self, params: Any, result: Any, principal: Principal, secrets: Secrets, **common: Any) -> BaseModel:
        if principal.is_coordinator:
            return super().job(params, result, principal, secrets, **common)
        used = self.params_model.model_validate(params)
        withheld = COORDINATORS_ONLY if result is not None else None
        return self.job_model(kind=self.name, params=used, result=None, withheld=withheld, **common)


class AlternativesKind(_CoordinatorsOnly[AlternativesRequest, AlternativesParamsUsed]):
    """The best package and others within a tolerance of it, each different enough."""

    name = "alternatives"
    source = "alternatives of scenario {}"
    action = "ask for alternatives"
    request_model = AlternativesRequest
    job_model = AlternativesJob
    params_model = AlternativesParamsUsed
    answer_model = Alternatives

    def used(self, request: AlternativesRequest, settings: Settings) -> AlternativesParamsUsed:
        return AlternativesParamsUsed(
            time_limit_s=_time_limit(settings, request.time_limit_s),
            seed=request.seed,
            workers=1,
            k=request.k,
            tolerance=request.tolerance,
            min_difference=request.min_difference,
        )

    def work(self, scenario: Scenario, used: AlternativesParamsUsed, scenario_id: str) -> Work:
        return alternatives_work(
            scenario, solve_params(used), k=used.k, tolerance=used.tolerance, min_difference=used.min_difference
        )


class ResilienceKind(_CoordinatorsOnly[ResilienceRequest, ResilienceParamsUsed]):
    """The package that survives the most single withdrawals."""

    name = "resilience"
    source = "resilience of scenario {}"
    action = "ask for the resilient package"
    request_model = ResilienceRequest
    job_model = ResilienceJob
    params_model = ResilienceParamsUsed
    answer_model = Resilient

    def used(self, request: ResilienceRequest, settings: Settings) -> ResilienceParamsUsed:
        return ResilienceParamsUsed(
            time_limit_s=_time_limit(settings, request.time_limit_s), seed=request.seed, workers=1
        )

    def work(self, scenario: Scenario, used: ResilienceParamsUsed, scenario_id: str) -> Work:
        return resilience_work(scenario, solve_params(used))


KINDS: dict[str, JobKind[Any, Any]] = {
    kind.name: kind
    for kind in (
        SolveKind(),
        WhatIfKind(),
        CriticalityKind(),
        ExplanationKind(),
        WhyNotKind(),
        AlternativesKind(),
        ResilienceKind(),
    )
}
"""Every job kind, by its `kind`."""
