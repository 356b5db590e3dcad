"""What a hostile delegate once got through, each now refused at its mechanism: figures that
overflowed the model, exception text read by every role, a parse that held the write lock,
masked names shown beside their mask, hashes that confirmed guesses, bodies read before the token."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from forcepack.api import service as api_service
from forcepack.api import store
from forcepack.api.auth import Role
from forcepack.api.documents import digest, offer_size
from forcepack.api.limits import BodySizeLimit
from forcepack.models import Scenario
from forcepack.models import limits as L
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams
from tests.api.conftest import BlockingSolve, Service, scenario_document

OFFER = "/v1/scenarios/{}/offers/{}"
SOLVES = "/v1/scenarios/{}/solves"


def _put_offer(service: Service, nation: str, offer: dict[str, Any], *, role: Role = Role.DELEGATE) -> Any:
    headers = service.auth(role, nation if role is Role.DELEGATE else None)
    etag = service.client.get(OFFER.format("tutorial", nation), headers=headers).headers["etag"]
    return service.client.put(OFFER.format("tutorial", nation), json=offer, headers={**headers, "If-Match": etag})


# -- 1. figures that overflowed the model ----------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "field"),
    [
        ({"red_lines": [{"id": "big", "kind": "max_personnel", "limit": 10**29}]}, "red_lines[0].limit"),
        ({"red_lines": [{"id": "big", "kind": "min_contingent", "personnel": 10**29}]}, "red_lines[0].personnel"),
        (
            {"red_lines": [{"id": "big", "kind": "requires_partner", "nations": ["MAR"], "min": 10**29}]},
            "red_lines[0].min",
        ),
        (
            {
                "units": [
                    {
                        "id": f"e{i}",
                        "capability": "engineer",
                        "count": 10_000,
                        "personnel": 1,
                        "monthly_cost_usd": 10**10,
                    }
                    for i in range(5)
                ]
            },
            "units",
        ),
    ],
    ids=["max_personnel", "min_contingent", "requires_partner", "cost-overflow"],
)
def test_hardening_offer_past_a_limit_is_422_naming_the_field(
    service: Service, offer: dict[str, Any], field: str
) -> None:
    """Figures that once made every solve of the scenario fail are refused when the offer is written."""
    response = _put_offer(service, "IDN", offer)
    assert response.status_code == 422, response.text
    # The field's path, then the ids of the elements on it (`red_lines[0].limit (id: idn-max): ...`).
    named = re.compile(rf"{re.escape(field)}( \(id: [^)]*\))?: ")
    assert any(named.match(p) for p in response.json()["problems"]), response.json()


def test_hardening_offer_at_the_limits_still_solves(service: Service) -> None:
    """A delegate's offer at every limit at once is accepted, and the scenario's solve answers (done)."""
    months = 22  # the tutorial's horizon, March 2026 to December 2027
    units = [
        {
            "id": "idn-eng",
            "capability": "engineer",
            "count": L.MAX_UNIT_COUNT,
            "personnel": L.MAX_OFFER_PERSONNEL // L.MAX_UNIT_COUNT,
            "monthly_cost_usd": L.MAX_OFFER_COST_USD // (L.MAX_UNIT_COUNT * months),
        }
    ]
    offer = {
        "units": units,
        "funding": [{"id": "idn-fund", "amount_usd": L.MAX_OFFER_PLEDGES_USD}],
        "red_lines": [
            {"id": "idn-max", "kind": "max_personnel", "limit": L.MAX_PERSONNEL_FIGURE},
            {"id": "idn-min", "kind": "min_contingent", "personnel": L.MAX_PERSONNEL_FIGURE},
            {"id": "idn-partners", "kind": "requires_partner", "nations": ["MAR"], "min": 1},
            {"id": "idn-sectors", "kind": "max_sectors", "count": L.MAX_SECTOR_COUNT},
        ],
    }
    assert _put_offer(service, "IDN", offer).status_code == 200
    job = service.client.post(SOLVES.format("tutorial"), json={"time_limit_s": 10}, headers=service.coordinator)
    assert job.status_code == 202
    assert service.wait_job(job.headers["Location"], timeout_s=120)["status"] == "done"


# -- 2. a failed job's text ----------------------------------------------------------------


def _failing_solve(message: str) -> Callable[..., Solution]:
    def solve(scenario: Scenario, params: SolveParams | None = None, **_: Any) -> Solution:
        raise RuntimeError(message)

    return solve


def test_hardening_failed_job_tells_only_coordinators_its_error(
    make_service: Callable[..., Service], caplog: pytest.LogCaptureFixture
) -> None:
    """An exception quoting another nation's unit and red line: delegates and observers read an
    incident id, in the job and in the jobs list; coordinators and the log read the error."""
    secret = "unit idn-eng (180 personnel) under red line idn-no-combat"
    service = make_service(solve=_failing_solve(secret))
    with caplog.at_level(logging.ERROR, logger="forcepack.api.jobs"):
        location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
        assert service.wait_job(location)["status"] == "failed"
    coordinator = service.client.get(location, headers=service.coordinator).json()
    assert secret in coordinator["error_detail"]
    incident = coordinator["error"].rsplit(" ", 1)[-1]
    assert len(incident) == 12 and secret not in coordinator["error"]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
    for headers in (service.auth(Role.DELEGATE, "MAR"), service.auth(Role.OBSERVER)):
        job = service.client.get(location, headers=headers).json()
        listed = service.client.get("/v1/scenarios/tutorial/jobs", headers=headers).json()["items"][0]
        for answer in (job, listed):
            assert answer["error"] == coordinator["error"]
            assert answer["error_detail"] is None
            assert "idn" not in json.dumps(answer)


def test_hardening_internal_error_names_an_incident_only(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug on a route answers 500 with an incident id and nothing of the exception."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret figures of IDN")

    monkeypatch.setattr(api_service, "list_scenarios", broken)
    client = TestClient(service.app, raise_server_exceptions=False)
    response = client.get("/v1/scenarios", headers=service.coordinator)
    assert response.status_code == 500
    assert "secret" not in response.text and "incident" in response.json()["detail"]


# -- 3. parsing outside the write lock; results never lost to a busy lock ----------------------


def test_hardening_a_body_being_parsed_holds_no_lock(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one delegate's body is still being read (held here on an event), another nation's
    write goes through at once: parsing happens before any transaction."""
    parsing, release = threading.Event(), threading.Event()
    real = api_service.read_body_document

    def slow(body: bytes, content_type: str | None, source: str, **options: Any) -> Any:
        if b"slow-marker" in body:
            parsing.set()
            assert release.wait(30)
        return real(body, content_type, source, **options)

    monkeypatch.setattr(api_service, "read_body_document", slow)
    slow_offer = {"units": [{"id": "slow-marker", "capability": "engineer", "count": 1, "personnel": 10}]}
    answers: list[int] = []
    worker = threading.Thread(target=lambda: answers.append(_put_offer(service, "IDN", slow_offer).status_code))
    worker.start()
    try:
        assert parsing.wait(30)
        fast = _put_offer(
            service, "MAR", {"units": [{"id": "m1", "capability": "infantry", "count": 1, "personnel": 600}]}
        )
        assert fast.status_code == 200, fast.text
    finally:
        release.set()
        worker.join(30)
    assert answers == [200]


