"""The page at a phone's width (390 px) and on paper: no sideways scroll, one section at a time, no
controls in print; capabilities named as the scenario declares them, each with a colour of its own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from forcepack.api.auth import Role
from tests.e2e.conftest import Visit

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def overflow(page: Page) -> dict[str, int]:
    """How much wider than the window the document and the body are (0: no sideways scroll)."""
    result: dict[str, int] = page.evaluate(
        "() => ({document: document.documentElement.scrollWidth - window.innerWidth,"
        " body: document.body.scrollWidth - window.innerWidth})"
    )
    return result


def solve(visit: Visit, scenario: str) -> None:
    page = visit.page
    page.get_by_role("combobox", name="Scenario").select_option(scenario)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", scenario)
    page.get_by_role("button", name="Solve the scenario").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")


def test_layout_phone_width_tabs_without_sideways_scroll(visit: Visit) -> None:
    """At 390 px a coordinator solves Gaza and goes through every tab: each shows its own sections
    alone, and neither the document nor the body is ever wider than the window."""
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "gaza-isf")
    expect(page.get_by_test_id("matrix")).to_be_visible()
    assert overflow(page) == {"document": 0, "body": 0}
    tabs = page.get_by_role("navigation", name="Sections").get_by_role("button")
    names = [name for name in tabs.all_inner_texts() if name]
    assert names == [
        "Scenario",
        "Package",
        "What if?",
        "Compare",
        "Criticality",
        "Why not?",
        "Options",
    ]  # no "Offer": a delegate's
    # The tabs are one row (that scrolls in itself), not rows stacked over the content.
    bar = page.get_by_role("navigation", name="Sections").bounding_box()
    button = tabs.first.bounding_box()
    assert bar is not None and button is not None and bar["height"] < 2 * button["height"], (bar, button)
    for name in names:
        page.get_by_role("navigation", name="Sections").get_by_role("button", name=name).click()
        expect(page.locator("nav.sections button[aria-current=true]")).to_have_text(name)
        visible = page.evaluate(
            "() => [...document.querySelectorAll('#workspace section[data-tab]')]"
            ".filter((s) => s.offsetParent !== null).map((s) => s.dataset.tab)"
        )
        assert visible and set(visible) == {visible[0]}, visible
        assert overflow(page) == {"document": 0, "body": 0}, name
        visit.screenshot(f"phone-{visible[0]}")
    # A solve from the package tab, then the ranking from its own: each answer shows in its tab.
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Criticality").click()
    page.get_by_role("button", name="Rank the nations").click()
    expect(page.get_by_test_id("criticality-table")).to_be_visible()
    assert overflow(page) == {"document": 0, "body": 0}
    # A withdrawal that leaves no package is marked, not struck through: its reason stays legible.
    critical = page.get_by_test_id("criticality-table").locator("tr.row-no-package").first
    expect(critical).to_contain_text("no package")
    decorations = critical.locator("td, th").evaluate_all(
        "(cells) => cells.map((c) => getComputedStyle(c).textDecorationLine)"
    )
    assert set(decorations) == {"none"}, decorations
    expect(critical.locator("td").last).not_to_be_empty()


def test_layout_phone_width_delegate(visit: Visit) -> None:
    """A delegate at 390 px starts on its offer, and the offer form fits the width."""
    page = visit.page
    page.set_viewport_size(PHONE)
    visit.open()
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.locator("#offer-body form, #offer-body .cards").first).to_be_visible()
    expect(page.locator("nav.sections button[aria-current=true]")).to_have_text("Offer")
    expect(page.locator("#what-if")).to_be_hidden()
    assert overflow(page) == {"document": 0, "body": 0}
    visit.screenshot("phone-delegate")


def test_layout_print_has_no_controls_and_a_legible_matrix(visit: Visit) -> None:
    """On paper: no button, form or tab bar is shown (a sortable column's name stays, as text), every
    section with content prints whichever tab was chosen, tables are not cut by a scroll box, and
    the coverage matrix keeps its colours, at a legible size, within the page's width."""
    page = visit.page
    page.set_viewport_size(PHONE)  # a phone's tab choice must not hide sections on paper
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "gaza-isf")
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Criticality").click()
    page.get_by_role("button", name="Rank the nations").click()
    expect(page.get_by_test_id("criticality-table")).to_be_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 px per inch
    page.emulate_media(media="print")
    shown: dict[str, Any] = page.evaluate(
        """() => {
          const seen = (e) => e.offsetParent !== null || getComputedStyle(e).position === "fixed";
          const cell = document.querySelector("[data-testid=matrix] td.cell");
          const wrap = document.querySelector("[data-testid=matrix]").closest(".table-wrap");
          return {
            buttons: [...document.querySelectorAll("button")].filter(seen).filter((b) => !b.classList.contains("sort"))
              .map((b) => b.textContent),
            forms: [...document.querySelectorAll("form, nav.sections, input, select")].filter(seen).length,
            sections: [...document.querySelectorAll("#workspace section[data-tab]")]
              .filter((s) => !s.hidden && seen(s)).map((s) => s.id),
            matrixFont: parseFloat(getComputedStyle(cell).fontSize),
            matrixColour: getComputedStyle(cell).backgroundColor,
            matrixAdjust: getComputedStyle(cell).printColorAdjust,
            wrapOverflow: getComputedStyle(wrap).overflowX,
            matrixWidth: document.querySelector("[data-testid=matrix]").getBoundingClientRect().right,
            width: document.documentElement.clientWidth,
            sortLabel: getComputedStyle(document.querySelector("th button.sort")).display,
          };
        }"""
    )
    assert shown["buttons"] == [] and shown["forms"] == 0
    assert {"package", "criticality"} <= set(shown["sections"])
    assert shown["matrixFont"] >= 10  # 8 pt
    assert shown["matrixColour"] not in ("rgba(0, 0, 0, 0)", "transparent") and shown["matrixAdjust"] == "exact"
    assert shown["wrapOverflow"] == "visible"
    assert shown["matrixWidth"] <= shown["width"]
    assert shown["sortLabel"] != "none"
    visit.screenshot("print")


