"""A hostile delegate, and a curious observer, against a running forcepack service.

Replays every class of attack the hardening work closed, over real HTTP, and reports what got
through: figures that overflow the model, exception text read by other roles, bodies that stall
the parser or the writers, ids probed through error messages, answers that were 500s, a
cancelled job's slot, masked names shown beside their mask, hashes that confirm guesses, bodies
buffered before the token, answers a cache may keep, an offer history without bound.

    python -m tests.api.adversary --api http://127.0.0.1:8000 --database-url sqlite:///forcepack.db

Loopback only (it refuses any other address) and bounded (each request times out after 60 s, the
whole run after `--max-seconds`). It needs the examples loaded (the tutorial and Gaza scenarios)
and makes its own tokens with `forcepack token create` on the service's database. Exit status 0
when nothing got through, 1 otherwise; `tests/api/test_adversary.py` runs it against a fresh
`forcepack serve`.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

FORCEPACK = Path(sys.executable).with_name("forcepack")
INCIDENT = re.compile(r"^the server failed unexpectedly; the error is logged as incident [0-9a-f]{12}$")
FIXED_FAILURES = ("the server stopped before this job finished; submit it again",)


@dataclass
class Report:
    """What each attack class found: the checks run, and what got through."""

    checks: dict[str, int] = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, attack: str, holds: bool, what: str) -> None:
        """Record one check of an attack class; a check that does not hold is a breach."""
        self.checks[attack] = self.checks.get(attack, 0) + 1
        if not holds:
            self.breaches.append(f"{attack}: {what}")

    def text(self) -> str:
        lines = [f"{name}: {count} checks" for name, count in self.checks.items()]
        lines += [f"BREACH {b}" for b in self.breaches] + [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class Adversary:
    """The attacker's tools: clients for each role, and the service's database for tokens."""

    def __init__(self, api: str, database_url: str, report: Report) -> None:
        host = urlparse(api).hostname or ""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise SystemExit(f"refusing {api}: the adversary runs against loopback only")
        self.api, self.database_url, self.report = api.rstrip("/"), database_url, report
        self.http = httpx.Client(base_url=self.api, timeout=60.0)
        self.tokens: dict[str, str] = {}

    def token(self, role: str, nation: str | None = None) -> str:
        key = f"{role}:{nation}"
        if key not in self.tokens:
            args = [str(FORCEPACK), "token", "create", "--role", role, "--database-url", self.database_url]
            if nation:
                args += ["--nation", nation]
            made = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
            self.tokens[key] = made.stdout.strip().splitlines()[-1]
        return self.tokens[key]

    def auth(self, role: str, nation: str | None = None, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, nation)}", **headers}

    def put_offer(self, scenario: str, nation: str, offer: Any, *, role: str = "delegate", **kw: Any) -> httpx.Response:
        headers = self.auth(role, nation if role == "delegate" else None)
        path = f"/v1/scenarios/{scenario}/offers/{nation}"
        etag = self.http.get(path, headers=headers).headers.get("etag", '"0"')
        content = offer if isinstance(offer, bytes) else json.dumps(offer).encode()
        media = kw.pop("media", "application/json")
        return self.http.put(path, content=content, headers={**headers, "If-Match": etag, "Content-Type": media})

    def job(self, location: str, *, timeout_s: float = 180.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            job: dict[str, Any] = self.http.get(location, headers=self.auth("coordinator")).json()
            if job["status"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
                return job
            time.sleep(0.1)

    def submit(self, scenario: str, kind: str, body: dict[str, Any]) -> str:
        answer = self.http.post(f"/v1/scenarios/{scenario}/{kind}", json=body, headers=self.auth("coordinator"))
        if answer.status_code != 202:
            raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:300]}")
        return answer.headers["Location"]


# -- the attacks ------------------------------------------------------------------------------------


def overflow(a: Adversary) -> None:
    """1. Figures without bound, or whose product overflows, in a delegate's own offer."""
    attempts = {
        "red_lines[0].limit": {"red_lines": [{"id": "x", "kind": "max_personnel", "limit": 10**29}]},
        "red_lines[0].personnel": {"red_lines": [{"id": "x", "kind": "min_contingent", "personnel": 10**29}]},
        "red_lines[0].min": {"red_lines": [{"id": "x", "kind": "requires_partner", "nations": ["MAR"], "min": 10**29}]},
        "units": {
            "units": [
                {"id": f"u{i}", "capability": "engineer", "count": 10_000, "personnel": 1, "monthly_cost_usd": 10**10}
                for i in range(5)
            ]
        },
    }
    for field_path, offer in attempts.items():
        answer = a.put_offer("tutorial", "IDN", offer)
        named = answer.status_code == 422 and any(p.startswith(field_path) for p in answer.json().get("problems", []))
        a.report.check("overflow", named, f"{field_path}: {answer.status_code} {answer.text[:200]}")
    job = a.job(a.submit("tutorial", "solves", {"time_limit_s": 10}))
    a.report.check("overflow", job["status"] == "done", f"the solve after the attempts ended {job['status']}")


