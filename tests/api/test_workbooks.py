"""Workbooks over HTTP: a delegate downloads its offer's sheets, edits them and puts them back; a
coordinator reads a whole scenario as a workbook and creates one from it; problems name sheet,
row and column; nobody reads through a workbook what its JSON would not show."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from forcepack.api.auth import Role
from forcepack.api.limits import XLSX_TYPE
from forcepack.models import load_scenario
from forcepack.models.workbook import TABLES, read_workbook
from tests.api.conftest import EXAMPLES, Service

OFFER = "/v1/scenarios/tutorial/offers/{}"


def _column(sheet: str, name: str) -> str:
    table = next(t for t in TABLES if t.sheet == sheet)
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[table.columns.index(name)]


def _saved(book: object) -> bytes:
    out = io.BytesIO()
    book.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def test_workbooks_a_delegate_edits_its_offer_as_a_sheet(service: Service) -> None:
    """IDN's delegate downloads its offer's sheets, raises its engineers from 3 to 4, and puts the
    workbook back: the offer now says 4; a row naming another nation is a 422 at its cell."""
    idn = service.auth(Role.DELEGATE, "IDN")
    response = service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn)
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["units", "pledges", "red_lines"]
    units = book["units"]
    count = _column("units", "count")
    assert units["B2"].value == "idn-eng" and units[f"{count}2"].value == 3
    units[f"{count}2"] = 4
    etag = service.client.get(OFFER.format("IDN"), headers=idn).headers["etag"]
    put = service.client.put(
        OFFER.format("IDN"), content=_saved(book), headers={**idn, "Content-Type": XLSX_TYPE, "If-Match": etag}
    )
    assert put.status_code == 200, put.text
    offer = service.client.get(OFFER.format("IDN"), headers=idn).json()["offer"]
    assert next(u for u in offer["units"] if u["id"] == "idn-eng")["count"] == 4
    book = load_workbook(io.BytesIO(service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn).content))
    book["units"]["A2"] = "MAR"
    refused = service.client.put(
        OFFER.format("IDN"),
        content=_saved(book),
        headers={**idn, "Content-Type": XLSX_TYPE, "If-Match": put.headers["etag"]},
    )
    assert refused.status_code == 422
    assert "sheet `units`, row 2, column `nation` (A): `MAR` is not this offer's nation" in refused.text


def test_workbooks_an_offer_sheet_carries_its_version(service: Service) -> None:
    """The offer's sheets come with the version's ETag (as its JSON's), so a delegate uploads them
    back with `If-Match` and nothing else; a sheet of a version since replaced is a 412, and
    `If-None-Match` naming the current version a 304."""
    idn = service.auth(Role.DELEGATE, "IDN")
    response = service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn)
    etag = response.headers.get("etag")
    assert etag is not None and etag == service.client.get(OFFER.format("IDN"), headers=idn).headers["etag"]
    book = load_workbook(io.BytesIO(response.content))
    book["units"][f"{_column('units', 'count')}2"] = 4
    headers = {**idn, "Content-Type": XLSX_TYPE, "If-Match": etag}
    put = service.client.put(OFFER.format("IDN"), content=_saved(book), headers=headers)
    assert put.status_code == 200, put.text
    stale = service.client.put(OFFER.format("IDN"), content=_saved(book), headers=headers)
    assert stale.status_code == 412, stale.text
    again = service.client.get(f"{OFFER.format('IDN')}/workbook", headers={**idn, "If-None-Match": put.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == put.headers["etag"] and not again.content


def test_workbooks_are_read_as_the_json_is(service: Service) -> None:
    """A delegate reads no other nation's offer sheets (404, as its JSON), nor the whole scenario
    (403); a workbook sent where no route reads one is a 415."""
    idn = service.auth(Role.DELEGATE, "IDN")
    assert service.client.get(f"{OFFER.format('MAR')}/workbook", headers=idn).status_code == 404
    assert service.client.get("/v1/scenarios/tutorial/workbook", headers=idn).status_code == 403
    sent = service.client.post(
        "/v1/scenarios/tutorial/solves", content=b"PK", headers={**service.coordinator, "Content-Type": XLSX_TYPE}
    )
    assert sent.status_code == 415


def test_workbooks_a_coordinator_reads_and_creates_a_scenario(service: Service) -> None:
    """The tutorial as a workbook reads back as the example file's scenario (its sha256); with its
    id changed in the `scenario` sheet it creates a new scenario."""
    response = service.client.get("/v1/scenarios/tutorial/workbook", headers=service.coordinator)
    assert response.status_code == 200
    assert (
        read_workbook(response.content, "tutorial.xlsx").sha256() == load_scenario(EXAMPLES / "tutorial.yaml").sha256()
    )
    book = load_workbook(io.BytesIO(response.content))
    keys = [row[0] for row in book["scenario"].values]
    book["scenario"][f"B{keys.index('id') + 1}"] = "tutorial-copy"
    created = service.client.post(
        "/v1/scenarios", content=_saved(book), headers={**service.coordinator, "Content-Type": XLSX_TYPE}
    )
    assert created.status_code == 201, created.text
    assert created.json()["id"] == "tutorial-copy"


# -- several offers at once -----------------------------------------------------------------------

OFFERS = "/v1/scenarios/tutorial/offers"


def _offer_etags(service: Service) -> str:
    view = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).json()
    return ", ".join(entry["etag"] for entry in view["offers"])


def test_workbooks_a_coordinator_imports_offers_of_several_nations(service: Service) -> None:
    """The scenario's own workbook, its engineers raised and a Saudi pledge halved, imported as
    offers: each nation in it gets a new version (its other sheets are not read), and the offers
    now say what the sheets say; the JSON form does the same."""
    workbook = service.client.get("/v1/scenarios/tutorial/workbook", headers=service.coordinator).content
    book = load_workbook(io.BytesIO(workbook))
    units, pledges = book["units"], book["pledges"]
    count, amount = _column("units", "count"), "C"
    assert units["B2"].value == "idn-eng" and pledges["A3"].value == "SAU" and pledges["B3"].value == "sau-fund"
    units[f"{count}2"] = 4
    pledges[f"{amount}3"] = 200_000_000
    book["scenario"]["B2"] = "ignored: not an offer"
    headers = {**service.coordinator, "Content-Type": XLSX_TYPE, "If-Match": _offer_etags(service)}
    response = service.client.post(OFFERS, content=_saved(book), headers=headers)
    assert response.status_code == 200, response.text
    written = response.json()["items"]
    assert [w["nation"] for w in written] == ["IDN", "MAR", "TUR", "SAU"]
    assert all(w["version"] == 2 for w in written)
    idn = service.client.get(f"{OFFERS}/IDN", headers=service.coordinator).json()["offer"]
    assert next(u for u in idn["units"] if u["id"] == "idn-eng")["count"] == 4
    sau = service.client.get(f"{OFFERS}/SAU", headers=service.coordinator).json()["offer"]
    assert sau["funding"][0]["amount_usd"] == 200_000_000
    body = {"offers": [{"nation": "TUR", "units": [], "funding": [{"id": "tur-fund", "amount_usd": 1}]}]}
    headers = {**service.coordinator, "If-Match": _offer_etags(service)}
    response = service.client.post(OFFERS, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["version"] == 3
    tur = service.client.get(f"{OFFERS}/TUR", headers=service.coordinator).json()["offer"]
    assert tur["units"] == [] and tur["funding"][0]["amount_usd"] == 1


def test_workbooks_an_offers_import_is_all_or_nothing_and_names_its_cells(service: Service) -> None:
    """A bad cell is a 422 at its sheet, row and column, an unknown nation names the nation beside
    the other offers' problems, and a stale or missing `If-Match` is a 412 naming the nation or a
    428; nothing is written by any; delegates may not import."""
    workbook = service.client.get("/v1/scenarios/tutorial/workbook", headers=service.coordinator).content
    book = load_workbook(io.BytesIO(workbook))
    book["units"]["A3"] = "XXX"
    etags = _offer_etags(service)
    headers = {**service.coordinator, "Content-Type": XLSX_TYPE, "If-Match": etags}
    response = service.client.post(OFFERS, content=_saved(book), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["problems"] == [
        "sheet `units`, row 3, column `nation` (A): `XXX` is not in the `offers` sheet"
    ]
    book["units"]["A3"] = "IDN"
    book["units"][f"{_column('units', 'count')}2"] = -1
    response = service.client.post(OFFERS, content=_saved(book), headers=headers)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert any(p.startswith("sheet `units`, row 2, column `count`") for p in problems), problems
    body = {"offers": [{"nation": "XXX"}, {"nation": "IDN", "units": [{"id": "a", "capability": "engineer"}]}]}
    response = service.client.post(OFFERS, json=body, headers={**service.coordinator, "If-Match": etags})
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "offers[IDN].units[0].count (id: a): required field is missing",
        "offers[IDN].units[0].personnel (id: a): required field is missing",
        "offers[0].nation: `XXX` is not a nation of scenario `tutorial`",
    ]
    body = {"offers": [{"nation": "IDN", "units": [{"id": "a", "capability": "engineer"}]}]}
    response = service.client.post(OFFERS, json=body, headers={**service.coordinator, "If-Match": etags})
    assert response.status_code == 422
    assert any("units[0].count" in p for p in response.json()["problems"]), response.json()
    fine = {"offers": [{"nation": "TUR", "units": []}]}
    response = service.client.post(OFFERS, json=fine, headers=service.coordinator)
    assert response.status_code == 428
    response = service.client.post(OFFERS, json=fine, headers={**service.coordinator, "If-Match": '"1-stale"'})
    assert response.status_code == 412
    assert response.json()["problems"][0].startswith("If-Match: the offer of TUR changed")
    idn = service.auth(Role.DELEGATE, "IDN")
    response = service.client.post(OFFERS, json=fine, headers={**idn, "If-Match": etags})
    assert response.status_code == 403
    versions = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).json()["offers"]
    assert all(entry["version"] == 1 for entry in versions)


def test_workbooks_an_offer_sheet_is_refused_at_its_cells(service: Service) -> None:
    """IDN's sheet with a count of "six" and a misspelt capability is refused with both problems at
    their sheet, row and column (the capability with the one it may have meant), not at the offer's
    field paths."""
    idn = service.auth(Role.DELEGATE, "IDN")
    response = service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn)
    book = load_workbook(io.BytesIO(response.content))
    count, capability = _column("units", "count"), _column("units", "capability")
    book["units"][f"{count}2"] = "six"
    book["units"][f"{capability}3"] = "infantri"
    headers = {**idn, "Content-Type": XLSX_TYPE, "If-Match": response.headers["etag"]}
    put = service.client.put(OFFER.format("IDN"), content=_saved(book), headers=headers)
    assert put.status_code == 422, put.text
    assert put.json()["problems"] == [
        f"sheet `units`, row 2, column `count` ({count}): Input should be a valid integer, unable to parse string "
        "as an integer (got `six`)",
        f"sheet `units`, row 3, column `capability` ({capability}): capability `infantri` is not a capability of "
        "this scenario (did you mean `infantry`?)",
    ]


def test_workbooks_an_offers_import_names_every_problem_at_its_cell(service: Service) -> None:
    """An import whose `offers` sheet names a nation the scenario lacks is refused with that nation
    at its cell and the closest nation, together with the workbook's other problems: an unknown
    column, a bad count, a capability the scenario lacks (another offer's)."""
    workbook = service.client.get("/v1/scenarios/tutorial/workbook", headers=service.coordinator).content
    book = load_workbook(io.BytesIO(workbook))
    count, capability = _column("units", "count"), _column("units", "capability")
    book["offers"]["A6"] = "MRA"
    book["units"][f"{count}2"] = "six"
    book["units"][f"{capability}5"] = "enginer"
    book["units"]["Z1"] = "colour"
    headers = {**service.coordinator, "Content-Type": XLSX_TYPE, "If-Match": "*"}
    response = service.client.post(OFFERS, content=_saved(book), headers=headers)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert len(problems) == 4, problems
    assert problems[0].startswith("sheet `units`, row 1, column `colour` (Z): unknown column")
    assert problems[1].startswith(f"sheet `units`, row 2, column `count` ({count}): ")
    assert problems[2] == (
        f"sheet `units`, row 5, column `capability` ({capability}): capability `enginer` is not a capability of "
        "this scenario (did you mean `engineer`?)"
    )
    assert problems[3] == (
        "sheet `offers`, row 6, column `nation` (A): `MRA` is not a nation of scenario `tutorial` (did you mean `MAR`?)"
    )
    del book["offers"]  # the nations the rows name: an unknown one at the first cell naming it
    book["units"]["Z1"] = None
    book["units"][f"{count}2"] = 3
    book["units"][f"{capability}5"] = "engineer"
    book["units"]["A4"] = "MRA"
    response = service.client.post(OFFERS, content=_saved(book), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["problems"] == [
        "sheet `units`, row 4, column `nation` (A): `MRA` is not a nation of scenario `tutorial` (did you mean `MAR`?)"
    ]
    versions = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).json()["offers"]
    assert all(entry["version"] == 1 for entry in versions)


def test_workbooks_a_sheet_of_an_older_version_never_undoes_a_newer_one(service: Service) -> None:
    """The sheet remembers the version it was written from: uploaded after the offer changed (in
    the form, say), it is a 412 naming both versions, even with the current ETag the page holds;
    nothing is written. Downloaded again, the same edit goes through."""
    idn = service.auth(Role.DELEGATE, "IDN")
    sheet = service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn)
    first = load_workbook(io.BytesIO(sheet.content))
    current = service.client.get(OFFER.format("IDN"), headers=idn)
    offer = current.json()["offer"]
    offer["units"][0]["personnel"] = 999
    form = service.client.put(OFFER.format("IDN"), json=offer, headers={**idn, "If-Match": current.headers["etag"]})
    assert form.status_code == 200, form.text
    version = form.json()["version"]
    first["units"][f"{_column('units', 'count')}2"] = 5
    headers = {**idn, "Content-Type": XLSX_TYPE, "If-Match": form.headers["etag"]}
    stale = service.client.put(OFFER.format("IDN"), content=_saved(first), headers=headers)
    assert stale.status_code == 412, stale.text
    assert (
        f"the sheet was written from version {version - 1} of IDN's offer, and the offer is now at version {version}"
        in stale.json()["detail"]
    )
    after = service.client.get(OFFER.format("IDN"), headers=idn).json()
    assert after["version"] == version and after["offer"]["units"][0]["personnel"] == 999
    fresh = load_workbook(io.BytesIO(service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn).content))
    fresh["units"][f"{_column('units', 'count')}2"] = 5
    put = service.client.put(OFFER.format("IDN"), content=_saved(fresh), headers=headers)
    assert put.status_code == 200, put.text
    assert put.json()["offer"]["units"][0]["personnel"] == 999 and put.json()["offer"]["units"][0]["count"] == 5


def test_workbooks_a_sheet_named_close_to_an_offer_sheet_is_refused(service: Service) -> None:
    """A `red_line` sheet beside `red_lines` in a delegate's upload or a coordinator's import is a
    422 naming the sheet meant; a sheet of notes is left alone."""
    idn = service.auth(Role.DELEGATE, "IDN")
    sheet = service.client.get(f"{OFFER.format('IDN')}/workbook", headers=idn)
    book = load_workbook(io.BytesIO(sheet.content))
    book.create_sheet("notes").append(["ask about the crossings"])
    book.create_sheet("red_line").append(["nation", "id", "kind"])
    headers = {**idn, "Content-Type": XLSX_TYPE, "If-Match": sheet.headers["etag"]}
    refused = service.client.put(OFFER.format("IDN"), content=_saved(book), headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        "sheet `red_line`: not a sheet forcepack reads (did you mean `red_lines`?); its rows are not read: rename "
        "it, or move its rows to that sheet"
    ]
    del book["red_line"]
    assert service.client.put(OFFER.format("IDN"), content=_saved(book), headers=headers).status_code == 200
