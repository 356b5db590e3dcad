"""`forcepack serve`, `forcepack token ...` and `forcepack db ...`: the service's commands.

A Typer app whose commands the main command line mounts (`app.add_typer(service_app)`); it
imports only Typer itself, so `forcepack solve` does not pay for the web stack.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from api.db import Database
    from api.settings import Settings

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
token_app = typer.Typer(help="Bearer tokens of the HTTP service.", no_args_is_help=True)
db_app = typer.Typer(help="The service's database.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: FORCEPACK_DATABASE_URL, or ./forcepack.db)."),
]


def _settings(database_url: str | None) -> Settings:
    from api.settings import Settings

    return Settings(database_url=database_url) if database_url else Settings()


def _database(database_url: str | None, *, migrate: bool = True) -> Database:
    from api.db import Database, upgrade

    settings = _settings(database_url)
    database = Database(settings.database_url, busy_timeout_ms=settings.busy_timeout_ms)
    if migrate:
        upgrade(database)
    return database


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(message.rstrip() + "\n")
    return typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the database, or bring it to the latest migration."""
    from api.db import current_revision

    database = _database(database_url)
    typer.echo(f"database at revision {current_revision(database)}: {database.url}")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="coordinator, delegate or observer.")],
    nation: Annotated[str | None, typer.Option("--nation", help="The delegate's nation code (e.g. IDN).")] = None,
    label: Annotated[str | None, typer.Option("--label", help="Who holds it, for the record.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make a token; it is printed once, and only its hash is kept."""
    from api.auth import Role, create_token

    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(f"error: --role must be one of coordinator, delegate, observer (got {role!r})") from None
    database = _database(database_url)
    try:
        with database.write() as session:
            issued = create_token(session, chosen, nation, label)
    except ValueError as exc:
        raise _fail(f"error: {exc}") from None
    who = f"{issued.role} of {issued.nation}" if issued.nation else str(issued.role)
    typer.echo(f"token {issued.id} ({who}); shown once, keep it:", err=True)
    typer.echo(issued.secret)


@token_app.command("list")
def token_list(database_url: DatabaseUrl = None) -> None:
    """Every token: id, role, nation, label, created, revoked (never the token itself)."""
    from sqlalchemy import select

    from api.tables import TokenRow

    database = _database(database_url)
    with database.read() as session:
        for row in session.scalars(select(TokenRow).order_by(TokenRow.created_at)):
            revoked = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            typer.echo(f"{row.id}  {row.role:<11} {row.nation or '-':<6} {row.label or '-'}  {revoked}")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (tok_...).")], database_url: DatabaseUrl = None
) -> None:
    """Revoke a token: it is refused from now on."""
    from api.auth import revoke_token

    database = _database(database_url)
    with database.write() as session:
        if not revoke_token(session, token_id):
            raise _fail(f"error: no active token {token_id}")
    typer.echo(f"revoked {token_id}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    examples: Annotated[
        Path, typer.Option("--examples", help="Scenario files loaded when the database holds none.")
    ] = Path("examples"),
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API: migrate the database, load the examples into an empty one, print a token."""
    import uvicorn

    from api.app import create_app
    from api.setup import first_start

    settings = _settings(database_url)
    database = _database(database_url)
    outcome = first_start(database, examples)
    database.dispose()
    for path, problem in outcome.skipped:
        typer.echo(f"skipped {path}: {problem}", err=True)
    if outcome.loaded:
        typer.echo(f"loaded {len(outcome.loaded)} example scenario(s): {', '.join(outcome.loaded)}")
    if outcome.token is not None:
        typer.echo(f"coordinator token {outcome.token.id} (shown once, keep it):")
        typer.echo(f"  {outcome.token.secret}")
    typer.echo(
        f"forcepack on http://{host}:{port}/ (the planner's page; API under /v1, OpenAPI at http://{host}:{port}/docs)"
    )
    # An event stream stays open until its job ends: at a stop, uvicorn closes such connections
    # after a few seconds instead of waiting for the job (the jobs are then failed, as documented).
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
