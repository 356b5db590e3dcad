"""Loading scenarios from YAML and JSON: good files load, malformed ones name every problem by its field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
]


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
        matching = [p for p in error.problems if p.startswith(f"{where}: ")]
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
    import yaml

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