def test_hardening_pathological_yaml_is_refused_without_stalling_writes(service: Service) -> None:
    """Bodies that once took the parser quadratic time (deep flow nesting, many flow mappings) are
    refused with a 422 naming the line, and an ordinary write after them succeeds."""
    headers = service.auth(Role.DELEGATE, "IDN", Content_Type="application/yaml", If_Match="*")
    deep = b"units: " + b"[" * 30_000 + b"]" * 30_000
    many = b"units: [" + b", ".join(b"{a: [[[[1]]]], b: 2}" for _ in range(40_000)) + b"]"
    for body in (deep, many):
        response = service.client.put(OFFER.format("tutorial", "IDN"), content=body, headers=headers)
        assert response.status_code == 422, response.text[:200]
        assert response.json()["problems"][0].startswith("line 1, column ")
    assert _put_offer(service, "MAR", {"units": []}).status_code == 200


def test_hardening_job_result_survives_a_busy_database(make_service: Callable[..., Service]) -> None:
    """A job that finishes while another writer holds the database past the busy timeout keeps its
    answer: recording it is tried again until the lock is free."""
    blocking = BlockingSolve()
    service = make_service(solve=blocking, busy_timeout_ms=50)
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    assert blocking.started.acquire(timeout=30)
    with service.database.write():  # another writer holds the lock
        blocking.release.set()
        deadline = threading.Event()
        while service.runner.busy_retries < 2 and not deadline.wait(0.02):
            pass
        assert service.runner.busy_retries >= 2
    assert service.wait_job(location)["status"] == "done"


# -- 5. what once answered 500 -------------------------------------------------------------


def test_hardening_former_500s_are_4xx(service: Service) -> None:
    """Huge integers (JSON and YAML), YAML complex keys, a huge offset, a long file name, JSON
    duplicate keys: each a 4xx problem document, never a 500."""
    idn = service.auth(Role.DELEGATE, "IDN", If_Match="*")
    digits = b"9" * 5000
    json_int = b'{"units": [{"id": "x", "capability": "engineer", "count": ' + digits + b', "personnel": 1}]}'
    yaml_int = b"units:\n- {id: x, capability: engineer, count: " + digits + b", personnel: 1}\n"
    cases = [
        ("PUT", OFFER.format("tutorial", "IDN"), json_int, "application/json", "units[0].count (id: x): "),
        ("PUT", OFFER.format("tutorial", "IDN"), yaml_int, "application/yaml", "units[0].count (id: x): "),
        ("PUT", OFFER.format("tutorial", "IDN"), b"? [a, b]\n: 1\n", "application/yaml", "line 1, column 3: "),
        ("PUT", OFFER.format("tutorial", "IDN"), b'{"units": [], "units": []}', "application/json", "(document): "),
    ]
    for method, path, body, media, problem in cases:
        response = service.client.request(method, path, content=body, headers={**idn, "Content-Type": media})
        assert response.status_code == 422, (problem, response.text[:300])
        assert response.json()["problems"][0].startswith(problem), response.json()
        assert len(response.text) < 2000  # the number is not echoed whole
    offset = service.client.get(f"/v1/scenarios/tutorial/jobs?offset={2**63}", headers=service.auth(Role.OBSERVER))
    assert offset.status_code == 422
    assert service.client.get("/web/" + "a" * 300 + ".js").status_code == 404


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        (b"{bad", "application/json", 422),
        (b"a: 1\na: 2\n", "application/yaml", 422),
        (b'{"seed": 1, "seed": 2}', "application/json", 422),
        (b"{}", "text/plain", 415),
        (b"[]", "application/json", 422),
        (b'{"workers": 8}', "application/json", 422),
    ],
)
def test_hardening_every_job_kind_answers_a_bad_request_alike(
    service: Service, body: bytes, media: str, status: int
) -> None:
    """The same bad body gets the same status from every job-creating route."""
    for kind in ("solves", "what-ifs", "criticality", "explanations", "why-nots"):
        response = service.client.post(
            f"/v1/scenarios/tutorial/{kind}", content=body, headers=service.auth_coordinator_with(Content_Type=media)
        )
        assert response.status_code == status, (kind, response.text)


