"""Why not: the best package that includes a left-out nation or unit, or what forbids it."""

from __future__ import annotations

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


def test_why_not_subject_already_in_package() -> None:
    """Asking about a nation in the package says so."""
    answer = why_not(two_engineers(), "AAA", PARAMS)
    assert answer.in_package
    assert answer.with_subject is None


def test_why_not_unknown_subject_is_bad_input() -> None:
    """A name that is neither a nation nor a unit is a user error with a suggestion; exit 2 on the CLI."""
    with pytest.raises(UnknownSubjectError, match="did you mean `AAA`"):
        why_not(two_engineers(), "AAB", PARAMS)
    result = CliRunner().invoke(app, ["why-not", "examples/tutorial.yaml", "ESP"])
    assert result.exit_code == 2
    assert "neither a nation nor an offered unit" in result.stderr


def test_why_not_cli_on_gaza_names_the_mandate() -> None:
    """Azerbaijan waits for a full cessation of hostilities: the CLI names it, exit 1."""
    result = CliRunner().invoke(app, ["why-not", "examples/gaza-isf.yaml", "AZE"])
    assert result.exit_code == 1
    assert "full_cessation_of_hostilities" in result.stdout


@given(small_scenarios(), st.data())
def test_why_not_never_beats_the_optimum(scenario: Scenario, data: st.DataObject) -> None:
    """Forcing a nation in never improves the first criterion, and its package includes the nation."""
    assume(scenario.offers)
    nation = data.draw(st.sampled_from([o.nation for o in scenario.offers]))
    answer = why_not(scenario, nation, PARAMS)
    assume(answer.optimum.has_package and not answer.in_package)
    forced = answer.with_subject
    assert forced is not None
    if not forced.has_package:
        assert forced.status == "infeasible" and forced.explanation is not None
        return
    assert nation in {n.nation for n in forced.nations}
    assert check(scenario, forced) == []
    first = answer.deltas[0]
    assert first.delta <= 1e-6 if first.criterion in MAXIMISED else first.delta >= -1e-6
