"""The authorization matrix: every role x every operation x {own, another nation's, nonexistent}.

The delegate speaks for MAR. "Own" is what belongs to it (the tutorial scenario lists MAR; MAR's
offer; a job on the tutorial), "other" what belongs to another nation (a scenario without MAR,
Indonesia's offer, a job on that scenario), "nonexistent" an id nobody has.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from forcepack.api.app import create_app
from forcepack.api.auth import Role
from forcepack.api.setup import load_examples
from tests.api.conftest import EXAMPLES, BlockingSolve, Service, make_settings, scenario_document

DELEGATE_NATION = "MAR"
OWN_SCENARIO, OTHER_SCENARIO, NO_SCENARIO = "tutorial", "infeasible-funding", "no-such-scenario"
OWN_NATION, OTHER_NATION, NO_NATION = DELEGATE_NATION, "IDN", "ZZZ"
NO_JOB = "0" * 32
TARGETS = ("own", "other", "nonexistent")
ROLES = ("coordinator", "delegate", "observer", "anonymous")


@dataclass
class Context:
    """The module's service and the jobs made for it."""

    service: Service
    jobs: dict[str, str]
    counter: Iterator[int]

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        if role == "anonymous":
            return {name.replace("_", "-"): value for name, value in extra.items()}
        if role == "delegate":
            return self.service.auth(Role.DELEGATE, DELEGATE_NATION, **extra)
        return self.service.auth(Role(role), **extra)

    def running_job(self, scenario_id: str) -> str:
        """A new job on this scenario, held running by the blocking solve."""
        response = self.service.client.post(f"/v1/scenarios/{scenario_id}/solves", headers=self.service.coordinator)
        assert response.status_code == 202, response.text
        job_id: str = response.json()["id"]
        return job_id


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """One service for the whole matrix; solves block until cancelled, so jobs stay running."""
    app = create_app(
        make_settings(tmp_path_factory.mktemp("matrix"), max_concurrent_solves=64, queue_length=64),
        solve=BlockingSolve(),
    )
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        ctx = Context(service, {}, itertools.count())
        ctx.jobs = {
            "own": ctx.running_job(OWN_SCENARIO),
            "other": ctx.running_job(OTHER_SCENARIO),
            "nonexistent": NO_JOB,
        }
        yield ctx


SCENARIO_OF = {"own": OWN_SCENARIO, "other": OTHER_SCENARIO, "nonexistent": NO_SCENARIO}
NATION_OF = {"own": OWN_NATION, "other": OTHER_NATION, "nonexistent": NO_NATION}


def _offer_body(ctx: Context, nation: str) -> dict[str, Any]:
    if nation == NO_NATION:
        return {"units": []}
    current = ctx.service.client.get(f"/v1/scenarios/{OWN_SCENARIO}/offers/{nation}", headers=ctx.service.coordinator)
    offer: dict[str, Any] = current.json()["offer"]
    return offer


def op_list(ctx: Context, role: str, target: str) -> str:
    response = ctx.service.client.get("/v1/scenarios", headers=ctx.headers(role))
    if response.status_code != 200:
        return str(response.status_code)
    listed = {item["id"] for item in response.json()["items"]}
    return "listed" if SCENARIO_OF[target] in listed else "unlisted"


def op_create(ctx: Context, role: str, target: str) -> str:
    new_id = f"new-{role}-{target}-{next(ctx.counter)}"
    if target == "own":
        body = scenario_document(new_id, [DELEGATE_NATION])
    elif target == "other":
        body = scenario_document(new_id, [OTHER_NATION])
    else:  # an offer of a nation the scenario does not list
        body = scenario_document(new_id, [OTHER_NATION], extra_offer_nation=NO_NATION)
    return str(ctx.service.client.post("/v1/scenarios", json=body, headers=ctx.headers(role)).status_code)