def failure_text(a: Adversary) -> None:
    """2. Another nation's figures in a failed job's text, read by a delegate or an observer."""
    for role, nation in (("delegate", "MAR"), ("observer", None)):
        for scenario in ("tutorial", "gaza-isf"):
            listed = a.http.get(f"/v1/scenarios/{scenario}/jobs?limit=100", headers=a.auth(role, nation)).json()
            for item in listed.get("items", []):
                error = item.get("error")
                fine = error is None or error in FIXED_FAILURES or INCIDENT.match(error) is not None
                a.report.check("failure-text", fine and item.get("error_detail") is None, f"{role} reads {error!r}")


def stall(a: Adversary) -> None:
    """3. A pathological body sent while another nation writes: the other write must go through."""
    bodies = [
        b"units: " + b"[" * 60_000 + b"]" * 60_000,
        b"units: [" + b", ".join(b"{a: [[[[1]]]], b: 2}" for _ in range(12_000)) + b"]",
    ]
    hostile: list[int] = []

    def attack() -> None:
        for body in bodies * 2:
            hostile.append(a.put_offer("tutorial", "IDN", body, media="application/yaml").status_code)

    thread = threading.Thread(target=attack)
    thread.start()
    ordinary = [a.put_offer("tutorial", "MAR", {"units": []}).status_code for _ in range(5)]
    thread.join(300)
    a.report.check("stall", set(hostile) == {422}, f"the hostile bodies got {hostile}")
    a.report.check("stall", set(ordinary) == {200}, f"the ordinary writes meanwhile got {ordinary}")


def probing(a: Adversary) -> None:
    """4. Another nation's ids probed through the answer to a write that uses them."""
    coordinator = a.auth("coordinator")
    idn = a.http.get("/v1/scenarios/tutorial/offers/IDN", headers=coordinator).json()["offer"]
    theirs = [line["id"] for line in idn.get("red_lines", [])] + [u["id"] for u in idn.get("units", [])]
    theirs += [p["id"] for p in idn.get("funding", [])]

    def answer(name: str) -> tuple[int, list[str]]:
        offer = {
            "units": [{"id": name, "capability": "infantry", "count": 1, "personnel": 600}],
            "funding": [{"id": name, "amount_usd": 1}],
            "red_lines": [{"id": name, "kind": "max_engagement", "level": 2}],
        }
        response = a.put_offer("tutorial", "MAR", offer)
        return response.status_code, response.json().get("problems", []) if response.status_code >= 400 else []

    unused = answer("zz-never-used")
    for name in theirs:
        a.report.check("probing", answer(name) == unused, f"`{name}` answers unlike an unused id")


def former_500s(a: Adversary) -> None:
    """5. Requests that once answered 500."""
    digits = b"9" * 5000
    cases: list[tuple[str, str, bytes, str]] = [
        ("PUT", "/v1/scenarios/tutorial/offers/IDN", b'{"units": [{"id": "x", "count": ' + digits + b"}]}", "json"),
        ("PUT", "/v1/scenarios/tutorial/offers/IDN", b"units:\n- {id: x, count: " + digits + b"}\n", "yaml"),
        ("PUT", "/v1/scenarios/tutorial/offers/IDN", b"? [a, b]\n: 1\n", "yaml"),
        ("PUT", "/v1/scenarios/tutorial/offers/IDN", b'{"units": [], "units": []}', "json"),
    ]
    for method, path, body, kind in cases:
        headers = a.auth("delegate", "IDN", **{"If-Match": "*", "Content-Type": f"application/{kind}"})
        answer = a.http.request(method, path, content=body, headers=headers)
        a.report.check("former-500", 400 <= answer.status_code < 500, f"{kind} body: {answer.status_code}")
    for role, nation in (("observer", None), ("delegate", "IDN")):
        answer = a.http.get(f"/v1/scenarios/tutorial/jobs?offset={2**63}", headers=a.auth(role, nation))
        a.report.check("former-500", answer.status_code == 422, f"offset 2^63: {answer.status_code}")
    answer = a.http.get("/web/" + "a" * 300 + ".js")
    a.report.check("former-500", answer.status_code == 404, f"long page file name: {answer.status_code}")
    statuses = set()
    for kind in ("solves", "what-ifs", "criticality", "explanations", "why-nots"):
        answer = a.http.post(
            f"/v1/scenarios/tutorial/{kind}",
            content=b'{"seed": 1, "seed": 2}',
            headers=a.auth("coordinator", **{"Content-Type": "application/json"}),
        )
        statuses.add(answer.status_code)
    a.report.check("former-500", statuses == {422}, f"job kinds answer one bad body with {sorted(statuses)}")


