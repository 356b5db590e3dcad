"""A scenario as stored (the coordinator's parts, and each nation's latest offer) and as solved.

The scenario a job solves is the coordinator's parts plus the latest version of each nation's
offer, put together as the document of a scenario file and validated by `models.parse_scenario`:
every rule is checked the same way for a request as for a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from forcepack.api.auth import Principal
from forcepack.api.keys import keyed_digest
from forcepack.models.errors import ScenarioInputError
from forcepack.models.loading import parse_scenario, shown_value
from forcepack.models.locating import located
from forcepack.models.scenario import Offer, Scenario

ANOTHER_NATIONS_OFFER = "another nation's offer"

_OFFER_PATH = re.compile(r"offers\[(\d+)\]((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)")


def parts_of(scenario: Scenario) -> dict[str, Any]:
    """The coordinator's parts: the whole scenario document but its offers."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"offers"})


def offer_document(offer: Offer) -> dict[str, Any]:
    """An offer as stored: its units, funding and red lines (the nation is the row's)."""
    return offer.model_dump(mode="json", exclude_none=True, exclude={"nation"})


def offer_size(offer: Mapping[str, Any]) -> int:
    """Bytes of a stored offer as canonical JSON (UTF-8): what a nation's stored history counts
    against `max_offer_history_bytes`, the same whichever database holds it."""
    return len(_canonical(offer))


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def nation_codes(parts: Mapping[str, Any]) -> list[str]:
    """Codes of the nations a scenario lists, in its order."""
    return [str(n["code"]) for n in parts.get("nations", []) if isinstance(n, Mapping) and "code" in n]


def digest(data: Any) -> str:
    """sha256 of a JSON value in canonical form."""
    return hashlib.sha256(_canonical(data)).hexdigest()


def etag(version: int, data: Any, key: bytes) -> str:
    """A strong ETag for one version of a document, keyed (`api.keys`): readers who may not see the
    document cannot confirm a guess of it from its ETag."""
    return f'"{version}-{keyed_digest(key, data)[:16]}"' if version else '"0"'


