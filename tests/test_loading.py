"""Loading scenarios from YAML and JSON: good files load, malformed ones name every problem by its field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from forcepack.models import Scenario, ScenarioInputError, load_scenario

TESTS = Path(__file__).resolve().parent
BAD = TESTS / "data" / "bad"
GOOD = TESTS / "data" / "good"
EXAMPLES = sorted(p for p in (TESTS.parent / "examples").iterdir() if p.suffix in {".yaml", ".yml", ".json"})

# Each malformed file is tests/data/good/small.yaml with one thing broken. A case lists the
# problems expected, each as (where, words): a problem that starts with `where:` and
# contains every one of `words`; the error must hold exactly these problems.
BAD_CASES = [
    pytest.param(
        "unknown-top-level-field.yaml", [("comments", ["unknown field `comments`"])], id="unknown-top-level-field"
    ),
    pytest.param(
        "unknown-unit-field.yaml", [("offers[0].units[0].crew", ["unknown field `crew`"])], id="unknown-nested-field"
    ),
    pytest.param(
        "dangling-sector.yaml",
        [("requirements[1].sector", ["`khan-yunis`", "not a sector", "did you mean `khan-younis`"])],
        id="dangling-sector",
    ),
    pytest.param(
        "dangling-many.yaml",
        [
            ("offers[1].nation", ["nation `MOR`", "did you mean `MAR`"]),
            ("vetoes[0].against[0]", ["nation `TRK`", "did you mean `TUR`"]),
            ("targets.group_minimums.arab_leage", ["group `arab_leage`", "did you mean `arab_league`"]),
            ("requirements[0].capability", ["capability `enginer`", "did you mean `engineer`"]),
        ],
        id="dangling-many-at-once",
    ),
    pytest.param(
        "duplicate-requirement-id.yaml",
        [("requirements[1].id", ["requirement `rafah-eng`", "defined twice", "requirements[0].id"])],
        id="duplicate-requirement-id",
    ),
    pytest.param(
        "duplicate-unit-id.yaml",
        [("offers[0].units[1].id", ["unit `idn-eng`", "defined twice", "offers[0].units[0].id"])],
        id="duplicate-unit-id-within-an-offer",
    ),
    pytest.param(
        "bad-date.yaml",
        [("requirements[1].needed_from", ["2026-02-30"])],
        id="bad-date",
    ),
    pytest.param(
        "window-reversed.yaml",
        [("requirements[1]", ["needed_until (2026-06-30) is before needed_from (2026-09-01)"])],
        id="window-ends-before-start",
    ),
    pytest.param(
        "window-outside-horizon.yaml",
        [("requirements[1].needed_until", ["2028-06-30", "outside the horizon", "2027-12-31"])],
        id="window-outside-horizon",
    ),
    pytest.param(
        "zero-personnel.yaml",
        [("offers[0].units[0].personnel", ["greater than or equal to 1", "got `0`"])],
        id="zero-personnel",
    ),
    pytest.param(
        "negative-count.yaml",
        [("offers[0].units[0].count", ["greater than or equal to 1", "got `-2`"])],
        id="negative-count",
    ),
    pytest.param(
        "share-above-one.yaml",
        [("targets.max_nation_share", ["less than or equal to 1", "got `1.5`"])],
        id="share-above-one",
    ),
    pytest.param(
        "unknown-red-line-kind.yaml",
        [("offers[0].red_lines[1]", ["unknown red line kind", "no_night_patrols", "max_engagement"])],
        id="unknown-red-line-kind",
    ),
    pytest.param(
        "sectors-only-and-exclude.yaml",
        [("offers[0].red_lines[1]", ["`sectors` red line", "exactly one of `only` or `exclude`"])],
        id="sectors-only-and-exclude",
    ),
    pytest.param(
        "undeclared-mandate-condition.yaml",
        [
            (
                "offers[1].red_lines[0].conditions[1]",
                ["mandate condition `terms_of_reference_published`", "not declared under `mandate`"],
            )
        ],
        id="undeclared-mandate-condition",
    ),
    pytest.param("yaml-syntax.yaml", [("line 9, column 5", ["expected ',' or '}'"])], id="yaml-syntax-error"),
    pytest.param(
        "duplicate-yaml-key.yaml",
        [("line 5, column 1", ["key `name` appears twice", "first on line 4"])],
        id="duplicate-yaml-key",
    ),
    pytest.param("json-syntax.json", [("line 7, column 100", ["Expecting value"])], id="json-syntax-error"),
    pytest.param(
        "wrong-schema.yaml",
        [("schema", ["forcepack.scenario/1", "got `forcepack.scenario/2`"])],
        id="wrong-schema",
    ),
    pytest.param(
        "list-not-mapping.yaml", [("(top level)", ["expected a mapping of scenario fields"])], id="list-not-mapping"
    ),
    pytest.param(
        "misspelt-values.yaml",
        [
            ("sectors[1].control", ["got `contestd`; did you mean `contested`?"]),
            ("requirements[1].engagement", ["got `control`; did you mean `2` (control)?"]),
            ("requirements[1].wieght", ["unknown field `wieght` (did you mean `weight`?)"]),
            ("offers[0].units[0].readiness", ["got `verifed`; did you mean `verified`?"]),
        ],
        id="misspelt-values-and-field",
    ),
    pytest.param(
        "fields-and-references.yaml",
        [
            ("sectors[1].control", ["`contestd`"]),
            ("requirements[0].quantity", ["greater than or equal to 1"]),
            ("offers[0].units[0].count", ["greater than or equal to 1"]),
            # reference problems of the parts that parsed, in the same run, numbered as in the file
            ("requirements[1].capability", ["capability `infantery`", "did you mean `infantry`"]),
            ("offers[1].units[0].capability", ["capability `infantri`"]),
            ("vetoes[0].against[0]", ["nation `TRK`", "did you mean `TUR`"]),
        ],
        id="field-and-reference-problems-in-one-run",
    ),
    pytest.param(
        "dangling-name-a-failed-part-holds.yaml",
        [
            ("offers[0].units[0].count", ["got `two`"]),
            ("offers[1].units[0].capability", ["capability `enginer`", "did you mean `engineer`"]),
        ],
        id="dangling-name-suggesting-what-a-failed-part-holds",
    ),
    pytest.param(
        "broken-horizon-and-references.yaml",
        [
            ("horizon", ["ends (2025-12-31) before it starts (2026-03-01)"]),
            # checked against a stand-in horizon spanning the file's days; nothing said against it
            ("requirements[1].capability", ["capability `infantery`", "did you mean `infantry`"]),
        ],
        id="broken-horizon-does-not-hide-references",
    ),
    pytest.param(
        "booleans-as-numbers.yaml",
        [
            ("requirements[1].weight", ["expected a number, got the boolean `true`"]),
            ("requirements[1].engagement", ["expected a number, got the boolean `false`"]),
            ("offers[1].units[0].count", ["expected a number, got the boolean `true`"]),
            ("mandate.ceasefire_holding", ["expected true or false, got the number `1`"]),
        ],
        id="booleans-are-not-numbers",
    ),
]

LOCATION = re.compile(r"^(?P<path>[^\s]+?)(?: \((?P<ids>[^)]*)\))?(?:, line (?P<line>\d+))?: ")
"""A problem's head: its field's path, the ids of the elements on it, its line."""


def _path_of(problem: str) -> str:
    """The field path a problem is led by, its location (ids, line) set aside."""
    match = LOCATION.match(problem)
    return match.group("path") if match else problem.split(": ", 1)[0]


def _load_error(path: Path) -> ScenarioInputError:
    """The ScenarioInputError loading `path` raises (fails the test if it loads)."""
    with pytest.raises(ScenarioInputError) as info:
        load_scenario(path)
    return info.value


@pytest.mark.parametrize(("name", "expected"), BAD_CASES)
def test_load_scenario_names_every_problem_by_field(name: str, expected: list[tuple[str, list[str]]]) -> None:
    """A malformed file is refused with one problem per fault, each led by its field path and saying what is wrong."""
    path = BAD / name
    error = _load_error(path)

    assert str(error).startswith(f"{path}: ")
    assert error.source == str(path)
    for where, words in expected:
        matching = [p for p in error.problems if _path_of(p) == where]
        assert matching, f"no problem at {where!r} in {error.problems}"
        assert any(all(w in p for w in words) for p in matching), f"{words} not all in {matching}"
    assert len(error.problems) == len(expected), error.problems


def test_load_scenario_bad_files_are_all_exercised() -> None:
    """Every file under tests/data/bad/ has a case above, so none is left untested."""
    covered = {param.values[0] for param in BAD_CASES}
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()}
    assert on_disk == covered


def test_load_scenario_base_of_bad_files_is_valid() -> None:
    """The base the malformed files start from loads, so each bad file fails for its own fault only."""
    assert isinstance(load_scenario(GOOD / "small.yaml"), Scenario)


def test_load_scenario_missing_file_names_the_file(tmp_path: Path) -> None:
    """A path that does not exist is a user error naming the file, not a traceback."""
    path = tmp_path / "absent.yaml"
    error = _load_error(path)
    assert str(error).startswith(f"{path}: ")
    assert error.problems == ["no such file"]


def test_load_scenario_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    """Only .yaml, .yml and .json are read; anything else says what was expected."""
    path = tmp_path / "scenario.txt"
    path.write_text((GOOD / "small.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    error = _load_error(path)
    assert any(".yaml, .yml or .json" in p and "`.txt`" in p for p in error.problems)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_load_scenario_examples_load(path: Path) -> None:
    """Every example scenario under examples/ loads."""
    assert isinstance(load_scenario(path), Scenario)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_load_scenario_json_dump_loads_to_the_same_scenario(path: Path, tmp_path: Path) -> None:
    """A YAML scenario written out as JSON loads back to an equal model with the same sha256."""
    scenario = load_scenario(path)
    dumped = tmp_path / f"{path.stem}.dump.json"
    dumped.write_text(json.dumps(scenario.model_dump(mode="json", by_alias=True), indent=2), encoding="utf-8")

    again = load_scenario(dumped)

    assert again == scenario
    assert again.sha256() == scenario.sha256()


def test_canonical_json_ignores_key_order_and_written_out_defaults() -> None:
    """The same scenario, keys reordered and every default written out (and an `expect`), has the same identity."""
    terse = load_scenario(GOOD / "small.yaml")
    explicit = load_scenario(GOOD / "small-explicit.yaml")

    assert explicit.expect is not None and terse.expect is None
    assert explicit.canonical_json() == terse.canonical_json()
    assert explicit.sha256() == terse.sha256()


def test_canonical_json_changes_with_the_content() -> None:
    """Changing one quantity changes the sha256: the identity is not blind to content."""
    scenario = load_scenario(GOOD / "small.yaml")
    first = scenario.requirements[0]
    changed = scenario.model_copy(
        update={"requirements": [first.model_copy(update={"quantity": 2}), *scenario.requirements[1:]]}
    )
    assert changed.sha256() != scenario.sha256()


def test_canonical_json_is_sorted_compact_json() -> None:
    """The canonical form is compact JSON with sorted keys, the schema under its file name, and no `expect`."""
    scenario = load_scenario(GOOD / "small-explicit.yaml")
    text = scenario.canonical_json()
    data = json.loads(text)

    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert data["schema"] == "forcepack.scenario/1"
    assert "expect" not in data


def test_model_copy_rebuilds_lookups() -> None:
    """A variant made with `model_copy` answers lookups from its own offers, not the original's cached ones."""
    scenario = load_scenario(GOOD / "small.yaml")
    assert set(scenario.unit_by_key) == {"IDN/idn-eng", "MAR/mar-inf"}  # fills the original's cache first
    assert set(scenario.pledge_by_key) == {"TUR/tur-fund", "SAU/sau-fund"}

    variant = scenario.model_copy(update={"offers": scenario.offers[:1]})

    assert set(variant.unit_by_key) == {"IDN/idn-eng"}
    assert set(variant.offer_by_nation) == {"IDN"}
    assert variant.pledge_by_key == {}
    assert set(scenario.unit_by_key) == {"IDN/idn-eng", "MAR/mar-inf"}


