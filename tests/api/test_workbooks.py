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
    units["A2"] = "MAR"
    refused = service.client.put(
        OFFER.format("IDN"),
        content=_saved(book),
        headers={**idn, "Content-Type": XLSX_TYPE, "If-Match": put.headers["etag"]},
    )
    assert refused.status_code == 422
    assert "sheet `units`, row 2, column `nation` (A): `MAR` is not this offer's nation" in refused.text


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
