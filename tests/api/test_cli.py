"""The service's commands: `db upgrade`, `token create|list|revoke`, and what `serve` does first."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from forcepack.api.app import create_app
from forcepack.api.cli import app
from forcepack.api.db import Database, script_revisions
from forcepack.api.setup import first_start
from tests.api.conftest import EXAMPLES, make_settings

(HEAD,) = script_revisions()[0]
"""The latest migration revision: where `db upgrade` and `serve` bring a database."""

runner = CliRunner()


def _served_database(tmp_path: Path) -> str:
    """The URL of a database as the service leaves it: migrated, the examples loaded."""
    from forcepack.api.db import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = Database(url)
    upgrade(database)
    first_start(database, EXAMPLES)
    database.dispose()
    return url


def test_cli_token_create_prints_a_working_token_once(tmp_path: Path) -> None:
    """`token create` prints the token on stdout, stores only its hash, and the token authenticates."""
    url = _served_database(tmp_path)
    result = runner.invoke(app, ["token", "create", "--role", "delegate", "--nation", "IDN", "--database-url", url])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert len(secret) >= 43
    database = Database(url)
    with database.read() as session:
        from sqlalchemy import text

        stored = session.execute(text("SELECT token_hash, role, nation FROM tokens WHERE role = 'delegate'")).all()
    assert len(stored) == 1
    assert stored[0][1:] == ("delegate", "IDN")
    assert secret not in stored[0][0]
    listing = runner.invoke(app, ["token", "list", "--database-url", url])
    assert "delegate" in listing.stdout and secret not in listing.stdout
    with TestClient(create_app(make_settings(tmp_path / "unused", database_url=url))) as client:
        assert client.get("/v1/scenarios", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = next(line.split()[0] for line in listing.stdout.splitlines() if "delegate" in line)
    assert runner.invoke(app, ["token", "revoke", token_id, "--database-url", url]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", token_id, "--database-url", url]).exit_code == 2


def test_cli_token_create_checks_role_and_nation(tmp_path: Path) -> None:
    """A delegate needs a nation, the other roles take none, and the role must exist: exit 2 with a message."""
    url = _served_database(tmp_path)
    for args in (["--role", "delegate"], ["--role", "observer", "--nation", "IDN"], ["--role", "king"]):
        result = runner.invoke(app, ["token", "create", *args, "--database-url", url])
        assert result.exit_code == 2
        assert "error:" in result.stderr


def test_cli_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    """`db upgrade` creates the file and brings it to the latest revision."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert f"revision {HEAD}" in result.stdout
    assert (tmp_path / "new.db").exists()


