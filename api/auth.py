"""Who is calling: bearer tokens, kept only as hashes, and what each role may see and do.

- A **coordinator** owns scenarios: creates and changes them, writes any nation's offer, solves,
  and sees everything.
- A **delegate** speaks for one nation: it sees the scenarios that list its nation, reads and
  writes only that nation's offer, and reads packages in which other nations' red lines are
  "another nation's condition". Anything else of another nation answers 404, like an id that
  does not exist, so ids cannot be probed.
- An **observer** reads scenarios and packages, with no red line of any nation, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcepack.api.errors import Forbidden, NotFound, Unauthorized
from forcepack.api.tables import TokenRow, utcnow

_NATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,15}$")


class Role(StrEnum):
    """What a token may do."""

    COORDINATOR = "coordinator"
    DELEGATE = "delegate"
    OBSERVER = "observer"


def hash_token(token: str) -> str:
    """The sha256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The caller, as its token says."""

    token_id: str
    role: Role
    nation: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    def sees_nation(self, nation: str) -> bool:
        """May this caller read this nation's offer and red lines?"""
        return self.role is Role.COORDINATOR or (self.role is Role.DELEGATE and self.nation == nation)

    def sees_scenario(self, nations: list[str]) -> bool:
        """A delegate sees the scenarios that list its nation; the other roles see all."""
        return self.role is not Role.DELEGATE or self.nation in nations

    def require_coordinator(self, action: str) -> None:
        if self.role is not Role.COORDINATOR:
            raise Forbidden(f"only a coordinator may {action}")

    def require_offer_reader(self, scenario_id: str, nation: str) -> None:
        """Coordinators read any offer, a delegate its own; observers none (red lines are in offers)."""
        if self.role is Role.OBSERVER:
            raise Forbidden("an observer may not read offers (they hold the nations' red lines)")
        if not self.sees_nation(nation):
            raise offer_not_found(scenario_id, nation)

    def require_offer_writer(self, scenario_id: str, nation: str) -> None:
        """Coordinators write any offer, a delegate its own; observers none."""
        if self.role is Role.OBSERVER:
            raise Forbidden("an observer may not write offers")
        if not self.sees_nation(nation):
            raise offer_not_found(scenario_id, nation)


def _shown(name: str) -> str:
    """A name from the address, as an answer repeats it (cut when absurdly long)."""
    return name if len(name) <= 80 else name[:80] + "..."


def scenario_not_found(scenario_id: str) -> NotFound:
    """The one answer for a scenario that does not exist or that the caller may not see."""
    return NotFound(f"no scenario `{_shown(scenario_id)}`")


def offer_not_found(scenario_id: str, nation: str) -> NotFound:
    """The one answer for an offer of an unknown nation, or of a nation the caller may not see."""
    return NotFound(f"no offer of `{_shown(nation)}` in scenario `{_shown(scenario_id)}`")


def job_not_found(job_id: str) -> NotFound:
    """The one answer for a job that does not exist or that the caller may not see."""
    return NotFound(f"no job `{_shown(job_id)}`")


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: `secret` is shown once and never stored."""

    id: str
    secret: str
    role: Role
    nation: str | None


def create_token(
    session: Session,
    role: Role,
    nation: str | None = None,
    label: str | None = None,
    *,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """Make a token for `role` (a delegate names its nation); only its hash is stored. With
    `expires_at` it is refused from then on."""
    if role is Role.DELEGATE:
        if nation is None or not _NATION.match(nation):
            raise ValueError(f"Expected a nation code (e.g. IDN) for a delegate token, got {nation!r}.")
    elif nation is not None:
        raise ValueError(f"Expected no nation for a {role} token, got {nation!r}.")
    secret = secrets.token_urlsafe(32)
    token_id = "tok_" + secrets.token_hex(6)
    session.add(
        TokenRow(
            id=token_id,
            token_hash=hash_token(secret),
            role=role.value,
            nation=nation,
            label=label,
            created_at=utcnow(),
            revoked_at=None,
            expires_at=expires_at,
        )
    )
    return IssuedToken(token_id, secret, role, nation)


def revoke_token(session: Session, token_id: str) -> bool:
    """Revoke a token by its id; False when no such token is active."""
    row = session.get(TokenRow, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def still_valid(session: Session, token_id: str) -> bool:
    """Is the token still good (not revoked, not expired)? Asked again by long answers (an event
    stream), so that revoking a token ends what it was reading."""
    row = session.get(TokenRow, token_id)
    if row is None or row.revoked_at is not None:
        return False
    return row.expires_at is None or row.expires_at > utcnow()


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The caller of an `Authorization: Bearer <token>` header; 401 for anything else."""
    if not authorization:
        raise Unauthorized()
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected `Authorization: Bearer <token>`")
    row = session.scalars(select(TokenRow).where(TokenRow.token_hash == hash_token(token))).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked token")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise Unauthorized("the token has expired; ask a coordinator for a new one")
    return Principal(row.id, Role(row.role), row.nation)