def op_get_scenario(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{SCENARIO_OF[target]}"
    return str(ctx.service.client.get(url, headers=ctx.headers(role)).status_code)


def op_patch_scenario(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{SCENARIO_OF[target]}"
    body = {"description": f"changed by {role}"}
    return str(ctx.service.client.patch(url, json=body, headers=ctx.headers(role, If_Match="*")).status_code)


def op_get_offer(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{OWN_SCENARIO}/offers/{NATION_OF[target]}"
    return str(ctx.service.client.get(url, headers=ctx.headers(role)).status_code)


def op_put_offer(ctx: Context, role: str, target: str) -> str:
    nation = NATION_OF[target]
    url = f"/v1/scenarios/{OWN_SCENARIO}/offers/{nation}"
    body = _offer_body(ctx, nation)
    return str(ctx.service.client.put(url, json=body, headers=ctx.headers(role, If_Match="*")).status_code)


def op_offer_history(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{OWN_SCENARIO}/offers/{NATION_OF[target]}/history"
    return str(ctx.service.client.get(url, headers=ctx.headers(role)).status_code)


def op_solve(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{SCENARIO_OF[target]}/solves"
    response = ctx.service.client.post(url, json={"time_limit_s": 1}, headers=ctx.headers(role))
    if response.status_code == 202:
        ctx.service.client.delete(response.headers["Location"], headers=ctx.service.coordinator)
    return str(response.status_code)


def _analysis(path: str, body: dict[str, Any]) -> Callable[[Context, str, str], str]:
    def op(ctx: Context, role: str, target: str) -> str:
        url = f"/v1/scenarios/{SCENARIO_OF[target]}/{path}"
        response = ctx.service.client.post(url, json=body, headers=ctx.headers(role))
        if response.status_code == 202:
            ctx.service.client.delete(response.headers["Location"], headers=ctx.service.coordinator)
        return str(response.status_code)

    return op


op_what_if = _analysis("what-ifs", {"ops": [{"op": "set_control", "sector": "rafah", "control": "hostile"}]})
op_criticality = _analysis("criticality", {"time_limit_s": 1})
op_explanation = _analysis("explanations", {"time_limit_s": 1})
op_why_not = _analysis("why-nots", {"subject": "IDN", "time_limit_s": 1})  # IDN offers to both scenarios


def op_list_jobs(ctx: Context, role: str, target: str) -> str:
    url = f"/v1/scenarios/{SCENARIO_OF[target]}/jobs"
    return str(ctx.service.client.get(url, headers=ctx.headers(role)).status_code)


def op_get_job(ctx: Context, role: str, target: str) -> str:
    return str(ctx.service.client.get(f"/v1/jobs/{ctx.jobs[target]}", headers=ctx.headers(role)).status_code)


def op_follow_job(ctx: Context, role: str, target: str) -> str:
    """Open the job's event stream and leave as soon as the status is known (the job keeps running)."""
    with ctx.service.client.stream("GET", f"/v1/jobs/{ctx.jobs[target]}/events", headers=ctx.headers(role)) as r:
        return str(r.status_code)


def op_cancel_job(ctx: Context, role: str, target: str) -> str:
    job_id = NO_JOB if target == "nonexistent" else ctx.running_job(SCENARIO_OF[target])
    status = ctx.service.client.delete(f"/v1/jobs/{job_id}", headers=ctx.headers(role)).status_code
    if status != 200 and job_id != NO_JOB:
        ctx.service.client.delete(f"/v1/jobs/{job_id}", headers=ctx.service.coordinator)
    return str(status)


OPERATIONS: dict[str, Callable[[Context, str, str], str]] = {
    "list scenarios": op_list,
    "create scenario": op_create,
    "read scenario": op_get_scenario,
    "change scenario": op_patch_scenario,
    "read offer": op_get_offer,
    "write offer": op_put_offer,
    "read offer history": op_offer_history,
    "solve": op_solve,
    "what-if": op_what_if,
    "criticality": op_criticality,
    "explanation": op_explanation,
    "why-not": op_why_not,
    "list jobs": op_list_jobs,
    "read job": op_get_job,
    "follow job": op_follow_job,
    "cancel job": op_cancel_job,
}

# role -> operation -> (own, other, nonexistent)
EXPECTED: dict[str, dict[str, tuple[str, str, str]]] = {
    "coordinator": {
        "list scenarios": ("listed", "listed", "unlisted"),
        "create scenario": ("201", "201", "422"),
        "read scenario": ("200", "200", "404"),
        "change scenario": ("200", "200", "404"),
        "read offer": ("200", "200", "404"),
        "write offer": ("200", "200", "404"),
        "read offer history": ("200", "200", "404"),
        "solve": ("202", "202", "404"),
        "what-if": ("202", "202", "404"),
        "criticality": ("202", "202", "404"),
        "explanation": ("202", "202", "404"),
        "why-not": ("202", "202", "404"),
        "list jobs": ("200", "200", "404"),
        "read job": ("200", "200", "404"),
        "follow job": ("200", "200", "404"),
        "cancel job": ("200", "200", "404"),
    },
    "delegate": {
        "list scenarios": ("listed", "unlisted", "unlisted"),
        "create scenario": ("403", "403", "403"),
        "read scenario": ("200", "404", "404"),
        "change scenario": ("403", "403", "403"),
        "read offer": ("200", "404", "404"),
        "write offer": ("200", "404", "404"),
        "read offer history": ("200", "404", "404"),
        "solve": ("403", "403", "403"),
        "what-if": ("403", "403", "403"),
        "criticality": ("403", "403", "403"),
        "explanation": ("403", "403", "403"),
        "why-not": ("403", "403", "403"),
        "list jobs": ("200", "404", "404"),
        "read job": ("200", "404", "404"),
        "follow job": ("200", "404", "404"),
        "cancel job": ("403", "403", "403"),
    },
    "observer": {
        "list scenarios": ("listed", "listed", "unlisted"),
        "create scenario": ("403", "403", "403"),
        "read scenario": ("200", "200", "404"),
        "change scenario": ("403", "403", "403"),
        "read offer": ("403", "403", "403"),
        "write offer": ("403", "403", "403"),
        "read offer history": ("403", "403", "403"),
        "solve": ("403", "403", "403"),
        "what-if": ("403", "403", "403"),
        "criticality": ("403", "403", "403"),
        "explanation": ("403", "403", "403"),
        "why-not": ("403", "403", "403"),
        "list jobs": ("200", "200", "404"),
        "read job": ("200", "200", "404"),
        "follow job": ("200", "200", "404"),
        "cancel job": ("403", "403", "403"),
    },
    "anonymous": dict.fromkeys(OPERATIONS, ("401", "401", "401")),
}

CELLS = [
    pytest.param(role, operation, target, id=f"{role}-{operation.replace(' ', '_')}-{target}")
    for role in ROLES
    for operation in OPERATIONS
    for target in TARGETS
]


@pytest.mark.parametrize(("role", "operation", "target"), CELLS)
def test_authorization_matrix_cell(context: Context, role: str, operation: str, target: str) -> None:
    """Each role gets exactly the answer of its cell for each operation on each kind of target."""
    expected = EXPECTED[role][operation][TARGETS.index(target)]
    assert OPERATIONS[operation](context, role, target) == expected


def test_authorization_matrix_is_complete() -> None:
    """The expectations name every role and every operation, three targets each."""
    assert set(EXPECTED) == set(ROLES)
    for role in ROLES:
        assert set(EXPECTED[role]) == set(OPERATIONS)


@pytest.mark.parametrize(
    ("foreign", "unknown"),
    [
        (f"/v1/scenarios/{OWN_SCENARIO}/offers/{OTHER_NATION}", f"/v1/scenarios/{OWN_SCENARIO}/offers/{NO_NATION}"),
        (
            f"/v1/scenarios/{OWN_SCENARIO}/offers/{OTHER_NATION}/history",
            f"/v1/scenarios/{OWN_SCENARIO}/offers/{NO_NATION}/history",
        ),
        (f"/v1/scenarios/{OTHER_SCENARIO}", f"/v1/scenarios/{NO_SCENARIO}"),
    ],
)
def test_authorization_foreign_and_unknown_ids_answer_alike(context: Context, foreign: str, unknown: str) -> None:
    """A delegate cannot tell another nation's resource from one that does not exist: same status, same body."""
    headers = context.headers("delegate")
    a, b = context.service.client.get(foreign, headers=headers), context.service.client.get(unknown, headers=headers)
    assert a.status_code == b.status_code == 404
    a_text, b_text = a.text, b.text
    for name_a, name_b in ((OTHER_NATION, NO_NATION), (OTHER_SCENARIO, NO_SCENARIO)):
        a_text, b_text = a_text.replace(name_a, "X"), b_text.replace(name_b, "X")
    assert a_text == b_text
    assert a.headers.keys() - {"content-length", "date"} == b.headers.keys() - {"content-length", "date"}


def test_authorization_foreign_job_answers_like_unknown(context: Context) -> None:
    """A job on a scenario the delegate may not see answers 404 like a job id that does not exist."""
    headers = context.headers("delegate")
    client = context.service.client
    foreign = client.get(f"/v1/jobs/{context.jobs['other']}", headers=headers)
    unknown = client.get(f"/v1/jobs/{NO_JOB}", headers=headers)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.text.replace(context.jobs["other"], "X") == unknown.text.replace(NO_JOB, "X")


def test_authorization_revoked_token_is_refused(context: Context) -> None:
    """A revoked token answers 401, like an unknown one, with a Bearer challenge."""
    from forcepack.api.auth import create_token, revoke_token

    with context.service.database.write() as session:
        issued = create_token(session, Role.COORDINATOR)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert context.service.client.get("/v1/scenarios", headers=headers).status_code == 200
    with context.service.database.write() as session:
        assert revoke_token(session, issued.id)
    refused = context.service.client.get("/v1/scenarios", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = context.service.client.get("/v1/scenarios", headers={"Authorization": "Bearer not-a-token"})
    assert unknown.status_code == 401
