"""A job's brief (`GET /v1/jobs/{id}/brief.pdf`): the PDF of a done solve or what-if, holding what
the job's answer shows the caller and no more (a delegate reads its own red lines, not another
nation's; an observer none), and refused for a job of another kind, unknown, or without a token."""

from __future__ import annotations

from forcepack.api.auth import Role
from forcepack.api.visibility import A_NATIONS_CONDITION, ANOTHER_NATIONS_CONDITION
from forcepack.models.analysis import WhatIf
from forcepack.models.loading import load_scenario
from forcepack.models.solution import Solution
from tests.api.conftest import EXAMPLES, Service
from tests.test_brief import PdfText, page_count


def _done(service: Service, path: str, body: dict[str, object]) -> str:
    location = service.client.post(path, json=body, headers=service.coordinator).headers["Location"]
    assert service.wait_job(location, timeout_s=120)["status"] == "done"
    return str(location)


def test_brief_of_a_solve_holds_what_each_role_may_read(service: Service) -> None:
    """The Khan Younis conflict's brief: the coordinator's names both red lines; Bangladesh's delegate
    reads its own and "another nation's condition" for Morocco's; an observer reads no red line."""
    location = _done(service, "/v1/scenarios/infeasible-khan-younis-police/solves", {})
    scenario = load_scenario(EXAMPLES / "infeasible-khan-younis-police.yaml")
    red_lines = {o.nation: {r.id for r in o.red_lines} for o in scenario.offers}
    every = set().union(*red_lines.values())
    readers = {
        "coordinator": (service.coordinator, every, set()),
        "BGD": (service.auth(Role.DELEGATE, "BGD"), red_lines["BGD"], {ANOTHER_NATIONS_CONDITION}),
        "observer": (service.auth(Role.OBSERVER), set(), {A_NATIONS_CONDITION}),
    }
    for who, (headers, own, placeholders) in readers.items():
        response = service.client.get(f"{location}/brief.pdf", headers=headers)
        assert response.status_code == 200, (who, response.text)
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        assert 1 <= page_count(response.content) <= 3
        text = PdfText(response.content)
        assert "INFEASIBLE" in text and scenario.name in text
        conflict = Solution.model_validate(service.client.get(location, headers=headers).json()["result"])
        assert conflict.explanation is not None
        named = {e.id for e in conflict.explanation.conflict if e.type == "red_line"}
        assert named & every == own & named, who  # (the job's view, as visibility redacts it)
        for red_line in every:
            assert (red_line in text) == (red_line in own & named), (who, red_line)
        for placeholder in placeholders:
            assert placeholder in text, who


def test_brief_of_a_what_if_holds_its_diff_as_the_caller_reads_it(service: Service) -> None:
    """A what-if job's brief counts the placements and lines its diff changes, and names who leaves:
    the diff of the job as the caller reads it (a delegate's leaves out placements of units the
    current package does not use: its brief counts none of them either)."""
    location = _done(
        service, "/v1/scenarios/gaza-isf/what-ifs", {"ops": [{"op": "withdraw", "nations": ["BGD"]}], "mode": "resolve"}
    )
    for headers in (service.coordinator, service.auth(Role.DELEGATE, "BGD")):
        answer = WhatIf.model_validate(service.client.get(location, headers=headers).json()["result"])
        assert answer.diff is not None
        response = service.client.get(f"{location}/brief.pdf", headers=headers)
        assert response.status_code == 200, response.text
        text = PdfText(response.content)
        assert f"Placements added or grown: {len(answer.diff.added)}" in text
        assert f"Placements removed or cut: {len(answer.diff.removed)}" in text
        assert f"Lines whose coverage changes: {len(answer.diff.coverage)}" in text
        assert "Nations leaving: Bangladesh (BGD)" in text
        if answer.withheld is not None:
            assert answer.withheld in text and "The package after the change is withheld" in text


def test_brief_refused_without_a_single_answer_to_print(service: Service) -> None:
    """No token: 401; a job unknown, or in a scenario the delegate's nation is not listed in: 404; a
    criticality sweep: 409, naming what a brief is of."""
    location = _done(service, "/v1/scenarios/tutorial/solves", {})
    assert service.client.get(f"{location}/brief.pdf").status_code == 401
    assert service.client.get("/v1/jobs/nope/brief.pdf", headers=service.coordinator).status_code == 404
    outsider = service.auth(Role.DELEGATE, "ZZZ")
    assert service.client.get(f"{location}/brief.pdf", headers=outsider).status_code == 404
    sweep = _done(service, "/v1/scenarios/tutorial/criticality", {"time_limit_s": 5})
    refused = service.client.get(f"{sweep}/brief.pdf", headers=service.coordinator)
    assert refused.status_code == 409
    assert "a brief is of a solve or a what-if" in refused.json()["detail"]