def cancel_slot(a: Adversary) -> None:
    """6. A cancelled job keeps its slot: a new job must be admitted once the cancel answers."""
    from bench.generator import generate

    big = generate(200, 7).model_dump(mode="json", by_alias=True, exclude_none=True)
    big["id"] = "adversary-200"
    created = a.http.post("/v1/scenarios", json=big, headers=a.auth("coordinator"))
    a.report.check("cancel", created.status_code in (201, 409), f"creating a large scenario: {created.status_code}")
    location = a.submit("adversary-200", "solves", {"time_limit_s": 60})
    deadline = time.monotonic() + 60
    while a.http.get(location, headers=a.auth("coordinator")).json()["status"] == "queued":
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    start = time.monotonic()
    a.http.delete(location, headers=a.auth("coordinator"))
    admitted, waited = None, 0.0
    while time.monotonic() - start < 60:
        answer = a.http.post("/v1/scenarios/tutorial/solves", json={"time_limit_s": 5}, headers=a.auth("coordinator"))
        if answer.status_code == 202:
            admitted, waited = answer.headers["Location"], time.monotonic() - start
            break
        time.sleep(0.05)
    a.report.check("cancel", admitted is not None, "no job admitted within 60 s of a cancel")
    a.report.notes.append(f"a job was admitted {waited:.2f} s after cancelling a 200-nation solve")
    if admitted:
        a.job(admitted)


def masked_names(a: Adversary) -> None:
    """7. A masked name shown beside its mask."""
    why = a.job(a.submit("gaza-isf", "why-nots", {"subject": "xkx-inf", "time_limit_s": 20}))
    a.report.check("masked", why["status"] == "done", f"why-not ended {why['status']}")
    seen = json.dumps(a.http.get(f"/v1/jobs/{why['id']}", headers=a.auth("delegate", "IDN")).json())
    a.report.check("masked", "xkx-inf" not in seen, "IDN's delegate reads `xkx-inf` in a why-not about it")
    body = {"ops": [{"op": "remove_unit", "unit": "pak-qrf"}], "time_limit_s": 20}
    what = a.job(a.submit("gaza-isf", "what-ifs", body))
    seen = json.dumps(a.http.get(f"/v1/jobs/{what['id']}", headers=a.auth("delegate", "IDN")).json())
    a.report.check("masked", "pak-qrf" not in seen, "IDN's delegate reads `pak-qrf` in a what-if removing it")


def hashes(a: Adversary) -> None:
    """8. Hashes an observer sees that confirm a guess of what it may not read."""
    view = a.http.get("/v1/scenarios/tutorial", headers=a.auth("observer")).json()
    for entry in view["offers"]:
        if entry["version"] == 0:
            continue
        offer = a.http.get(f"/v1/scenarios/tutorial/offers/{entry['nation']}", headers=a.auth("coordinator")).json()
        stored = {k: v for k, v in offer["offer"].items() if k != "nation" and v is not None}
        text = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        plain = hashlib.sha256(text.encode()).hexdigest()[:16]
        a.report.check("hashes", plain not in entry["etag"], f"{entry['nation']}'s ETag is the plain digest")
    location = a.submit("tutorial", "solves", {"time_limit_s": 10})
    a.job(location)
    real = a.http.get(location, headers=a.auth("coordinator")).json()["result"]["scenario"]["sha256"]
    seen = a.http.get(location, headers=a.auth("observer")).json()["result"]["scenario"]["sha256"]
    a.report.check("hashes", seen != real, "an observer reads the scenario's sha256")


def smaller(a: Adversary) -> None:
    """9. A body read before its token; answers a cache may keep."""
    big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    start = time.monotonic()
    answer = a.http.post("/v1/scenarios", content=big, headers={"Content-Type": "application/json"})
    a.report.check("smaller", answer.status_code == 401, f"a tokenless 3 MiB body: {answer.status_code}")
    a.report.notes.append(f"a tokenless 3 MiB POST answered in {time.monotonic() - start:.2f} s")
    for path in ("/v1/scenarios/tutorial", "/v1/scenarios/tutorial/offers/IDN", "/v1/scenarios/tutorial/jobs"):
        answer = a.http.get(path, headers=a.auth("delegate", "IDN"))
        a.report.check("smaller", answer.headers.get("cache-control") == "no-store", f"{path}: may be cached")


