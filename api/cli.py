"""`forcepack serve`, `forcepack token ...` and `forcepack db ...`: the service's commands.

A Typer app whose commands the main command line mounts (`app.add_typer(service_app)`); it
imports only Typer itself, so `forcepack solve` does not pay for the web stack.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from forcepack.api.db import Database
    from forcepack.api.settings import Settings
    from forcepack.api.setup import Drift, FirstStart

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
    from forcepack.api.settings import Settings

    return Settings(database_url=database_url) if database_url else Settings()


def _database(database_url: str | None, *, migrate: bool = True) -> Database:
    from forcepack.api.db import Database, upgrade

    settings = _settings(database_url)
    with _reaching(settings.database_url):
        database = Database(settings.database_url, busy_timeout_ms=settings.busy_timeout_ms)
        if migrate:
            upgrade(database)
    return database


@contextmanager
def _reaching(database_url: str) -> Iterator[None]:
    """A database that cannot be reached is an error message naming it (its password hidden), exit 2."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    try:
        yield
    except (DBAPIError, ArgumentError, ValueError) as exc:
        try:
            shown = make_url(database_url).render_as_string(hide_password=True)
        except ArgumentError:
            shown = "(not a database URL)"
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(f"error: cannot use the database {shown}: {reason}") from None


def _existing_database(database_url: str | None) -> Database:
    """The service's database, which must exist already and be migrated: a token made in a new,
    empty database (a command run from another folder) would be one no server knows.

    A SQLite file is read first without being written (`sqlite_file_revision`): any other file, an
    empty one included, is refused and left byte for byte as it was."""
    from sqlalchemy import make_url

    from forcepack.api.db import Database, NotServiceDatabase, current_revision, script_revisions, sqlite_file_revision

    settings = _settings(database_url)
    with _reaching(settings.database_url):
        url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    service_heads = script_revisions()[0]
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        if not path.exists():
            raise _fail(
                f"error: no database at {path.resolve()}; start the service once (`forcepack serve`, which "
                "makes it), run this from its folder, or pass --database-url (or FORCEPACK_DATABASE_URL)"
            )
        try:
            revision = sqlite_file_revision(path)
        except NotServiceDatabase as exc:
            raise _fail(
                f"error: {exc.path} is not a forcepack database ({exc.reason}); it was left as it is. "
                "Pass --database-url (or FORCEPACK_DATABASE_URL) naming the service's database"
            ) from None
        except OSError as exc:
            raise _fail(f"error: cannot read {path.resolve()}: {exc.strerror or exc}") from None
        if revision not in service_heads:
            raise _fail(_not_at_head(shown, revision))
    with _reaching(settings.database_url):
        database = Database(settings.database_url, busy_timeout_ms=settings.busy_timeout_ms)
        revision = current_revision(database)
    if revision not in service_heads:
        raise _fail(_not_at_head(shown, revision))
    return database


def _not_at_head(shown: str, revision: str | None) -> str:
    return (
        f"error: the database {shown} is at revision {revision or 'none'}, not the service's; "
        "run `forcepack db upgrade` (or start the service) first"
    )


def _expiry(text: str | None) -> dt.datetime | None:
    """`--expires`: a date (2027-06-30, the end of that day, UTC) or a duration from now (12h, 30d, 8w)."""
    if text is None:
        return None
    match = re.fullmatch(r"(\d{1,5})([hdw])", text.strip())
    now = dt.datetime.now(dt.UTC)
    if match:
        hours = int(match.group(1)) * {"h": 1, "d": 24, "w": 168}[match.group(2)]
        return now + dt.timedelta(hours=hours)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"error: --expires takes a date (2027-06-30) or a duration (12h, 30d, 8w), got {text!r}") from None
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    if end <= now:
        raise _fail(f"error: --expires {text} is in the past")
    return end