def test_load_scenario_refuses_repeated_names() -> None:
    """A nation listed twice in a group, or a partner named twice, would count twice: refused."""
    from forcepack.models import parse_scenario

    data = yaml.safe_load((GOOD / "small.yaml").read_text())
    data["nations"][0]["groups"] = ["oic", "oic"]
    with pytest.raises(ScenarioInputError) as info:
        parse_scenario(data)
    assert any(p.startswith("nations[0].groups: `oic` is listed 2 times") for p in info.value.problems)


def test_load_scenario_refuses_aliases_and_deep_nesting(tmp_path: Path) -> None:
    """YAML aliases (which expand without bound) and absurdly deep nesting are clear errors."""
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("a: &x [1, 2]\nb: *x\n")
    assert "aliases (`*name`) are not accepted" in _load_error(aliases).problems[0]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert _load_error(deep).problems == ["the document is nested too deeply"]


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("dangling-sector.yaml", "requirements[1].sector (id: ky-inf), line 12"),
        ("duplicate-unit-id.yaml", "offers[0].units[1].id (nation: IDN, id: idn-eng), line 23"),
        ("dangling-many.yaml", "vetoes[0].against[0] (id: isr-tur), line 37"),
        ("dangling-many.yaml", "targets.group_minimums.arab_leage, line 38"),
        ("unknown-top-level-field.yaml", "comments, line 41"),
        ("window-reversed.yaml", "requirements[1] (id: ky-inf), line 12"),
    ],
)
def test_load_scenario_names_the_element_and_line_of_a_problem(name: str, head: str) -> None:
    """Beside its field's path, a problem names the id of each element on the path (a nation's offer
    by its nation) and the line of the file it is on."""
    assert any(p.startswith(head + ": ") for p in _load_error(BAD / name).problems), _load_error(BAD / name).problems