HISTORY_SCENARIO = {
    "schema": "forcepack.scenario/1",
    "id": "adversary-history",
    "name": "A nation that writes without end",
    "horizon": {"start": "2026-03-01", "end": "2027-12-31"},
    "sectors": [{"id": "rafah", "control": "secure"}],
    "requirements": [{"id": "rafah-eng", "sector": "rafah", "capability": "engineer", "quantity": 1}],
    "nations": [{"code": "ADV"}],
    "offers": [{"nation": "ADV", "units": []}],
}
HISTORY_WRITES_BYTES = 64 * 1024 * 1024
"""How much the attacker writes before it calls the history unbounded (4 x the default quota)."""


def history(a: Adversary) -> None:
    """10. An offer history without bound: every version answered at once, and versions stored without end."""
    created = a.http.post("/v1/scenarios", json=HISTORY_SCENARIO, headers=a.auth("coordinator"))
    a.report.check("history", created.status_code in (201, 409), f"creating its scenario: {created.status_code}")
    path = "/v1/scenarios/adversary-history/offers/ADV/history"
    delegate = a.auth("delegate", "ADV")
    for query in ("limit=101", "limit=0", "offset=-1", f"offset={10**9 + 1}"):
        answer = a.http.get(f"{path}?{query}", headers=delegate)
        a.report.check("history", answer.status_code == 422, f"history?{query}: {answer.status_code}")
    units = [
        {"id": f"adv-{i:04d}-" + "x" * 60, "capability": "engineer", "count": 1, "personnel": 1} for i in range(500)
    ]
    size = len(json.dumps({"units": units}).encode())
    statuses: list[int] = []
    refused: httpx.Response | None = None
    while len(statuses) * size < HISTORY_WRITES_BYTES:
        answer = a.put_offer("adversary-history", "ADV", {"units": units})
        statuses.append(answer.status_code)
        if answer.status_code != 200:
            refused = answer
            break
    a.report.notes.append(f"{len(statuses) - 1} versions of about {size:,} bytes stored before the quota answered")
    a.report.check(
        "history",
        refused is not None and refused.status_code == 409 and "quota" in refused.json().get("detail", ""),
        f"no quota: {len(statuses)} versions of {size:,} bytes, the last answered {statuses[-1]}",
    )
    total = a.http.get(path, headers=delegate).json().get("total")
    again = a.put_offer("adversary-history", "ADV", {"units": units})
    a.report.check("history", again.status_code == 409, f"a write past the quota, again: {again.status_code}")
    after = a.http.get(path, headers=delegate).json()
    a.report.check("history", after.get("total") == total, f"a refused write changed the total ({total} -> {after})")
    coordinator = a.put_offer("adversary-history", "ADV", {"units": units[:1]}, role="coordinator")
    a.report.check("history", coordinator.status_code == 200, f"a coordinator's write: {coordinator.status_code}")
    page = a.http.get(path, headers=delegate).json()
    a.report.check("history", len(page["items"]) <= 20, f"the default page holds {len(page['items'])} versions")
    largest = a.http.get(f"{path}?limit=100", headers=delegate).json()
    a.report.check("history", len(largest["items"]) <= 100, f"a page of limit 100 holds {len(largest['items'])}")
    a.report.check(
        "history",
        largest["total"] == (total or 0) + 1 and largest["items"][0]["version"] == 1,
        f"total {largest['total']} after {total} and a coordinator's write, first {largest['items'][0]['version']}",
    )


ATTACKS: tuple[Callable[[Adversary], None], ...] = (
    overflow,
    failure_text,
    stall,
    probing,
    former_500s,
    cancel_slot,
    masked_names,
    hashes,
    smaller,
    history,
)


def run(api: str, database_url: str, *, max_seconds: float = 900.0, only: Sequence[str] = ()) -> Report:
    """Every attack (or those named), one after the other, within `max_seconds`."""
    report = Report()
    adversary = Adversary(api, database_url, report)
    deadline = time.monotonic() + max_seconds
    for attack in ATTACKS:
        if only and attack.__name__ not in only:
            continue
        if time.monotonic() > deadline:
            report.breaches.append(f"{attack.__name__}: not run, the run's {max_seconds:.0f} s were spent")
            continue
        attack(adversary)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default="sqlite:///forcepack.db")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--only", nargs="*", default=[], help="attack names (overflow, stall, ...)")
    args = parser.parse_args(argv)
    report = run(args.api, args.database_url, max_seconds=args.max_seconds, only=args.only)
    print(report.text())
    return 1 if report.breaches else 0


if __name__ == "__main__":
    raise SystemExit(main())