def scenario_document(
    parts: Mapping[str, Any], offers: Mapping[str, Mapping[str, Any]], *, first: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The scenario file document, and the nation of each offer in it (by position).

    Offers follow the order of `nations`, and only listed nations' offers take part; `first`
    puts one nation's offer first, so that a problem found between two offers (an id used twice)
    is reported on the other one's path.
    """
    codes = nation_codes(parts)
    rank = {code: i for i, code in enumerate(codes)}
    # A nation the coordinator no longer lists takes no part: its offers stay in the history.
    order = sorted((c for c in offers if c in rank), key=lambda c: (c != first, rank[c]))
    data = dict(parts)
    data["offers"] = [{"nation": code, **offers[code]} for code in order]
    return data, order


def coordinator_changes(data: Any, source: str) -> dict[str, Any]:
    """The coordinator's parts a change names: top-level scenario fields, not the offers, id or schema.

    Unknown names are left to the scenario's own validation, which words them as for a file.
    """
    if not isinstance(data, Mapping):
        raise ScenarioInputError(source, ["(top level): expected a mapping of coordinator parts"])
    problems: list[str] = []
    for key in data:
        if key == "offers":
            problems.append(
                "offers: not a coordinator part; each nation's offer is written with PUT .../offers/{nation}"
            )
        elif key in ("id", "schema"):
            problems.append(f"{key}: cannot be changed")
    if not data:
        problems.append("(top level): name at least one coordinator part to change")
    if problems:
        raise ScenarioInputError(source, problems)
    return dict(data)


def offer_changes(data: Any, nation: str, source: str) -> dict[str, Any]:
    """An offer as submitted for `nation` (its `nation` field, if any, must be that one)."""
    if not isinstance(data, Mapping):
        raise ScenarioInputError(source, ["(top level): expected a mapping with units, funding and red_lines"])
    offer = dict(data)
    named = offer.pop("nation", nation)
    if named != nation:
        raise ScenarioInputError(
            source, [f"nation: expected `{nation}` (the nation in the address), got `{shown_value(named)}`"]
        )
    return offer


OFFER_VIEW_FIELDS = ("scenario", "nation", "version", "etag", "written_by", "written_at")
"""The read-only fields `GET .../offers/{nation}` gives beside `offer`."""


def offer_of_view(data: Any, stored: Mapping[str, Any], source: str) -> Any:
    """The offer of a body written as `GET .../offers/{nation}` gives it (`{scenario, nation,
    version, etag, written_by, written_at, offer}`), so that a client can send back what it read:
    each read-only field it holds must be the stored version's (`stored`, as GET gives it), else a
    problem naming the field. Any other body is the offer itself, returned as it is."""
    if not isinstance(data, Mapping) or not isinstance(data.get("offer"), Mapping):
        return data
    problems: list[str] = []
    for key, value in data.items():
        if key == "offer":
            continue
        if key not in OFFER_VIEW_FIELDS:
            problems.append(
                f"{shown_value(key)}: unknown field `{shown_value(key)}` beside `offer` (the offer's own fields go "
                "inside it)"
            )
        elif not _same_value(key, value, stored.get(key)):
            problems.append(
                f"{key}: read-only, and not the stored offer's (`{shown_value(stored.get(key))}`; got "
                f"`{shown_value(value)}`): send what GET gave, or the offer alone"
            )
    if problems:
        raise ScenarioInputError(source, problems)
    return data["offer"]


def _same_value(key: str, given: Any, stored: Any) -> bool:
    """A read-only field as sent back against the stored one (a time as any ISO 8601 form of it)."""
    if key == "written_at" and isinstance(given, str) and isinstance(stored, str):
        try:
            return dt.datetime.fromisoformat(given) == dt.datetime.fromisoformat(stored)
        except ValueError:
            return False
    return type(given) is type(stored) and bool(given == stored)


def build_scenario(
    parts: Mapping[str, Any],
    offers: Mapping[str, Mapping[str, Any]],
    *,
    source: str,
    subject: str | None = None,
    viewer: Principal | None = None,
) -> Scenario:
    """Validate the parts and offers together, as a scenario file.

    Problem paths name offers by nation (`offers[MAR].units[0]`); the `subject` nation's offer
    (the one being written) by paths inside it (`units[0]`); an offer the `viewer` may not see
    as "another nation's offer", with nothing of it shown.
    """
    data, order = scenario_document(parts, offers, first=subject)
    try:
        return parse_scenario(data, source)
    except ScenarioInputError as exc:
        problems = [
            _rename_offer_paths(
                _with_ids(line, data) if _sees(line, order, subject, viewer) else line, order, subject, viewer
            )
            for line in exc.problems
        ]
        raise ScenarioInputError(source, problems) from None


def with_ids(problems: list[str], data: Any) -> list[str]:
    """Each problem's path with the ids of the elements it goes through (`sectors[1].control (id:
    centre): ...`), as a scenario file's problems have them (a request has no lines to give)."""
    return [_with_ids(line, data) for line in problems]


def _with_ids(line: str, data: Any) -> str:
    # An offer's path is renamed by its nation (`offers[MAR]`, or inside the delegate's own offer
    # `units[0]`): its own `nation:` id would say it twice.
    return _OFFER_NATION_ID.sub(_drop_nation, located([line], data, "")[0], count=1)


_OFFER_NATION_ID = re.compile(r"^(?P<path>offers\[\d+\]\S*) \(nation: [^,()]*(?P<end>, |\))")


def _drop_nation(match: re.Match[str]) -> str:
    return match.group("path") + (" (" if match.group("end") == ", " else "")


def _sees(line: str, order: list[str], subject: str | None, viewer: Principal | None) -> bool:
    """May the viewer read the ids on the problem's path? Not inside an offer it may not see."""
    match = _OFFER_PATH.match(line)
    if match is None:
        return True
    index = int(match.group(1))
    nation = order[index] if index < len(order) else None
    return nation is not None and (nation == subject or viewer is None or viewer.sees_nation(nation))


def _rename_offer_paths(line: str, order: list[str], subject: str | None, viewer: Principal | None) -> str:
    def rename(match: re.Match[str]) -> str:
        index, rest = int(match.group(1)), match.group(2)
        nation = order[index] if index < len(order) else None
        if nation is not None and nation == subject:
            return rest.removeprefix(".") or "(offer)"
        if nation is not None and (viewer is None or viewer.sees_nation(nation)):
            return f"offers[{nation}]{rest}"
        return ANOTHER_NATIONS_OFFER

    return _OFFER_PATH.sub(rename, line)