def test_load_scenario_json_problems_name_their_line(tmp_path: Path) -> None:
    """A JSON file's problems name lines too (the YAML composer reads JSON)."""
    data = json.loads(json.dumps(yaml.safe_load((GOOD / "small.yaml").read_text()), default=str))
    data["requirements"][1]["sector"] = "khan-yunis"
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data, indent=2))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "khan-yunis" in text)
    problems = _load_error(path).problems
    assert problems == [
        f"requirements[1].sector (id: ky-inf), line {line}: sector `khan-yunis` is not a sector of this scenario "
        "(did you mean `khan-younis`?)"
    ]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"schema": "forcepack.solution/1", "status": "optimal"}, ["solution document", "forcepack check"]),
        ({"assignments": [], "coverage": [], "totals": {}}, ["solution document", "forcepack check"]),
        ({"schema": "forcepack.patch/1", "ops": []}, ["what-if patch", "what-if SCENARIO --patch"]),
        ({"ops": [{"op": "withdraw", "nations": ["PAK"]}]}, ["what-if patch", "--patch"]),
        ({"schema": "forcepack.criticality/1"}, ["forcepack criticality --json", "on the scenario file"]),
        ({"schema": "forcepack.check/1"}, ["forcepack check --json"]),
    ],
)
def test_load_scenario_says_what_another_document_is(
    tmp_path: Path, document: dict[str, object], words: list[str]
) -> None:
    """A document of another kind given as a scenario is one problem saying what it is and which
    command takes it, not a list of every scenario field it lacks."""
    path = tmp_path / "given.json"
    path.write_text(json.dumps(document))
    problems = _load_error(path).problems
    assert len(problems) == 1 and problems[0].startswith("(document): this is "), problems
    assert all(w in problems[0] for w in words), problems