def test_cli_db_upgrade_never_prints_a_password() -> None:
    """A PostgreSQL URL is echoed with its password hidden (the command's output lands in logs)."""
    from forcepack.api.cli import _token_file

    shown = runner.invoke(app, ["db", "upgrade", "--database-url", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x"])
    assert shown.exit_code == 2
    assert "error: cannot use the database postgresql+psycopg://u:***@127.0.0.1:1/x" in shown.stderr
    assert "s3cret" not in shown.output and "Traceback" not in shown.output
    assert _token_file("postgresql+psycopg://u:s3cret@h/x").name == "forcepack-coordinator-token"


def test_cli_token_commands_never_make_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder without the service's database, `token create` and `token list` say where they
    looked (exit 2) and leave no new, empty database behind (a token in it would work nowhere)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCEPACK_DATABASE_URL", raising=False)
    for args in (["create", "--role", "coordinator"], ["list"]):
        result = runner.invoke(app, ["token", *args])
        assert result.exit_code == 2
        assert f"no database at {tmp_path / 'forcepack.db'}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_token_create_refuses_a_nation_no_scenario_lists(tmp_path: Path) -> None:
    """A delegate of a nation no scenario lists is a typo until said otherwise (`--any-nation`)."""
    url = _served_database(tmp_path)
    typo = runner.invoke(app, ["token", "create", "--role", "delegate", "--nation", "IDM", "--database-url", url])
    assert typo.exit_code == 2
    assert "no scenario lists the nation 'IDM' (did you mean IDN?)" in typo.stderr
    forced = ["token", "create", "--role", "delegate", "--nation", "IDM", "--any-nation", "--database-url", url]
    assert runner.invoke(app, forced).exit_code == 0


def test_cli_token_expires(tmp_path: Path) -> None:
    """A token made with `--expires` works until then and is refused after, with a message saying so."""
    import datetime as dt

    from sqlalchemy import update

    from forcepack.api.tables import TokenRow

    url = _served_database(tmp_path)
    made = runner.invoke(app, ["token", "create", "--role", "observer", "--expires", "30d", "--database-url", url])
    assert made.exit_code == 0, made.output
    assert "valid until" in made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(make_settings(tmp_path / "unused", database_url=url))) as client:
        assert client.get("/v1/me", headers=headers).status_code == 200
        database: Database = client.app.state.database  # type: ignore[attr-defined]
        with database.write() as session:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            session.execute(update(TokenRow).where(TokenRow.role == "observer").values(expires_at=past))
        refused = client.get("/v1/me", headers=headers)
        assert refused.status_code == 401
        assert "expired" in refused.json()["detail"]
    bad = runner.invoke(app, ["token", "create", "--role", "observer", "--expires", "soon", "--database-url", url])
    assert bad.exit_code == 2 and "--expires takes a date" in bad.stderr


def test_cli_first_start_loads_examples_and_makes_one_coordinator_token(tmp_path: Path) -> None:
    """On an empty database `serve` loads the examples and makes a coordinator token; a restart does neither."""
    from forcepack.api.db import upgrade

    database = Database(f"sqlite:///{tmp_path / 'serve.db'}")
    upgrade(database)
    first = first_start(database, EXAMPLES)
    assert sorted(first.loaded) == [
        "gaza-isf",
        "gaza-phased",
        "infeasible-funding",
        "infeasible-khan-younis-police",
        "three-causes",
        "tutorial",
    ]
    assert first.skipped == []
    assert first.token is not None and first.token.role == "coordinator"
    again = first_start(database, EXAMPLES)
    assert (again.loaded, again.token) == ([], None)


def _foreign_sqlite(path: Path) -> None:
    """Another program's SQLite database, in rollback-journal mode as SQLite makes it."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        connection.execute("INSERT INTO notes (text) VALUES ('not forcepack')")


def _other_alembic_project(path: Path) -> None:
    """Another program's database migrated by Alembic, at a revision named like one of forcepack's."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('0003')")
        connection.execute("CREATE TABLE tokens (id TEXT)")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_foreign_sqlite, "it has no table alembic_version, jobs, offer_versions, scenarios, tokens"),
        (_other_alembic_project, "it has no table jobs, offer_versions, scenarios"),
        (lambda path: path.write_bytes(b""), "the file is empty"),
        (lambda path: path.write_text("name,nation\nIDN,Indonesia\n"), "the file is not a SQLite database"),
    ],
    ids=["foreign-sqlite", "other-alembic-project", "empty", "csv"],
)
@pytest.mark.parametrize("command", [["create", "--role", "coordinator"], ["list"], ["revoke", "tok_000000000000"]])
def test_cli_token_commands_leave_a_file_that_is_not_the_services_as_it_was(
    tmp_path: Path, make: Callable[[Path], None], reason: str, command: list[str]
) -> None:
    """Pointed at a file that is not the service's database, a token command says so, naming the file
    (exit 2), and leaves it byte for byte as it was: no WAL switched on, no table made, no `-wal`,
    `-shm` or `-journal` file beside it."""
    path = tmp_path / "other.db"
    make(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = runner.invoke(app, ["token", *command, "--database-url", f"sqlite:///{path}"])
    assert result.exit_code == 2, result.output
    assert f"error: {path} is not a forcepack database ({reason}); it was left as it is" in result.stderr
    assert "Traceback" not in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_cli_token_commands_read_a_served_database_without_leaving_files(tmp_path: Path) -> None:
    """The read-only look at the service's own database (stopped: no `-wal` file) leaves nothing beside
    it, and the command then works as before."""
    url = _served_database(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.db"]
    from forcepack.api.db import sqlite_file_revision

    assert sqlite_file_revision(tmp_path / "cli.db") == HEAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.db"]
    assert runner.invoke(app, ["token", "list", "--database-url", url]).exit_code == 0


def test_cli_token_commands_refuse_an_older_revision_without_migrating_it(tmp_path: Path) -> None:
    """The service's database at an older revision is named as such (run `db upgrade`), and left unmigrated."""
    from forcepack.api.db import downgrade, upgrade

    path = tmp_path / "old.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    downgrade(database, "0002")
    database.dispose()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = runner.invoke(app, ["token", "list", "--database-url", f"sqlite:///{path}"])
    assert result.exit_code == 2
    assert "is at revision 0002, not the service's; run `forcepack db upgrade`" in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_make_run_passes_host_and_port_to_serve() -> None:
    """`make run HOST=... PORT=...` serves there; without them, on 127.0.0.1:8000."""
    import subprocess

    root = EXAMPLES.parent

    def serve_line(*variables: str) -> str:
        done = subprocess.run(["make", "-n", "run", *variables], cwd=root, capture_output=True, text=True, check=True)
        return next(line for line in done.stdout.splitlines() if "forcepack serve" in line)

    assert serve_line("HOST=0.0.0.0", "PORT=9001").endswith("forcepack serve --host 0.0.0.0 --port 9001")
    assert serve_line().endswith("forcepack serve --host 127.0.0.1 --port 8000")


def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """`forcepack serve` on a database in `tmp_path`, examples from `tmp_path / 'examples'`, without
    serving (uvicorn is not started): what it prints."""
    import uvicorn

    served: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(options["port"]))
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    result = runner.invoke(
        app, ["serve", "--port", "8123", "--examples", str(tmp_path / "examples"), "--database-url", url, *args]
    )
    assert result.exit_code == 0, result.output
    assert served == [8123]
    return result.stdout


def _examples(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "examples"
    folder.mkdir()
    for name in ("tutorial.yaml", "three-causes.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def test_cli_serve_again_says_how_to_get_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first start makes a coordinator token (its secret in a file, not on a pipe); a second start
    makes none and prints where the first one is and the command that makes another."""
    _examples(tmp_path)
    first = _serve(tmp_path, monkeypatch)
    secret = (tmp_path / "forcepack-coordinator-token").read_text().strip()
    assert "coordinator token tok_" in first and secret not in first
    again = _serve(tmp_path, monkeypatch)
    assert "coordinator token tok_" not in again and secret not in again
    assert (
        f"sign in as a coordinator with the token the first start wrote to {tmp_path / 'forcepack-coordinator-token'}, "
        f"or a new one: `forcepack token create --role coordinator --database-url sqlite:///{tmp_path / 'serve.db'}`"
    ) in again


def test_cli_serve_without_examples_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started where there is no examples folder (or an empty one), `serve` says it read no example
    scenario and how to give one, rather than starting an empty service silently."""
    missing = _serve(tmp_path, monkeypatch)
    assert (
        f"no example scenarios read: {tmp_path / 'examples'} is not a folder here (start from the checkout, "
        "or give --examples FOLDER"
    ) in missing
    (tmp_path / "examples").mkdir()
    empty = _serve(tmp_path, monkeypatch)
    assert f"no example scenarios read: {tmp_path / 'examples'} holds no scenario file" in empty
    (tmp_path / "examples").rmdir()
    _examples(tmp_path)  # (a folder with scenarios says nothing of the kind)
    assert "no example scenarios read" not in _serve(tmp_path, monkeypatch)


def _stored(tmp_path: Path, scenario_id: str) -> tuple[int, dict[str, Any], dict[str, int]]:
    """A stored scenario's version, parts, and each offer's latest version."""
    from forcepack.api import store

    database = Database(f"sqlite:///{tmp_path / 'serve.db'}")
    with database.read() as session:
        row = store.scenario_row(session, scenario_id)
        assert row is not None
        result = (
            row.version,
            dict(row.parts),
            {n: r.version for n, r in store.latest_offers(session, scenario_id).items()},
        )
    database.dispose()
    return result


def test_cli_serve_never_reloads_an_edited_example_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An example edited after it was loaded is named at the next start with each difference and the
    command that loads it, the database left as it was; `--reload-examples` loads it as new versions
    (the earlier ones kept); once a delegate has changed the scenario through the API, a further edit
    of the file is not loaded over that change, and the start says so. A new example file is loaded."""
    folder = _examples(tmp_path)
    _serve(tmp_path, monkeypatch)
    tutorial = folder / "tutorial.yaml"
    text = tutorial.read_text()
    edited = text.replace("quantity: 1200", "quantity: 1500").replace(
        "count: 2, personnel: 600", "count: 3, personnel: 600"
    )
    assert edited != text
    tutorial.write_text(edited)

    out = _serve(tmp_path, monkeypatch)
    assert f"{tutorial} differs from scenario `tutorial` as loaded (2 differences); the database keeps" in out
    assert "`forcepack serve --reload-examples --database-url sqlite:///" in out
    assert "  requirements[ky-inf].quantity: 1200 -> 1500" in out
    assert "  offers[MAR].units[mar-inf].count: 2 -> 3" in out
    assert _stored(tmp_path, "tutorial")[0] == 1

    out = _serve(tmp_path, monkeypatch, "--reload-examples")
    assert f"reloaded {tutorial} as a new version of scenario `tutorial`" in out
    version, parts, offers = _stored(tmp_path, "tutorial")
    assert version == 2 and parts["requirements"][1]["quantity"] == 1500
    assert offers == {"IDN": 1, "MAR": 2, "TUR": 1, "SAU": 1}
    assert "differs" not in _serve(tmp_path, monkeypatch)  # as loaded now: nothing to say

    from forcepack.api.auth import Principal, Role
    from forcepack.api.service import get_offer, put_offer

    database = Database(f"sqlite:///{tmp_path / 'serve.db'}")
    delegate = Principal("tok_idn", Role.DELEGATE, "IDN")
    current = get_offer(database, delegate, "tutorial", "IDN")
    body = current.offer.model_dump_json(exclude={"nation"}).encode()
    put_offer(
        database,
        make_settings(tmp_path),
        delegate,
        "tutorial",
        "IDN",
        body,
        "application/json",
        if_match=current.etag,
        if_none_match=None,
    )
    database.dispose()
    tutorial.write_text(edited.replace("quantity: 1500", "quantity: 1800"))
    out = _serve(tmp_path, monkeypatch, "--reload-examples")
    assert "changed through the API since (offer of IDN version 2): it is left as it is" in out
    assert "  requirements[ky-inf].quantity: 1500 -> 1800" in out
    assert _stored(tmp_path, "tutorial")[0] == 2

    (folder / "funding.yaml").write_text((EXAMPLES / "infeasible-funding.yaml").read_text())
    assert "loaded 1 example scenario: infeasible-funding" in _serve(tmp_path, monkeypatch)