def _token_file(database_url: str) -> Path:
    """Where the first start writes the coordinator token: beside a SQLite database, else here."""
    from sqlalchemy import make_url

    url = make_url(database_url)
    folder = Path(url.database).resolve().parent if url.get_backend_name() == "sqlite" and url.database else Path()
    return folder / TOKEN_FILE


TOKEN_FILE = "forcepack-coordinator-token"


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(message.rstrip() + "\n")
    return typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the database, or bring it to the latest migration."""
    from sqlalchemy import make_url

    from forcepack.api.db import current_revision

    database = _database(database_url)
    shown = make_url(database.url).render_as_string(hide_password=True)
    typer.echo(f"database at revision {current_revision(database)}: {shown}")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="coordinator, delegate or observer.")],
    nation: Annotated[str | None, typer.Option("--nation", help="The delegate's nation code (e.g. IDN).")] = None,
    label: Annotated[str | None, typer.Option("--label", help="Who holds it, for the record.")] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="When it stops working: a date (2027-06-30) or a duration (30d).")
    ] = None,
    any_nation: Annotated[
        bool, typer.Option("--any-nation", help="Allow a delegate of a nation no scenario lists yet.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Make a token; it is printed once, and only its hash is kept."""
    from forcepack.api.auth import Role, create_token

    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(f"error: --role must be one of coordinator, delegate, observer (got {role!r})") from None
    expires_at = _expiry(expires)
    database = _existing_database(database_url)
    if chosen is Role.DELEGATE and nation is not None and not any_nation:
        listed = _listed_nations(database)
        if nation not in listed:
            close = difflib.get_close_matches(nation, sorted(listed), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise _fail(
                f"error: no scenario lists the nation {nation!r}{hint}; listed: {', '.join(sorted(listed)) or 'none'}. "
                "Pass --any-nation to make the token anyway."
            )
    try:
        with database.write() as session:
            issued = create_token(session, chosen, nation, label, expires_at=expires_at)
    except ValueError as exc:
        raise _fail(f"error: {exc}") from None
    who = f"{issued.role} of {issued.nation}" if issued.nation else str(issued.role)
    until = f", valid until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    typer.echo(f"token {issued.id} ({who}{until}); shown once, keep it:", err=True)
    typer.echo(issued.secret)


def _listed_nations(database: Database) -> set[str]:
    """Every nation code some scenario lists."""
    from forcepack.api import store

    with database.read() as session:
        return store.listed_nations(session)


@token_app.command("list")
def token_list(database_url: DatabaseUrl = None) -> None:
    """Every token: id, role, nation, label, created, revoked (never the token itself)."""
    from sqlalchemy import select

    from forcepack.api.tables import TokenRow, utcnow

    database = _existing_database(database_url)
    now = utcnow()
    with database.read() as session:
        for row in session.scalars(select(TokenRow).order_by(TokenRow.created_at)):
            if row.revoked_at:
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
            elif row.expires_at and row.expires_at <= now:
                state = f"expired {row.expires_at:%Y-%m-%d %H:%M}"
            elif row.expires_at:
                state = f"active until {row.expires_at:%Y-%m-%d %H:%M}"
            else:
                state = "active"
            typer.echo(f"{row.id}  {row.role:<11} {row.nation or '-':<6} {row.label or '-'}  {state}")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (tok_...).")], database_url: DatabaseUrl = None
) -> None:
    """Revoke a token: it is refused from now on."""
    from forcepack.api.auth import revoke_token

    database = _existing_database(database_url)
    with database.write() as session:
        if not revoke_token(session, token_id):
            raise _fail(f"error: no active token {token_id}")
    typer.echo(f"revoked {token_id}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    examples: Annotated[
        Path, typer.Option("--examples", help="Scenario files loaded when their scenario is not in the database.")
    ] = Path("examples"),
    reload_examples: Annotated[
        bool,
        typer.Option(
            "--reload-examples",
            help="Load example files that differ from their scenario as loaded, as new versions (never over "
            "changes made through the API).",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API: migrate the database, load the examples, print how to get a token."""
    import uvicorn

    from forcepack.api.app import create_app
    from forcepack.api.setup import first_start

    settings = _settings(database_url)
    database = _database(database_url)
    outcome = first_start(database, examples, reload=reload_examples)
    database.dispose()
    for line in start_report(outcome, settings.database_url, database_url, tty=sys.stdout.isatty()):
        typer.echo(line)
    typer.echo(
        f"forcepack on http://{host}:{port}/ (the planner's page; API under /v1, OpenAPI at http://{host}:{port}/docs)"
    )
    # An event stream stays open until its job ends: at a stop, uvicorn closes such connections
    # after a few seconds instead of waiting for the job (the jobs are then failed, as documented).
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)


def start_report(outcome: FirstStart, url: str, given_url: str | None, *, tty: bool) -> Iterator[str]:
    """What a start tells its user: files skipped, scenarios loaded, example files that differ from
    their scenario as loaded (and how to load them), and how to sign in as a coordinator. The token
    made at the first start is written to a file only its owner reads (and shown on a terminal)."""
    from forcepack.models.wording import plural

    if outcome.no_examples is not None:
        folder = outcome.no_examples
        what = "holds no scenario file" if folder.is_dir() else "is not a folder here"
        yield (
            f"no example scenarios read: {folder} {what} (start from the checkout, or give --examples FOLDER; "
            "scenarios already in the database are served)"
        )
    for path, problem in outcome.skipped:
        yield f"skipped {path}: {problem}"
    if outcome.loaded:
        yield f"loaded {plural(len(outcome.loaded), 'example scenario')}: {', '.join(outcome.loaded)}"
    with_url = f" --database-url {_shown_url(given_url)}" if given_url else ""
    for drift in outcome.drifted:
        yield from _drift_report(drift, with_url)
    path = _token_file(url)
    if outcome.token is not None:
        # The secret goes to a file only its owner reads, and to the screen when there is one:
        # never to a log that stdout may be (a service manager's journal, a CI transcript).
        path.unlink(missing_ok=True)
        path.touch(mode=0o600)
        path.write_text(outcome.token.secret + "\n", encoding="utf-8")
        yield f"coordinator token {outcome.token.id}: its secret is in {path} (readable by you only)"
        if tty:
            yield f"  {outcome.token.secret}"
    else:
        kept = f"the token the first start wrote to {path}, or " if path.exists() else ""
        yield f"sign in as a coordinator with {kept}a new one: `forcepack token create --role coordinator{with_url}`"


def _drift_report(drift: Drift, with_url: str) -> Iterator[str]:
    from forcepack.api.setup import SHOWN_DIFFERENCES
    from forcepack.models.wording import plural

    count = plural(len(drift.differences), "difference")
    if drift.reloaded:
        yield f"reloaded {drift.path} as a new version of scenario `{drift.scenario}` ({count}; earlier versions kept):"
    elif drift.edited_by_api:
        yield (
            f"{drift.path} differs from scenario `{drift.scenario}` as loaded ({count}), and the scenario has been "
            f"changed through the API since ({', '.join(drift.edited_by_api)}): it is left as it is, and the file "
            "is not loaded over those changes; change the scenario through the API instead:"
        )
    else:
        yield (
            f"{drift.path} differs from scenario `{drift.scenario}` as loaded ({count}); the database keeps the "
            f"scenario as it is. To load the file as a new version: `forcepack serve --reload-examples{with_url}`"
        )
    for line in drift.differences[:SHOWN_DIFFERENCES]:
        yield f"  {line}"
    if len(drift.differences) > SHOWN_DIFFERENCES:
        yield f"  ... and {plural(len(drift.differences) - SHOWN_DIFFERENCES, 'more difference')}"


def _shown_url(url: str | None) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True) if url else ""