def test_load_scenario_a_real_solution_document_is_named(tmp_path: Path) -> None:
    """The document `solve --json` prints, given to `load_scenario`, is named as a solution."""
    from forcepack.solver import solve

    path = tmp_path / "solution.json"
    path.write_text(solve(load_scenario(GOOD / "small.yaml")).to_json())
    assert _load_error(path).problems == [
        "(document): this is a solution document (what `forcepack solve --json` prints), not a scenario: check it "
        "against its scenario with `forcepack check SCENARIO SOLUTION`"
    ]


def test_load_solution_says_a_scenario_is_one(tmp_path: Path) -> None:
    """A scenario given where a solution document is expected (`check` with its arguments swapped) is
    named as a scenario, with the order `check` takes."""
    from forcepack.models import SolutionInputError, load_solution

    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(yaml.safe_load((GOOD / "small.yaml").read_text()), default=str))
    with pytest.raises(SolutionInputError) as info:
        load_solution(path)
    assert info.value.problems == [
        "(document): this is a scenario, not a solution document: `forcepack check SCENARIO SOLUTION` takes the "
        "scenario first; `forcepack solve SCENARIO --json` makes its solution document"
    ]


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ("forcepack.resilient/1", "its package is the solution document under `package`"),
        ("forcepack.what-if/1", "its solution documents are under `baseline` and `patched`"),
        ("forcepack.why-not/1", "this is a `forcepack.why-not/1` document, not a solution document"),
    ],
)
def test_load_solution_names_another_answer_and_where_its_solutions_are(
    tmp_path: Path, schema: str, where: str
) -> None:
    """Another answer given where a solution document is expected is named by its kind, with where
    any solution documents in it are: one problem, not a field-by-field list of what it lacks."""
    from forcepack.models import SolutionInputError, load_solution

    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"schema": schema, "summary": "x", "package": {}}))
    with pytest.raises(SolutionInputError) as info:
        load_solution(path)
    (problem,) = info.value.problems
    assert problem.startswith("(document): ") and where in problem


