"""The registry of rule homes (`forcepack.solver.rules`): every element family and every rule has
every face, so a kind added without a constraint, a verdict, a sentence or a relaxation fails here."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from forcepack.models import RED_LINE_KINDS, Scenario, Targets
from forcepack.models.red_lines import RedLine
from forcepack.models.solution import ConflictType
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation
from forcepack.solver.rules import BUILD_ORDER, ELIGIBILITY, FAMILIES, VERDICT_ORDER
from forcepack.solver.rules.base import Family, Rule, faces
from forcepack.solver.rules.red_lines import RED_LINE_RULES, RedLineRule, line_faces
from forcepack.solver.rules.targets import TARGET_RULES

ALL_RULES: list[Rule] = list(dict.fromkeys([*ELIGIBILITY, *BUILD_ORDER, *VERDICT_ORDER]))


def test_registry_every_red_line_kind_has_a_rule_with_every_face() -> None:
    """Each kind of the models' union has its rule: a sentence, a verdict, and a model face."""
    union = {
        model.model_fields["kind"].annotation.__args__[0] for model in typing.get_args(typing.get_args(RedLine)[0])
    }
    assert set(RED_LINE_KINDS) == union == set(RED_LINE_RULES)
    for kind, rule in RED_LINE_RULES.items():
        assert rule.model.model_fields["kind"].annotation.__args__[0] == kind
        assert line_faces(rule), f"red line kind {kind} neither filters nor constrains"
        assert "describe_line" in type(rule).__dict__, kind
        assert "verdict" in type(rule).__dict__, kind
        assert "phased_verdict" in type(rule).__dict__, kind


def test_registry_every_conflict_type_has_a_family_with_every_face() -> None:
    """Each conflict type an explanation can name has its home: a sentence, a relaxation (and its
    patch operations), a cost."""
    assert set(FAMILIES) == set(typing.get_args(ConflictType))
    for kind, family in FAMILIES.items():
        assert family.type == kind
        assert {"describe", "relax", "patch"} <= {name for cls in type(family).__mro__[:-2] for name in cls.__dict__}
        assert family.default_relax_cost > 0


def test_registry_every_target_has_a_rule() -> None:
    """Each force-level target has its rule (funding coverage is the funding rule's)."""
    keys = set(Targets.model_fields) - {"funding_coverage"}
    assert keys == set(TARGET_RULES)
    for rule in TARGET_RULES.values():
        assert {"constrain", "verdict", "phased_verdict", "describe_key"} <= set(type(rule).__dict__), rule.name


def test_registry_every_rule_has_a_model_face_and_is_checked() -> None:
    """Every rule filters or constrains the model, and the checker runs every rule's verdict."""
    for rule in ALL_RULES:
        assert faces(rule), f"rule {rule.name} neither filters, bars nor constrains"
    assert set(map(id, ALL_RULES)) == set(map(id, VERDICT_ORDER))
    names = [(rule.family, rule.name) for rule in VERDICT_ORDER]
    assert len(names) == len(set(names))


def test_registry_every_rule_says_how_it_holds_in_time() -> None:
    """Every rule the checker runs has its own phased verdict (how it holds bucket by bucket, or over a
    plan as a whole), written in its class, not inherited: a rule added without one fails here."""
    for rule in VERDICT_ORDER:
        own = [cls for cls in type(rule).__mro__ if "phased_verdict" in cls.__dict__]
        assert own and own[0] is type(rule), f"rule {rule.family}.{rule.name} has no phased verdict of its own"
        assert (type(rule).phased_verdict.__doc__ or "").strip(), rule.name
    placement = {rule.name for rule in VERDICT_ORDER if rule.placement}
    assert placement == {"max_engagement", "allowed_control", "sectors", "veto", "requires_mandate"}


def test_registry_a_kind_without_a_verdict_or_sentence_cannot_exist() -> None:
    """A red-line kind written without its verdict or its sentence, or a rule without its phased
    verdict, cannot even be made."""

    class Incomplete(RedLineRule[Any]):
        name = "incomplete"

        def line_constrain(self, line: Any, nation: str, view: Any) -> None:
            pass

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()  # type: ignore[abstract]

    class NoRelaxation(Family):
        type = "requirement"
        default_relax_cost = 1

        def describe(self, scenario: Scenario, element: Any) -> str:
            return ""

    with pytest.raises(TypeError, match="abstract"):
        NoRelaxation()  # type: ignore[abstract]

    class Timeless(Rule):
        name = "timeless"
        family = "requirement"

        def verdict(self, pkg: CheckedDocument) -> typing.Iterator[Violation]:
            yield from ()

    with pytest.raises(TypeError, match="phased_verdict"):
        Timeless()  # type: ignore[abstract]

    class Silent(Timeless):
        name = "silent"

        def phased_verdict(self, plan: CheckedPlan) -> typing.Iterator[Violation]:
            yield from ()

    assert faces(Silent()) == set()  # the registry test above would refuse it


def test_registry_every_criterion_is_an_object_with_its_sense() -> None:
    """Every criterion a scenario may name (and `churn`, which what-ifs add) has its object, whose
    sense agrees with the models' `MAXIMISED`; a criterion without one is refused by name."""
    from forcepack.models.scenario import MAXIMISED
    from forcepack.models.scenario import Criterion as Named
    from forcepack.solver.criteria import CRITERIA, Criterion, criterion

    assert set(CRITERIA) == {*typing.get_args(Named), "churn"}
    for name, c in CRITERIA.items():
        assert isinstance(c, Criterion) and c.name == name and criterion(name) is c
        assert c.maximised == (name in MAXIMISED)
        assert c.worse(-1.0) == c.maximised and c.worse(1.0) != c.maximised
    with pytest.raises(ValueError, match="unknown criterion 'speed'; expected one of shortfall"):
        criterion("speed")


def test_registry_no_module_of_the_solver_compares_a_criterion_by_name() -> None:
    """The search, the document and the analyses ask a criterion's object: no `== "max_share"`
    (or any criterion's name) is left in the solver outside the criteria's own module."""
    import pathlib
    import re

    import forcepack.solver as solver

    names = "|".join(("shortfall", "cost", "nations", "readiness", "max_share", "churn"))
    pattern = re.compile(rf"""(==|!=)\s*["']({names})["']|["']({names})["']\s*(==|!=)""")
    root = pathlib.Path(solver.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "criteria.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, found