def test_layout_capabilities_named_as_declared_with_colours_of_their_own(visit: Visit) -> None:
    """A scenario that names `hq_staff` "HQ staff officers" and needs every built-in capability shows
    that name (not "Hq Staff") in the matrix and the legend, other ids as written, and each
    capability's colour differs from every other's, the same on every reading."""
    page = visit.page
    builtins = [
        "infantry", "quick_reaction_force", "military_police", "formed_police_unit", "engineer", "eod",
        "medical_role2", "logistics", "utility_helicopter", "isr", "signals", "hq_staff", "police_trainers",
        "civil_military",
    ]  # fmt: skip
    scenario = {
        "schema": "forcepack.scenario/1",
        "id": "fourteen",
        "name": "Every capability",
        "horizon": {"start": "2026-03-01", "end": "2026-12-31"},
        "capabilities": [{"id": "hq_staff", "name": "HQ staff officers"}],
        "sectors": [{"id": "north", "control": "secure"}],
        "requirements": [
            {"id": f"r-{c}", "sector": "north", "capability": c, "quantity": 1, "priority": "desirable"}
            for c in builtins
        ],
        "nations": [{"code": "AAA"}],
        "offers": [
            {
                "nation": "AAA",
                "units": [{"id": f"u-{c}", "capability": c, "count": 1, "personnel": 10} for c in builtins],
            }
        ],
    }
    created = visit.site.call("POST", "/v1/scenarios", Role.COORDINATOR, json=scenario)
    assert created.status_code in (201, 409), created.text
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "fourteen")
    matrix = page.get_by_test_id("matrix")
    expect(matrix.locator("th.capability", has_text="HQ staff officers")).to_be_visible()
    expect(matrix.locator("th.capability", has_text="quick_reaction_force")).to_be_visible()
    assert (
        matrix.locator("th.capability", has_text="HQ staff officers").evaluate(
            "(e) => getComputedStyle(e).textTransform"
        )
        == "none"
    )
    legend = page.get_by_test_id("capability-legend")
    expect(legend).to_contain_text("HQ staff officers")
    colours = legend.locator(".chip").evaluate_all("(chips) => chips.map((c) => c.dataset.colour)")
    assert len(colours) == 14 and len(set(colours)) == 14, colours
    fills = (
        page.get_by_test_id("chart-personnel")
        .locator("rect")
        .evaluate_all("(rects) => [...new Set(rects.map((r) => r.getAttribute('fill')))]")
    )
    assert sorted(fills) == sorted(colours)
    again = page.evaluate(
        """async (ids) => {
          const { capabilityColours } = await import("/web/package.js");
          const many = Array.from({ length: 60 }, (_, i) => `c${i}`);
          const first = [...capabilityColours(many).values()];
          const second = [...capabilityColours(many).values()];
          return { distinct: new Set(first).size, same: first.join() === second.join(),
                   ours: [...capabilityColours(ids).values()] };
        }""",
        ["infantry"],
    )
    assert again["distinct"] == 60 and again["same"]
    assert len(again["ours"]) == 1 and again["ours"][0].startswith("#")


def test_gap_reads_proven_only_when_the_status_is_optimal(visit: Visit) -> None:
    """A package cut short whose bound meets its value within rounding (gap 0.0, status feasible)
    never reads "proven": the words follow the status, not the rounded gap."""
    visit.open()
    words = visit.page.evaluate(
        """async () => {
          const { gapWords } = await import("/web/package.js");
          return [gapWords("optimal", 0), gapWords("feasible", 0), gapWords("feasible", 0.0001),
                  gapWords("feasible", 0.072), gapWords("infeasible", null), gapWords("unknown", 0)];
        }"""
    )
    assert words == ["0% (proven)", "under 0.1% (not proven)", "under 0.1% (not proven)", "7.2% (not proven)", "–", "–"]
