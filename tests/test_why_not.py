"""Why not: the best package that includes a left-out nation or unit, or what forbids it."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from forcepack.cli.main import app
from forcepack.models import MAXIMISED, Scenario, parse_scenario
from forcepack.solver import SolveParams
from forcepack.solver.check import check
from forcepack.solver.why_not import UnknownSubjectError, why_not
from tests.strategies import small_scenarios
from tests.test_rules import base, line, offer, unit

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)


def two_engineers() -> Scenario:
    """AAA's engineer is cheaper than BBB's; CCC's will not deploy to contested bravo."""
    return parse_scenario(
        base(
            requirements=[line("eng", sector="bravo")],
            offers=[
                offer("AAA", [unit("a", monthly_cost_usd=1000)]),
                offer("BBB", [unit("b", monthly_cost_usd=1500)]),
                offer(
                    "CCC",
                    [unit("c", monthly_cost_usd=500)],
                    red_lines=[{"id": "c-secure", "kind": "allowed_control", "statuses": ["secure"]}],
                ),
            ],
        )
    )


def test_why_not_unit_left_out_for_cost() -> None:
    """BBB's dearer unit can be included, at 500 a month more for 12 months; the package has it."""
    scenario = two_engineers()
    answer = why_not(scenario, "b", PARAMS)
    assert not answer.in_package
    assert answer.with_subject is not None and answer.with_subject.has_package
    assert any(a.unit == "b" for a in answer.with_subject.assignments)
    assert check(scenario, answer.with_subject) == []
    cost = next(d for d in answer.deltas if d.criterion == "cost")
    assert cost.delta == pytest.approx(500 * 12)
    assert "cost" in answer.summary


def test_why_not_nation_kept_out_by_its_caveat() -> None:
    """CCC only deploys to secure sectors: no package includes it, and the conflict says so."""
    answer = why_not(two_engineers(), "CCC", PARAMS)
    assert answer.with_subject is not None and answer.with_subject.status == "infeasible"
    explanation = answer.with_subject.explanation
    assert explanation is not None and explanation.minimal
    assert ("red_line", "c-secure") in {(c.type, c.id) for c in explanation.conflict}


def test_why_not_a_nation_that_would_empty_a_line_continues_its_sentence() -> None:
    """CCC will not serve alongside AAA, whose engineer alone can fill the essential line: CCC's units
    cannot be had, and the cause continues the sentence ("cannot be had: the essential line ..."), not
    a second sentence begun after the colon."""
    scenario = parse_scenario(
        base(
            requirements=[line("eng"), line("inf", capability="infantry", priority="desirable")],
            offers=[
                offer("AAA", [unit("a", monthly_cost_usd=1000)]),
                offer(
                    "CCC",
                    [unit("c", capability="infantry", monthly_cost_usd=9000)],
                    red_lines=[{"id": "c-apart", "kind": "not_alongside", "nations": ["AAA"]}],
                ),
            ],
        )
    )
    answer = why_not(scenario, "CCC", PARAMS)
    units = answer.parts[0]
    assert "CCC's units cannot be had: the essential line `eng`" in units.summary, units.summary
    assert "c-apart" in units.summary


def test_why_not_subject_already_in_package() -> None:
    """Asking about a nation in the package says so."""
    answer = why_not(two_engineers(), "AAA", PARAMS)
    assert answer.in_package
    assert answer.with_subject is None


def test_why_not_unknown_subject_is_bad_input() -> None:
    """A name that is neither a nation nor a unit is a user error with a suggestion; exit 2 on the CLI."""
    with pytest.raises(UnknownSubjectError, match="did you mean `AAA`"):
        why_not(two_engineers(), "AAB", PARAMS)
    with pytest.raises(UnknownSubjectError, match="did you mean `AAA`"):
        why_not(two_engineers(), "aaa", PARAMS)  # a code in the wrong case is told its spelling
    for wrong, right in [("aaa/A", "AAA/a"), ("line:ENG", "line:eng"), ("BBB/B", "BBB/b")]:
        with pytest.raises(UnknownSubjectError, match=f"did you mean `{right}`"):
            why_not(two_engineers(), wrong, PARAMS)  # a key or a `line:` form too
    result = CliRunner().invoke(app, ["why-not", "examples/tutorial.yaml", "ESP"])
    assert result.exit_code == 2
    assert "none of the nations, offered units, pledges or requirement lines" in result.stderr


def test_why_not_cli_on_gaza_names_the_mandate() -> None:
    """Azerbaijan waits for a full cessation of hostilities: the CLI names it, exit 1."""
    result = CliRunner().invoke(app, ["why-not", "examples/gaza-isf.yaml", "AZE"])
    assert result.exit_code == 1
    assert "full_cessation_of_hostilities" in result.stdout