# -- 7. masked names never beside their mask -----------------------------------------------


def test_hardening_why_not_masks_the_subject_everywhere(service: Service) -> None:
    """Asked about Kosovo's infantry (left out of the Gaza package), the answer for Indonesia's
    delegate names it nowhere; the package that includes it is withheld (its rows would tell the
    unit's size and cost, which no public package shows), the price of including it is not."""
    unit = "xkx-inf"
    location = service.client.post(
        "/v1/scenarios/gaza-isf/why-nots", json={"subject": unit, "time_limit_s": 20}, headers=service.coordinator
    ).headers["Location"]
    assert service.wait_job(location, timeout_s=120)["status"] == "done"
    coordinator = service.client.get(location, headers=service.coordinator).json()
    assert unit in json.dumps(coordinator["result"]["with_subject"]["assignments"])
    idn = service.client.get(location, headers=service.auth(Role.DELEGATE, "IDN")).json()
    assert unit not in json.dumps(idn)
    assert idn["result"]["with_subject"] is None
    assert idn["result"]["deltas"] == coordinator["result"]["deltas"] != []


def test_hardening_what_if_masks_a_removed_unit_everywhere(service: Service) -> None:
    """A what-if taking Pakistan's quick reaction force off the table reads "another nation's
    offer" for Indonesia's delegate in the patch and in the diff's removed placements alike."""
    body = {"ops": [{"op": "remove_unit", "unit": "pak-qrf"}], "time_limit_s": 20}
    location = service.client.post("/v1/scenarios/gaza-isf/what-ifs", json=body, headers=service.coordinator).headers[
        "Location"
    ]
    assert service.wait_job(location, timeout_s=120)["status"] == "done"
    coordinator = service.client.get(location, headers=service.coordinator).json()
    assert "pak-qrf" in json.dumps(coordinator["result"]["diff"]["removed"])
    idn = service.client.get(location, headers=service.auth(Role.DELEGATE, "IDN")).json()
    assert "pak-qrf" not in json.dumps(idn)
    assert idn["params"]["patch"]["ops"][0]["unit"] == "another nation's offer"
    assert "another nation's offer" in [change["unit"] for change in idn["result"]["diff"]["removed"]]


# -- 8. hashes that confirmed guesses --------------------------------------------------------


def test_hardening_offer_etags_confirm_no_guess(make_service: Callable[..., Service]) -> None:
    """An observer sees each offer's ETag; recomputing it from a guess of the offer (the plain
    digest the ETag once was) does not match, and the ETag stays the same across restarts."""
    service = make_service()
    offer = service.client.get(OFFER.format("tutorial", "SAU"), headers=service.coordinator).json()
    stored = {k: v for k, v in offer["offer"].items() if k != "nation"}
    stored = json.loads(json.dumps(stored))
    observed = {
        entry["nation"]: entry["etag"]
        for entry in service.client.get("/v1/scenarios/tutorial", headers=service.auth(Role.OBSERVER)).json()["offers"]
    }
    guess = f'"{offer["version"]}-{digest({k: v for k, v in stored.items() if v is not None})[:16]}"'
    assert observed["SAU"] == offer["etag"] != guess
    url = service.app.state.settings.database_url
    again = make_service(examples=False, database_url=url)
    assert again.client.get(OFFER.format("tutorial", "SAU"), headers=again.coordinator).headers["etag"] == offer["etag"]


def test_hardening_package_digest_is_keyed_for_non_coordinators(service: Service) -> None:
    """The package's `scenario.sha256` covers every red line: delegates and observers read a keyed digest."""
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    assert service.wait_job(location)["status"] == "done"
    real = service.client.get(location, headers=service.coordinator).json()["result"]["scenario"]["sha256"]
    for headers in (service.auth(Role.OBSERVER), service.auth(Role.DELEGATE, "IDN")):
        shown = service.client.get(location, headers=headers).json()["result"]["scenario"]["sha256"]
        assert shown != real and len(shown) == 64
        assert shown != hashlib.sha256(real.encode()).hexdigest()


