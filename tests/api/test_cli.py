"""The service's commands: `db upgrade`, `token create|list|revoke`, and what `serve` does first."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.db import Database
from api.setup import first_start
from tests.api.conftest import EXAMPLES, make_settings

runner = CliRunner()


def test_cli_token_create_prints_a_working_token_once(tmp_path: Path) -> None:
    """`token create` prints the token on stdout, stores only its hash, and the token authenticates."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["token", "create", "--role", "delegate", "--nation", "IDN", "--database-url", url])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert len(secret) >= 43
    database = Database(url)
    with database.read() as session:
        from sqlalchemy import text

        stored = session.execute(text("SELECT token_hash, role, nation FROM tokens")).all()
    assert len(stored) == 1
    assert stored[0][1:] == ("delegate", "IDN")
    assert secret not in stored[0][0]
    listing = runner.invoke(app, ["token", "list", "--database-url", url])
    assert "delegate" in listing.stdout and secret not in listing.stdout
    with TestClient(create_app(make_settings(tmp_path / "unused", database_url=url))) as client:
        assert client.get("/v1/scenarios", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = listing.stdout.split()[0]
    assert runner.invoke(app, ["token", "revoke", token_id, "--database-url", url]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", token_id, "--database-url", url]).exit_code == 2


def test_cli_token_create_checks_role_and_nation(tmp_path: Path) -> None:
    """A delegate needs a nation, the other roles take none, and the role must exist: exit 2 with a message."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for args in (["--role", "delegate"], ["--role", "observer", "--nation", "IDN"], ["--role", "king"]):
        result = runner.invoke(app, ["token", "create", *args, "--database-url", url])
        assert result.exit_code == 2
        assert "error:" in result.stderr


def test_cli_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    """`db upgrade` creates the file and brings it to the latest revision."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "revision 0001" in result.stdout
    assert (tmp_path / "new.db").exists()


def test_cli_first_start_loads_examples_and_makes_one_coordinator_token(tmp_path: Path) -> None:
    """On an empty database `serve` loads the examples and makes a coordinator token; a restart does neither."""
    from api.db import upgrade

    database = Database(f"sqlite:///{tmp_path / 'serve.db'}")
    upgrade(database)
    first = first_start(database, EXAMPLES)
    assert sorted(first.loaded) == ["gaza-isf", "infeasible-funding", "infeasible-khan-younis-police", "tutorial"]
    assert first.skipped == []
    assert first.token is not None and first.token.role == "coordinator"
    again = first_start(database, EXAMPLES)
    assert (again.loaded, again.token) == ([], None)