@given(small_scenarios(), st.data())
def test_why_not_never_beats_the_optimum(scenario: Scenario, data: st.DataObject) -> None:
    """Forcing a nation's units (or money) in never improves the first criterion, and each side's
    package has that side of the nation in it; a nation that offers neither is said to."""
    assume(scenario.offers)
    nation = data.draw(st.sampled_from([o.nation for o in scenario.offers]))
    answer = why_not(scenario, nation, PARAMS)
    assume(answer.optimum.has_package and not answer.in_package)
    offer = scenario.offer_by_nation[nation]
    units, money = answer.parts
    assert (units.aspect, money.aspect) == ("units", "money")
    if not offer.units and not offer.funding:
        assert answer.with_subject is None and "offers no unit" in units.summary
        return
    for part in answer.parts:
        forced = part.with_subject
        if forced is None:
            assert not (offer.units if part.aspect == "units" else offer.funding)
            continue
        if not forced.has_package:
            assert forced.status == "infeasible" and forced.explanation is not None
            said = re.search(r"cannot be had: (\w+)", part.summary)  # the explanation continues the sentence
            assert said is None or said.group(1) not in {"These", "The", "No", "Two", "Three", "Four"}, part.summary
            continue
        figures = next(n for n in forced.nations if n.nation == nation)
        assert figures.units > 0 if part.aspect == "units" else figures.funding_used_usd > 0
        assert check(scenario, forced) == []
        first = part.deltas[0]
        assert first.delta <= 1e-6 if first.criterion in MAXIMISED else first.delta >= -1e-6


def test_why_not_a_nation_tells_its_units_from_its_money() -> None:
    """The tutorial's TUR: every unit vetoed by `isr-tur` (what a planner asking about it wants to
    hear), its money drawn at no loss or a price: two answers, not one "can be included"."""
    from forcepack.models import load_scenario

    answer = why_not(load_scenario("examples/tutorial.yaml"), "TUR", PARAMS)
    units, money = answer.parts
    assert units.with_subject is not None and units.with_subject.explanation is not None
    assert [e.id for e in units.with_subject.explanation.conflict] == ["isr-tur"]
    assert "TUR's units cannot be had" in units.summary and "isr-tur" in answer.summary
    assert money.with_subject is not None and money.with_subject.has_package
    assert any(f.nation == "TUR" for f in money.with_subject.funding.flows)


def test_why_not_a_line_gives_its_supply_in_figures() -> None:
    """Why is `ky-inf` short: it needs 1,200 personnel; every infantry line offered is listed with
    what it could give (count x personnel), what it gives, and the red lines that keep IDN's out;
    the sum offered and the part kept out are in the sentence."""
    from forcepack.models import load_scenario

    scenario = load_scenario("examples/tutorial.yaml")
    answer = why_not(scenario, "ky-inf", PARAMS)
    assert (answer.subject_type, answer.in_package) == ("requirement", False)
    infantry = [(o.nation, u) for o in scenario.offers for u in o.units if u.capability == "infantry"]
    assert [(s.nation, s.unit, s.offered) for s in answer.supply] == [
        (n, u.id, u.count * u.personnel) for n, u in infantry
    ]
    idn = next(s for s in answer.supply if s.nation == "IDN")
    assert any("idn-gaza-secure" in reason for reason in idn.kept_out_by)
    coverage = next(c for c in answer.optimum.coverage if c.requirement == "ky-inf")
    assert sum(s.placed for s in answer.supply) == coverage.provided
    offered = sum(s.offered for s in answer.supply)
    assert f"needs {coverage.required:,} personnel" in answer.summary
    assert f"Offered for it in all: {offered:,}" in answer.summary
    assert answer.with_subject is not None  # filling it: its price, or what keeps it from full


def test_why_not_a_pledge_is_answered_like_a_unit() -> None:
    """A pledge left undrawn: the best package that draws it, and its price."""
    from forcepack.models import load_scenario

    scenario = load_scenario("examples/tutorial.yaml")
    answer = why_not(scenario, "TUR/tur-fund", PARAMS)
    assert answer.subject_type == "pledge"
    if answer.in_package:
        assert any(f.pledge == "tur-fund" for f in answer.optimum.funding.flows)
    else:
        assert answer.with_subject is not None and answer.with_subject.has_package
        assert any((f.nation, f.pledge) == ("TUR", "tur-fund") for f in answer.with_subject.funding.flows)
        assert check(scenario, answer.with_subject) == []


def test_why_not_a_price_names_what_makes_it_cost() -> None:
    """Including CCC's large engineers costs shortfall: with them the force ceiling leaves no room
    for BBB's infantry. The answer names the ceiling as what makes it cost."""
    scenario = parse_scenario(
        base(
            requirements=[
                line("E", capability="engineer"),
                line("D", capability="infantry", quantity=900, measure="personnel", priority="desirable"),
            ],
            offers=[
                offer("AAA", [unit("a-eng", personnel=100)]),
                offer("BBB", [unit("b-inf", capability="infantry", personnel=900)]),
                offer("CCC", [unit("c-eng", personnel=300)]),
            ],
            targets={"max_personnel": 1000},
        )
    )
    answer = why_not(scenario, "CCC/c-eng", PARAMS)
    assert answer.deltas and answer.deltas[0].criterion == "shortfall" and answer.deltas[0].delta > 0
    assert "What makes it cost:" in answer.summary and "max_personnel" in answer.summary


def test_why_not_a_line_of_one_unit_says_one_unit() -> None:
    """A line needing one unit reads "needs 1 unit", never "1 units"; two read "2 units"."""
    from forcepack.models import load_scenario

    scenario = load_scenario("examples/gaza-isf.yaml")
    single = next(r for r in scenario.requirements if r.measure.value == "units" and r.quantity == 1)
    double = next(r for r in scenario.requirements if r.measure.value == "units" and r.quantity == 2)
    assert "needs 1 unit;" in why_not(scenario, single.id, PARAMS).summary
    assert "needs 2 units;" in why_not(scenario, double.id, PARAMS).summary