# -- 9. smaller ones -------------------------------------------------------------------------


def test_hardening_body_is_not_read_before_the_token(service: Service) -> None:
    """A POST without a valid token is answered 401 before a byte of its body is read."""
    received: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # never reached
        raise AssertionError("the application was called")

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/v1/scenarios/tutorial/offers/IDN",
        "headers": [(b"content-length", b"4000000"), (b"authorization", b"Bearer not-a-token")],
        "app": service.app,
    }
    anyio.run(BodySizeLimit(app, max_bytes=4 * 1024 * 1024), scope, receive, send)
    assert sent[0]["status"] == 401
    assert received == []


def test_hardening_answers_are_never_stored_by_caches(service: Service) -> None:
    """Answers carrying offers, red lines or packages say `Cache-Control: no-store`."""
    for path in (
        "/v1/scenarios/tutorial",
        OFFER.format("tutorial", "IDN"),
        "/v1/scenarios/tutorial/offers/IDN/history",
    ):
        assert service.client.get(path, headers=service.coordinator).headers["cache-control"] == "no-store"


# -- what a second attack found ----------------------------------------------------------------


def test_hardening_a_get_with_a_body_never_reads_it(service: Service) -> None:
    """No GET takes a body: the application is handed an empty one, and not a byte of the one sent
    is read (nobody, token or not, makes the server hold what it never needed)."""
    received: list[Any] = []
    bodies: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        bodies.append(message["body"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/scenarios",
        "headers": [(b"content-length", b"4000000")],
        "app": service.app,
    }
    anyio.run(BodySizeLimit(app, max_bytes=1024), scope, receive, send)
    assert received == [] and bodies == [b""]


def test_hardening_if_none_match_alone_is_no_precondition(service: Service) -> None:
    """A write needs `If-Match`, or `If-None-Match: *` for a first version: an `If-None-Match`
    naming some other ETag is no precondition at all (428), and one naming the current version
    fails (412); the offer is unchanged by either."""
    headers = service.auth(Role.DELEGATE, "IDN")
    url = OFFER.format("tutorial", "IDN")
    before = service.client.get(url, headers=headers)
    offer = {k: v for k, v in before.json()["offer"].items() if k != "nation"}
    stale = service.client.put(url, json=offer, headers={**headers, "If-None-Match": '"0-nothing"'})
    assert stale.status_code == 428, stale.text
    current = service.client.put(url, json=offer, headers={**headers, "If-None-Match": before.headers["etag"]})
    assert current.status_code == 412, current.text
    assert service.client.get(url, headers=headers).headers["etag"] == before.headers["etag"]


def test_hardening_equal_offers_of_two_nations_share_no_etag(service: Service) -> None:
    """An ETag is keyed by scenario, nation and version: two nations offering the same money read
    two ETags, so an ETag seen tells nothing of an offer that could not be read."""
    offer = {"funding": [{"id": "same", "amount_usd": 1_000_000}]}
    etags = {nation: _put_offer(service, nation, offer).headers["etag"] for nation in ("SAU", "TUR")}
    assert all(etags.values()) and etags["SAU"] != etags["TUR"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('{"units": [{"id": "\\ud800", "capability": "engineer", "count": 1, "personnel": 1}]}', "surrogate"),
        ('{"units": [{"id": "a", "capability": "engineer", "count": 2.9999999999999999, "personnel": 1}]}', "count"),
        ("[" * 300_000 + "]" * 300_000, "lists and mappings"),
    ],
    ids=["lone-surrogate", "whole-number-written-as-fraction", "bracket-flood"],
)
def test_hardening_json_is_read_exactly_or_refused(service: Service, body: str, problem: str) -> None:
    """JSON is held to what it says: a lone surrogate (no text) and a flood of brackets are
    refused, and 2.9999999999999999 is no whole number (a float would read 3)."""
    headers = {**service.auth(Role.DELEGATE, "IDN"), "Content-Type": "application/json"}
    etag = service.client.get(OFFER.format("tutorial", "IDN"), headers=headers).headers["etag"]
    response = service.client.put(
        OFFER.format("tutorial", "IDN"), content=body.encode(), headers={**headers, "If-Match": etag}
    )
    assert response.status_code == 422, response.text
    assert problem in json.dumps(response.json()["problems"])


def test_hardening_fractions_are_taken_as_written() -> None:
    """A share or tolerance is the decimal written: 0.29 reads exactly as 0.29's float, and a
    decimal no float holds (more than 15 significant digits) is refused, never rounded."""
    from forcepack.models.errors import ScenarioInputError
    from forcepack.models.loading import parse_scenario, read_document

    text = Scenario.model_validate(json.loads(json.dumps(_tutorial_document()))).model_dump_json(
        by_alias=True, exclude_none=True
    )
    data = json.loads(text)
    data["targets"]["max_nation_share"] = "SHARE"
    written = json.dumps(data).replace('"SHARE"', "0.29")
    read = read_document(written, "s.json", as_json=True)
    assert parse_scenario(read, "s.json").targets.max_nation_share == 0.29
    with pytest.raises(ScenarioInputError, match="max_nation_share"):
        parse_scenario(read_document(written.replace("0.29", "0.2900000000000000001"), "s.json", as_json=True))