@pytest.mark.parametrize(
    ("field", "value"),
    [("bucket", "fortnight"), ("requested", "2025-13-45"), ("front_loaded", "maybe"), ("xnodes", [])],
)
def test_a_bad_phasing_field_is_one_problem_not_every_time_field(tmp_path: Path, field: str, value: Any) -> None:
    """One wrong field under `phasing` is one problem: the scenario's time fields (a ramp, a tour, a
    dated red line) are not each said to need a `phasing` the document has."""
    data = yaml.safe_load(Path("examples/gaza-phased.yaml").read_text())
    data["phasing"][field] = value
    path = tmp_path / "phased.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioInputError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"phasing.{field}")


@pytest.mark.parametrize(
    ("unit_fields", "problem"),
    [
        ({"available_from": "2028-03-01"}, "offers[0].units[0].available_from: 2028-03-01 is outside the horizon"),
        ({"available_until": "2025-12-31"}, "offers[0].units[0].available_until: 2025-12-31 is outside the horizon"),
    ],
)
def test_loading_a_window_end_left_out_is_never_quoted_back(unit_fields: dict[str, str], problem: str) -> None:
    """A unit available from a day past the horizon, its `available_until` left out, is refused for
    the day it gives, never for a default it did not write ("available_until (2027-12-31) is before
    ...")."""
    from forcepack.models.loading import parse_scenario

    data = yaml.safe_load(Path("examples/tutorial.yaml").read_text(encoding="utf-8"))
    unit = data["offers"][0]["units"][0]
    for key in ("available_from", "available_until"):
        unit.pop(key, None)
    unit.update(unit_fields)
    with pytest.raises(ScenarioInputError) as info:
        parse_scenario(data)
    assert [p for p in info.value.problems if "offers[0].units[0]" in p] == [
        next(p for p in info.value.problems if p.startswith(problem))
    ]
    assert not any("is before" in p for p in info.value.problems)


@pytest.mark.parametrize("value", [12345, 1767225600, 2026.5])
def test_loading_a_day_written_as_a_number_is_refused(value: object) -> None:
    """A day is written YYYY-MM-DD: a number is refused, never read as seconds since 1970 (1767225600
    was taken for 2026-01-01 without a word)."""
    from forcepack.models.loading import parse_scenario

    data = yaml.safe_load(Path("examples/tutorial.yaml").read_text(encoding="utf-8"))
    data["offers"][0]["units"][0]["available_from"] = value
    with pytest.raises(ScenarioInputError) as info:
        parse_scenario(data)
    assert info.value.problems == [
        f"offers[0].units[0].available_from: expected a day as YYYY-MM-DD, not a number (got `{value}`)"
    ]
