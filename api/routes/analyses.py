"""Analyses as jobs: what-if, criticality, explanation, why-not, alternatives, the resilient package.

Each answers 202 with `Location`, like a solve.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from forcepack.api import service
from forcepack.api.deps import DatabaseDep, PrincipalDep, RawBodyDep, RunnerDep, SettingsDep
from forcepack.api.kinds import KINDS
from forcepack.api.openapi import (
    EXAMPLE_ALTERNATIVES,
    EXAMPLE_CRITICALITY,
    EXAMPLE_EXPLANATION,
    EXAMPLE_RESILIENCE,
    EXAMPLE_WHAT_IF,
    EXAMPLE_WHAT_IF_REPAIR,
    document_body,
    problems,
)
from forcepack.api.routes.jobs import IdempotencyKey, accepted
from forcepack.api.schemas import JobView

router = APIRouter(prefix="/v1/scenarios/{scenario_id}", tags=["analyses"])

ContentType = Annotated[str | None, Header(include_in_schema=False)]


@router.post(
    "/what-ifs",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body(
        "WhatIfRequest", {"Turkey withdraws": EXAMPLE_WHAT_IF, "Rafah contested, least churn": EXAMPLE_WHAT_IF_REPAIR}
    ),
)
def submit_what_if(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """What changes if the patch applies (coordinators): both packages and their diff, as a job.

    The body is a patch (`forcepack.patch/1`, JSON or YAML) with `mode`: `resolve` (the patched
    scenario's own optimum) or `repair` (least churn from the current package first). A patch
    that does not apply to the scenario is a 422 naming the operation (`ops[0].nations[0]`).
    """
    submitted = service.submit(
        KINDS["what-if"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.post(
    "/criticality",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body(
        "CriticalityRequest", {"N-1, ten seconds a solve": EXAMPLE_CRITICALITY}, required=False
    ),
)
def submit_criticality(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """The package re-solved without each participating nation (N-1), and each pair with `pairs` (N-2).

    Coordinators; most critical first. `time_limit_s` bounds each solve: the baseline, then one per
    withdrawal, one after the other in the job's slot.
    """
    submitted = service.submit(
        KINDS["criticality"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.post(
    "/explanations",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body("ExplanationRequest", {"three ways out": EXAMPLE_EXPLANATION}, required=False),
)
def submit_explanation(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """Why the scenario as it stands has no package: a minimal conflict and the cheapest ways out (coordinators)."""
    submitted = service.submit(
        KINDS["explanation"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.post(
    "/why-nots",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body("WhyNotRequest", {"why not Turkey": {"subject": "TUR", "time_limit_s": 10}}),
)
def submit_why_not(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """Why a nation (or an offered unit) is not in the best package (coordinators).

    The answer is the best package that includes it and what that costs against the optimum
    per criterion, or, when no package can include it, the conflict that keeps it out. A subject
    that names no nation, offered unit, pledge or requirement line of the scenario is a 422 naming `subject`.
    """
    submitted = service.submit(
        KINDS["why-not"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.post(
    "/alternatives",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body(
        "AlternativesRequest",
        {"three packages within 5 %": EXAMPLE_ALTERNATIVES},
        required=False,
    ),
)
def submit_alternatives(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """The best package and up to `k - 1` others within `tolerance` of it on every criterion, each
    differing from all before it in at least `min_difference` nation-sector placements (coordinators).

    `time_limit_s` bounds each solve: the best, then one per alternative. The answer is read by
    coordinators only (it shows packages built on offers no package uses).
    """
    submitted = service.submit(
        KINDS["alternatives"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)


@router.post(
    "/resilience",
    status_code=202,
    response_model=JobView,
    responses=problems(401, 403, 404, 413, 415, 422, 429),
    openapi_extra=document_body("ResilienceRequest", {"ten seconds a solve": EXAMPLE_RESILIENCE}, required=False),
)
def submit_resilience(
    scenario_id: str,
    body: RawBodyDep,
    db: DatabaseDep,
    runner: RunnerDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    content_type: ContentType = None,
) -> service.AnyJob:
    """The package that survives the most single withdrawals (every one when it can), a fallback for
    each (the others' units stay where they are), the withdrawals that stay fatal and why, and what
    resilience costs against the optimum (coordinators).

    `time_limit_s` bounds each solve: the optimum, the most withdrawals survived, then one fallback
    per participating nation. The answer is read by coordinators only.
    """
    submitted = service.submit(
        KINDS["resilience"], db, runner, settings, principal, scenario_id, body, content_type, idempotency_key
    )
    return accepted(response, submitted)