def _tutorial_document() -> dict[str, Any]:
    from forcepack.models.loading import load_scenario
    from tests.api.conftest import EXAMPLES

    return load_scenario(EXAMPLES / "tutorial.yaml").model_dump(mode="json", by_alias=True, exclude_none=True)


def test_hardening_a_bug_answers_500_without_resetting_the_connection(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error, even one past the exception handlers, is the 500 problem document,
    not cached, and the next request on the same client is answered."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("IDN's secret figures")

    monkeypatch.setattr(api_service, "list_scenarios", broken)
    client = TestClient(service.app, raise_server_exceptions=False)
    response = client.get("/v1/scenarios", headers=service.coordinator)
    assert response.status_code == 500 and response.headers["cache-control"] == "no-store"
    assert "secret" not in response.text
    assert client.get("/health").status_code == 200


def test_hardening_a_long_value_is_cut_and_counted_exactly(service: Service) -> None:
    """A value an error repeats is cut at 80 characters, and the count given is the value's own."""
    response = service.client.post(
        SOLVES.format("tutorial"), json={}, headers={**service.coordinator, "Idempotency-Key": "k" * 300}
    )
    assert response.status_code == 422
    assert "(300 characters)" in response.json()["problems"][0]


def test_hardening_no_redirect_names_a_claimed_host(service: Service) -> None:
    """A path with a trailing slash is a 404, not a redirect to the host the request claimed."""
    response = service.client.get(
        "/v1/scenarios/", headers={**service.coordinator, "Host": "attacker.example"}, follow_redirects=False
    )
    assert response.status_code == 404 and "attacker" not in response.headers.get("location", "")


# -- what a third review found -----------------------------------------------------------------

HISTORY = "/v1/scenarios/{}/offers/{}/history"
PARTS_READ = re.compile(r"\bscenarios\.parts\b")


@contextmanager
def _statements(service: Service) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the service runs inside the block, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(service.database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(service.database.engine, "before_cursor_execute", record)


def test_hardening_a_hidden_scenario_is_refused_without_reading_its_parts(service: Service) -> None:
    """A delegate's 404 on a scenario that does not list its nation is decided from the scenario's
    `nations` alone: its parts (as large as a scenario file) are never read, so the answer's time
    does not grow with them. Every route that takes a scenario or one of its jobs is asked."""
    hidden = scenario_document("hidden", ["MAR", "SAU"])
    assert service.client.post("/v1/scenarios", json=hidden, headers=service.coordinator).status_code == 201
    job = service.client.post(SOLVES.format("hidden"), json={"time_limit_s": 5}, headers=service.coordinator)
    service.wait_job(job.headers["Location"])
    idn = service.auth(Role.DELEGATE, "IDN")
    requests = [
        ("GET", "/v1/scenarios/hidden"),
        ("GET", OFFER.format("hidden", "IDN")),
        ("GET", HISTORY.format("hidden", "IDN")),
        ("GET", "/v1/scenarios/hidden/jobs"),
        ("GET", job.headers["Location"]),
        ("GET", job.headers["Location"] + "/events"),
    ]
    for method, path in requests:
        with _statements(service) as seen:
            answer = service.client.request(method, path, headers=idn)
        assert answer.status_code == 404, (path, answer.text)
        assert [s for s, _ in seen if PARTS_READ.search(s)] == [], path
    with _statements(service) as seen:
        put = service.client.put(OFFER.format("hidden", "IDN"), json={"units": []}, headers={**idn, "If-Match": "*"})
    assert put.status_code == 404
    assert [s for s, _ in seen if PARTS_READ.search(s)] == []
    with _statements(service) as seen:
        listed = service.client.get("/v1/scenarios", headers=idn).json()
    assert "hidden" not in [item["id"] for item in listed["items"]]
    assert all("hidden" not in json.dumps(p, default=str) for s, p in seen if PARTS_READ.search(s))
    # The detector sees a read when there is one: the delegate's own scenario's parts are read.
    with _statements(service) as seen:
        assert service.client.get("/v1/scenarios/tutorial", headers=idn).status_code == 200
    assert any(PARTS_READ.search(s) for s, _ in seen)


def test_hardening_a_scenario_that_stops_listing_a_nation_hides_from_its_delegate(service: Service) -> None:
    """The listed nations are kept with every change of the parts: a PATCH that drops a nation hides
    the scenario from its delegate at once, and one that lists it again shows it again."""
    idn = service.auth(Role.DELEGATE, "IDN")
    nations = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).json()["scenario"]["nations"]
    without = [n for n in nations if n["code"] != "IDN"]
    for listed, status in ((without, 404), (nations, 200)):
        headers = service.auth(Role.COORDINATOR, If_Match="*")
        changed = service.client.patch("/v1/scenarios/tutorial", json={"nations": listed}, headers=headers)
        assert changed.status_code == 200, changed.text
        assert service.client.get("/v1/scenarios/tutorial", headers=idn).status_code == status


def _write_versions(service: Service, nation: str, count: int, *, role: Role = Role.DELEGATE) -> list[int]:
    """Write `count` versions of a nation's offer (each a different count of engineers); their statuses."""
    statuses = []
    for i in range(count):
        offer = {
            "units": [{"id": f"{nation.lower()}-eng", "capability": "engineer", "count": 1 + i % 3, "personnel": 150}]
        }
        statuses.append(_put_offer(service, nation, offer, role=role).status_code)
    return statuses


def test_hardening_offer_history_is_answered_a_page_at_a_time(service: Service) -> None:
    """The history answers 20 versions by default, at most 100, oldest first, with the total; a
    limit or offset out of bounds is a 422 naming the query parameter."""
    assert _write_versions(service, "IDN", 24) == [200] * 24
    idn = service.auth(Role.DELEGATE, "IDN")
    first = service.client.get(HISTORY.format("tutorial", "IDN"), headers=idn).json()
    assert first["total"] == 25
    assert [v["version"] for v in first["items"]] == list(range(1, 21))
    last = service.client.get(HISTORY.format("tutorial", "IDN") + "?limit=10&offset=20", headers=idn).json()
    assert ([v["version"] for v in last["items"]], last["total"]) == ([21, 22, 23, 24, 25], 25)
    whole = service.client.get(HISTORY.format("tutorial", "IDN") + "?limit=100", headers=service.coordinator)
    assert len(whole.json()["items"]) == 25
    past = service.client.get(HISTORY.format("tutorial", "IDN") + "?offset=25", headers=idn).json()
    assert (past["items"], past["total"]) == ([], 25)
    for query, name in (
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("offset=2000000000", "offset"),
    ):
        answer = service.client.get(HISTORY.format("tutorial", "IDN") + "?" + query, headers=idn)
        assert answer.status_code == 422, query
        assert any(p.startswith(f"query {name}:") for p in answer.json()["problems"]), answer.json()


def test_hardening_offer_history_quota_refuses_a_delegate_with_409(make_service: Callable[..., Service]) -> None:
    """Past `max_offer_history_bytes` of stored versions a delegate's new version is a 409 naming the
    quota and the stored size; nothing stored is deleted; a coordinator may still write; another
    nation's quota is its own; every stored size is the offer's canonical JSON."""
    quota = 4096
    service = make_service(max_offer_history_bytes=quota)
    statuses = _write_versions(service, "IDN", 60)
    assert 409 in statuses and statuses[0] == 200
    written = statuses.index(409)
    assert statuses[written:] == [409] * (60 - written)  # refused from then on, never one more
    with service.database.read() as session:
        stored = store.offer_history_bytes(session, "tutorial", "IDN")
        rows, total = store.offer_versions(session, "tutorial", "IDN", limit=100, offset=0)
        assert all(row.size_bytes == offer_size(row.offer) for row in rows)
    assert total == written + 1 and [r.version for r in rows] == list(range(1, total + 1))
    size = rows[-1].size_bytes
    assert stored <= quota < stored + size
    refused = _put_offer(
        service, "IDN", {"units": [{"id": "idn-eng", "capability": "engineer", "count": 2, "personnel": 150}]}
    )
    assert refused.status_code == 409
    assert f"quota of {quota:,} bytes" in refused.json()["detail"]
    assert f"hold {stored:,} bytes" in refused.json()["problems"][0]
    assert _write_versions(service, "IDN", 1, role=Role.COORDINATOR) == [200]
    history = service.client.get(HISTORY.format("tutorial", "IDN"), headers=service.coordinator).json()
    assert history["total"] == total + 1
    assert _write_versions(service, "MAR", 1) == [200]


# -- what the fresh-clone attack found ------------------------------------------------------------


def _vetoless_tutorial() -> Scenario:
    """The tutorial without Israel's veto or the share ceiling, Turkey's engineers dear: offered,
    usable, and unused by the best package (Indonesia's fill the line)."""
    from tests.api.test_visibility import SCENARIOS

    data = SCENARIOS["tutorial"].model_dump(mode="json", by_alias=True, exclude_none=True)
    data["vetoes"] = []
    data["targets"].pop("max_nation_share", None)  # (else Turkey's engineers dilute Morocco's share)
    turkey = next(o for o in data["offers"] if o["nation"] == "TUR")
    turkey["units"][0]["monthly_cost_usd"] = 5_000_000
    return Scenario.model_validate(data)


def test_hardening_no_hypothetical_package_shows_a_delegate_anothers_unused_units() -> None:
    """If IDN withdraws, TUR's unused engineers fill the line: MAR's delegate reads neither the
    what-if's patched package nor the criticality row's, nor the why-not package with TUR's units,
    and no row of the diff names them; TUR's delegate, the observer and the coordinator read them."""
    from forcepack.api.auth import Principal
    from forcepack.api.visibility import OfferSecrets, redact_criticality, redact_what_if, redact_why_not
    from forcepack.models.patch import Patch
    from forcepack.solver.sweep import criticality
    from forcepack.solver.whatif import what_if
    from forcepack.solver.why_not import why_not

    scenario = _vetoless_tutorial()
    params = SolveParams(time_limit_s=30, workers=1)
    answer = what_if(scenario, Patch.withdraw("IDN"), params=params)
    assert answer.patched is not None and ("TUR", "tur-eng") in {(a.nation, a.unit) for a in answer.patched.assignments}
    assert ("TUR", "tur-eng") not in {(a.nation, a.unit) for a in answer.baseline.assignments}
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    mar, tur = Principal("t1", Role.DELEGATE, "MAR"), Principal("t2", Role.DELEGATE, "TUR")
    seen = redact_what_if(answer, mar, secrets)
    assert seen.patched is None and seen.withheld and "tur-eng" not in seen.model_dump_json()
    assert redact_what_if(answer, tur, secrets).patched is not None
    assert redact_what_if(answer, Principal("t3", Role.OBSERVER), secrets).patched is not None
    sweep = criticality(scenario, params)
    row = next(w for w in redact_criticality(sweep, mar, secrets).withdrawals if w.nations == ["IDN"])
    assert row.package is None and "tur-eng" not in row.model_dump_json()
    asked = why_not(scenario, "TUR", params)
    assert asked.parts[0].with_subject is not None
    assert redact_why_not(asked, mar, secrets).parts[0].with_subject is None
    assert redact_why_not(asked, tur, secrets).parts[0].with_subject is not None


def test_hardening_a_short_red_line_id_withholds_nobody_elses_sentences() -> None:
    """IDN's red line named `e` (a letter every sentence holds) no longer withholds MAR's own
    sentences: only the hidden element's text, or its id beside its nation, counts."""
    from forcepack.api.auth import Principal
    from forcepack.api.visibility import redact_explanation
    from forcepack.models.solution import ConflictElement, Explanation, Relaxation

    idn = ConflictElement(
        type="red_line", id="e", nation="IDN", text="red line `e`: IDN only deploys to secure sectors"
    )
    mar = ConflictElement(
        type="red_line", id="mar-x", nation="MAR", text="red line `mar-x`: MAR only deploys to secure sectors"
    )
    explanation = Explanation(
        minimal=True,
        conflict=[idn, mar],
        summary=f"The essential line `eng` cannot be met: the units are kept out by {idn.text}; {mar.text}.",
        relaxations=[Relaxation(changes=[mar], effect="a package exists: 10 personnel from 1 nation")],
    )
    seen = redact_explanation(explanation, Principal("t1", Role.DELEGATE, "MAR"))
    assert mar.text in seen.summary and "IDN only deploys" not in seen.summary
    assert seen.relaxations[0].effect.startswith("a package exists: 10 personnel")


def test_hardening_a_unit_named_like_a_nation_or_a_line_masks_no_question() -> None:
    """MAR offering units named `TUR` and `rafah-eng` neither masks a why-not about the nation TUR
    or the line rafah-eng for other delegates, nor makes the line's question ambiguous."""
    from forcepack.api.auth import Principal
    from forcepack.api.visibility import OfferSecrets, hidden_subject
    from forcepack.solver.why_not import resolve_subject

    secrets = OfferSecrets.of([("MAR", {"units": [{"id": "TUR"}, {"id": "rafah-eng"}]}), ("TUR", {})])
    idn = Principal("t1", Role.DELEGATE, "IDN")
    assert not hidden_subject("TUR", idn, secrets) and not hidden_subject("TUR", idn, secrets, "nation")
    assert not hidden_subject("rafah-eng", idn, secrets, "requirement")
    assert hidden_subject("MAR/TUR", idn, secrets, "unit")
    data = _vetoless_tutorial().model_dump(mode="json", by_alias=True, exclude_none=True)
    mar = next(o for o in data["offers"] if o["nation"] == "MAR")
    mar["units"].append({"id": "rafah-eng", "capability": "engineer", "count": 1, "personnel": 10})
    assert resolve_subject(Scenario.model_validate(data), "rafah-eng") == ("requirement", "rafah-eng")


def test_hardening_a_nul_character_is_refused_before_any_store(service: Service) -> None:
    """A NUL in a note (PostgreSQL's text refuses it) is a 422 naming it, on every store."""
    offer = {"red_lines": [{"id": "r", "kind": "max_engagement", "level": 3, "note": "x\u0000y"}]}
    response = _put_offer(service, "IDN", offer)
    assert response.status_code == 422 and "NUL" in json.dumps(response.json()["problems"])


def test_hardening_command_line_bounds_and_devices(tmp_path: Any) -> None:
    """A seed or worker count past what CP-SAT takes, and a file that never ends, are exit 2
    with a message, never a traceback or a machine filled."""
    from typer.testing import CliRunner

    from forcepack.cli.main import app

    runner = CliRunner()
    for args in (["--seed", "2147483648"], ["--workers", "100000"]):
        result = runner.invoke(app, ["solve", "examples/tutorial.yaml", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    endless = tmp_path / "zero.yaml"
    endless.symlink_to("/dev/zero")
    result = runner.invoke(app, ["solve", str(endless)])
    assert result.exit_code == 2 and "larger than" in result.output + (result.stderr or "")


def test_hardening_a_bad_question_is_titled_as_a_request(service: Service) -> None:
    """A job request that is no readable document, or whose time limit is out of range, is an
    "Invalid request" (not a scenario, nor a patch that does not apply)."""
    nan = service.client.post(
        SOLVES.format("tutorial"),
        content=b'{"time_limit_s": NaN}',
        headers={**service.coordinator, "Content-Type": "application/json"},
    )
    assert nan.status_code == 422 and nan.json()["title"] == "Invalid request", nan.text
    body = {"ops": [{"op": "withdraw", "nations": ["MAR"]}], "time_limit_s": -1}
    out_of_range = service.client.post("/v1/scenarios/tutorial/what-ifs", json=body, headers=service.coordinator)
    assert out_of_range.status_code == 422 and out_of_range.json()["title"] == "Invalid request", out_of_range.text
    assert "time_limit_s" in json.dumps(out_of_range.json()["problems"])
    bad_op = service.client.post(
        "/v1/scenarios/tutorial/what-ifs", json={"ops": [{"op": "explode"}]}, headers=service.coordinator
    )
    assert bad_op.status_code == 422 and bad_op.json()["title"] != "Invalid request"


# -- what the second attack found ----------------------------------------------------------------


def test_hardening_a_best_effort_package_shows_no_delegate_anothers_units() -> None:
    """An infeasible answer's best-effort package (a hypothetical one) is withheld from a delegate
    when it places another nation's units, the essential lines it gives up still told; its own
    nation, the observer and the coordinator read it."""
    from forcepack.api.auth import Principal
    from forcepack.api.visibility import redact_solution
    from forcepack.models import load_scenario
    from forcepack.solver import solve

    solution = solve(load_scenario("examples/infeasible-khan-younis-police.yaml"), SolveParams(time_limit_s=30))
    assert solution.explanation is not None and solution.explanation.best_effort is not None
    package = solution.explanation.best_effort.package
    assert package is not None and package.assignments
    nations = {a.nation for a in package.assignments}
    outsider = Principal("t1", Role.DELEGATE, "ZZZ")
    seen = redact_solution(solution, outsider)
    assert seen.explanation is not None and seen.explanation.best_effort is not None
    assert seen.explanation.best_effort.package is None
    assert seen.explanation.best_effort.lines_short == solution.explanation.best_effort.lines_short
    if len(nations) == 1:
        (only,) = nations
        mine = redact_solution(solution, Principal("t2", Role.DELEGATE, only))
        assert mine.explanation is not None and mine.explanation.best_effort is not None
        assert mine.explanation.best_effort.package is not None
    observer = redact_solution(solution, Principal("t3", Role.OBSERVER))
    assert observer.explanation is not None and observer.explanation.best_effort is not None
    assert observer.explanation.best_effort.package is not None


def test_hardening_a_dropped_red_line_is_named_to_its_nation_only() -> None:
    """A what-if dropping BBB's red line `e` names the nation, not the line, to anyone else; its
    description too; BBB's delegate reads it whole."""
    from forcepack.api.auth import Principal
    from forcepack.api.visibility import OfferSecrets, redact_patch

    secrets = OfferSecrets.of([("BBB", {"red_lines": [{"id": "e", "note": "secret"}]}), ("AAA", {})])
    patch = {
        "description": "give up red_line `e` (BBB)",
        "ops": [{"op": "drop_red_line", "nation": "BBB", "id": "e"}],
    }
    for viewer in (Principal("t1", Role.DELEGATE, "AAA"), Principal("t2", Role.OBSERVER)):
        seen = redact_patch(patch, viewer, secrets)
        assert seen["ops"][0]["id"] != "e" and seen["ops"][0]["nation"] == "BBB"
        assert "`e`" not in seen["description"]
    assert redact_patch(patch, Principal("t3", Role.DELEGATE, "BBB"), secrets) == patch


def test_hardening_a_nul_in_an_address_is_an_unknown_address(service: Service) -> None:
    """A NUL in a path (PostgreSQL's text refuses it) is a 404, whatever the route, before any store."""
    for path in ("/v1/jobs/ab%00cd", "/v1/scenarios/tutorial%00", "/v1/scenarios/tutorial%00/offers/IDN"):
        response = service.client.get(path, headers=service.coordinator)
        assert response.status_code == 404, (path, response.text)


def test_hardening_a_new_database_file_is_the_owners_alone(tmp_path: Any) -> None:
    """A new SQLite database (offers, red lines, token hashes) is created readable by its owner only."""
    import stat

    from forcepack.api.db import make_engine

    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("key", [" ", "\t", "a b", "clé".encode("latin-1")])
def test_hardening_an_idempotency_key_of_blanks_or_beyond_ascii_is_refused(service: Service, key: str | bytes) -> None:
    """A key is visible ASCII: one of blanks (which a proxy may strip to nothing, so two different
    retries would share it) or with spaces or other characters is a 422 naming the header."""
    response = service.client.post(
        SOLVES.format("tutorial"), json={}, headers={**service.coordinator, "Idempotency-Key": key}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("header idempotency-key:")


@pytest.mark.parametrize("limit", [1e-300, 0.0, 0.009])
def test_hardening_a_time_limit_below_the_clis_floor_is_refused(service: Service, limit: float) -> None:
    """Below a hundredth of a second (the CLI's floor too) no solve can answer: a 422 naming the field."""
    response = service.client.post(SOLVES.format("tutorial"), json={"time_limit_s": limit}, headers=service.coordinator)
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("time_limit_s: Input should be greater than or equal to 0.01")
