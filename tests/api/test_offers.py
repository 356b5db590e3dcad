"""Offers: versions, ETags and If-Match, the append-only history, validation that names the field."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from forcepack.api.auth import Role
from tests.api.conftest import Service

OFFER = "/v1/scenarios/tutorial/offers/IDN"


def _current(service: Service, url: str = OFFER) -> tuple[str, dict[str, Any]]:
    response = service.client.get(url, headers=service.coordinator)
    assert response.status_code == 200
    offer: dict[str, Any] = response.json()["offer"]
    offer.pop("nation")
    return response.headers["ETag"], offer


def test_offers_put_needs_if_match(service: Service) -> None:
    """Without If-Match the write is refused with 428, naming the header; nothing is written."""
    _, offer = _current(service)
    response = service.client.put(OFFER, json=offer, headers=service.auth(Role.DELEGATE, "IDN"))
    assert response.status_code == 428
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["problems"] == ["If-Match: required header is missing"]
    history = service.client.get(OFFER + "/history", headers=service.coordinator).json()
    assert [item["version"] for item in history["items"]] == [1]


def test_offers_stale_etag_gets_412(service: Service) -> None:
    """A write based on an old version is refused with 412; one based on the current version succeeds."""
    etag, offer = _current(service)
    headers = service.auth(Role.DELEGATE, "IDN", If_Match=etag)
    first = service.client.put(OFFER, json=offer, headers=headers)
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    assert first.json()["version"] == 2
    stale = service.client.put(OFFER, json=offer, headers=headers)
    assert stale.status_code == 412
    assert etag in stale.json()["problems"][0]
    fresh = service.client.put(
        OFFER, json=offer, headers=service.auth(Role.DELEGATE, "IDN", If_Match=first.headers["ETag"])
    )
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 3


def _race(service: Service, etag: str, offer: dict[str, Any]) -> list[int]:
    """Two clients PUT different offers at the same moment, both from `etag`; their statuses."""
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def write(count: int) -> None:
        body = {**offer, "units": [{**offer["units"][0], "count": count}, *offer["units"][1:]]}
        client = TestClient(service.app)  # a second connection; the app is already started
        headers = service.auth(Role.DELEGATE, "IDN", If_Match=etag)
        barrier.wait()
        statuses.append(client.put(OFFER, json=body, headers=headers).status_code)

    threads = [threading.Thread(target=write, args=(count,)) for count in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_offers_two_clients_same_etag_exactly_one_wins(service: Service) -> None:
    """Two delegates writing at once from the same ETag: one gets 200, the other 412, every round."""
    for round_ in range(5):
        etag, offer = _current(service)
        statuses = _race(service, etag, offer)
        assert sorted(statuses) == [200, 412], f"round {round_}: {statuses}"
    history = service.client.get(OFFER + "/history", headers=service.coordinator).json()
    assert [item["version"] for item in history["items"]] == list(range(1, 7))


def test_offers_history_keeps_every_version(service: Service) -> None:
    """Each write adds a version; the history lists all of them, oldest first, with who wrote each."""
    etag, offer = _current(service)
    delegate = service.auth(Role.DELEGATE, "IDN", If_Match=etag)
    withdrawn = service.client.put(OFFER, json={"units": [], "funding": [], "red_lines": []}, headers=delegate)
    assert withdrawn.status_code == 200
    restored = service.client.put(
        OFFER, json=offer, headers=service.auth(Role.COORDINATOR, If_Match=withdrawn.headers["ETag"])
    )
    assert restored.status_code == 200
    history = service.client.get(OFFER + "/history", headers=service.auth(Role.DELEGATE, "IDN")).json()
    versions = history["items"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[1]["offer"]["units"] == []
    assert versions[2]["offer"]["units"] == versions[0]["offer"]["units"]
    assert versions[1]["written_by"] == service.token(Role.DELEGATE, "IDN").id
    assert versions[2]["written_by"] == service.token(Role.COORDINATOR).id


def test_offers_first_offer_with_if_none_match(service: Service) -> None:
    """A listed nation with no offer reads as version 0; `If-None-Match: *` writes its first (201), once."""
    url = "/v1/scenarios/tutorial/offers/NEW"
    nations = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).json()["scenario"]["nations"]
    patch = {"nations": [*nations, {"code": "NEW", "name": "Newland"}]}
    etag = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).headers["ETag"]
    assert (
        service.client.patch(
            "/v1/scenarios/tutorial", json=patch, headers=service.auth(Role.COORDINATOR, If_Match=etag)
        ).status_code
        == 200
    )
    empty = service.client.get(url, headers=service.auth(Role.DELEGATE, "NEW"))
    assert empty.status_code == 200
    assert empty.json()["version"] == 0
    assert empty.headers["ETag"] == '"0"'
    body = {"funding": [{"id": "new-fund", "amount_usd": 1000000}]}
    headers = service.auth(Role.DELEGATE, "NEW", If_None_Match="*")
    created = service.client.put(url, json=body, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"] == url
    assert service.client.put(url, json=body, headers=headers).status_code == 412


def test_offers_invalid_offer_names_the_field(service: Service) -> None:
    """A bad offer gets 422 with every problem, each naming its field inside the offer."""
    etag, offer = _current(service)
    offer["units"][0]["capability"] = "enginer"
    offer["units"][1]["count"] = 0
    offer["red_lines"].append({"id": "idn-x", "kind": "max_engagement", "level": 1, "colour": "red"})
    response = service.client.put(OFFER, json=offer, headers=service.auth(Role.DELEGATE, "IDN", If_Match=etag))
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any(p.startswith("units[1].count (id: idn-inf): ") for p in problems), problems
    assert any(p.startswith("red_lines[2].colour (id: idn-x): unknown field") for p in problems), problems
    fixed = {
        **offer,
        "units": [offer["units"][0], {**offer["units"][1], "count": 1}],
        "red_lines": offer["red_lines"][:2],
    }
    response = service.client.put(OFFER, json=fixed, headers=service.auth(Role.DELEGATE, "IDN", If_Match=etag))
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "units[0].capability (id: idn-eng): capability `enginer` is not a capability of this scenario "
        "(did you mean `engineer`?)"
    ]


def test_offers_another_nations_ids_answer_as_unused_ones(service: Service) -> None:
    """Ids are each nation's own: an offer using Morocco's red-line id is answered exactly as one
    using an id nobody uses (nothing tells a delegate that another nation's id exists), and both
    are stored as written."""
    answers = []
    for name in ("mar-mandate", "zz-never-used"):  # Morocco's red line id; an unused one
        etag, offer = _current(service)
        offer["red_lines"][0]["id"] = name
        response = service.client.put(OFFER, json=offer, headers=service.auth(Role.DELEGATE, "IDN", If_Match=etag))
        answers.append((response.status_code, sorted(response.json()["offer"])))
        assert response.json()["offer"]["red_lines"][0]["id"] == name
    assert answers[0] == answers[1] and answers[0][0] == 200


def test_offers_nation_in_body_must_match_address(service: Service) -> None:
    """A body naming another nation than the address is refused, naming `nation`."""
    etag, offer = _current(service)
    response = service.client.put(
        OFFER, json={**offer, "nation": "MAR"}, headers=service.auth(Role.DELEGATE, "IDN", If_Match=etag)
    )
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("nation: expected `IDN`")


def test_offers_new_version_is_what_jobs_solve(service: Service) -> None:
    """A job records the offer versions it used; a new version is used by the next solve."""
    etag, offer = _current(service)
    first = service.client.post("/v1/scenarios/tutorial/solves", headers=service.coordinator)
    assert first.json()["offer_versions"] == {"IDN": 1, "MAR": 1, "TUR": 1, "SAU": 1}
    written = service.client.put(OFFER, json=offer, headers=service.auth(Role.DELEGATE, "IDN", If_Match=etag))
    assert written.status_code == 200
    second = service.client.post("/v1/scenarios/tutorial/solves", headers=service.coordinator)
    assert second.json()["offer_versions"]["IDN"] == 2
    for response in (first, second):
        assert service.wait_job(response.headers["Location"])["status"] == "done"


def test_offers_database_busy_is_503_with_retry_after(make_service: Callable[..., Service]) -> None:
    """A writer that waits the whole busy timeout for SQLite's lock gets 503 and Retry-After, and nothing is written."""
    service = make_service(busy_timeout_ms=100)
    etag, offer = _current(service)
    headers = service.auth(Role.DELEGATE, "IDN", If_Match=etag)
    holder = sqlite3.connect(service.database.engine.url.database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = service.client.put(OFFER, json=offer, headers=headers)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert _current(service)[0] == etag


def test_offers_read_with_current_etag_is_304_without_body(service: Service) -> None:
    """If-None-Match naming the current version (strong, weak or among others) is a 304 with its ETag and no body;
    after a new version, the old ETag reads the offer again; another nation's offer stays a 404."""
    etag, offer = _current(service)
    delegate = service.auth(Role.DELEGATE, "IDN")
    for held in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        cached = service.client.get(OFFER, headers={**delegate, "If-None-Match": held})
        assert (cached.status_code, cached.content, cached.headers["ETag"]) == (304, b"", etag), held
    written = service.client.put(OFFER, json=offer, headers={**delegate, "If-Match": etag})
    assert written.status_code == 200
    again = service.client.get(OFFER, headers={**delegate, "If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] == written.headers["ETag"] != etag
    assert again.json()["version"] == 2
    foreign = "/v1/scenarios/tutorial/offers/MAR"
    assert service.client.get(foreign, headers={**delegate, "If-None-Match": "*"}).status_code == 404


def test_offers_what_get_gives_can_be_put_back(service: Service) -> None:
    """The body `GET` gives (the offer with its scenario, nation, version, ETag, author and time) is
    accepted by `PUT` as it is, its read-only fields matching the stored version's; changed ones are
    a 422 naming each field, and nothing is written."""
    read = service.client.get(OFFER, headers=service.coordinator)
    body = read.json()
    body["offer"]["units"][0]["count"] += 1
    headers = service.auth(Role.DELEGATE, "IDN", If_Match=read.headers["ETag"])
    written = service.client.put(OFFER, json=body, headers=headers)
    assert written.status_code == 200, written.json()
    assert written.json()["version"] == 2
    assert written.json()["offer"]["units"][0]["count"] == body["offer"]["units"][0]["count"]

    again = service.client.get(OFFER, headers=service.coordinator)
    stale = again.json() | {"version": 1, "scenario": "gaza-isf", "comment": "x"}
    refused = service.client.put(
        OFFER, json=stale, headers=service.auth(Role.DELEGATE, "IDN", If_Match=again.headers["ETag"])
    )
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert len(problems) == 3, problems
    assert any(p.startswith("version: read-only, and not the stored offer's (`2`; got `1`)") for p in problems)
    assert any(p.startswith("scenario: read-only, and not the stored offer's (`tutorial`") for p in problems)
    assert any(p.startswith("comment: unknown field `comment` beside `offer`") for p in problems)
    history = service.client.get(OFFER + "/history", headers=service.coordinator).json()
    assert [item["version"] for item in history["items"]] == [1, 2]


def test_offers_read_only_time_may_be_any_iso_form(service: Service) -> None:
    """`written_at` sent back in another ISO 8601 form of the same instant is the stored one."""
    read = service.client.get(OFFER, headers=service.coordinator)
    body = read.json()
    when = dt.datetime.fromisoformat(body["written_at"])
    body["written_at"] = when.astimezone(dt.timezone(dt.timedelta(hours=3))).isoformat()
    written = service.client.put(
        OFFER, json=body, headers=service.auth(Role.DELEGATE, "IDN", If_Match=read.headers["ETag"])
    )
    assert written.status_code == 200, written.json()
