"""The service's secret key, and the keyed digests made with it.

A non-owner sees digests of things it may not read (another nation's offer, through its ETag; the
whole scenario, red lines included, through a package's `scenario.sha256`). A plain sha256 of a
known form lets anyone confirm a guess offline ("is Indonesia's pledge USD 50M?"); an HMAC with a
key only the service holds does not. The key is made at random on first use and kept in the
`service_keys` table, so digests stay the same across restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import weakref
from typing import Any

from sqlalchemy.exc import IntegrityError

from forcepack.api.db import Database
from forcepack.api.tables import ServiceKeyRow

DIGEST_KEY = "digest"
_cache: weakref.WeakKeyDictionary[Database, bytes] = weakref.WeakKeyDictionary()


def digest_key(db: Database) -> bytes:
    """The service's digest key (made and stored the first time it is needed)."""
    key = _cache.get(db)
    if key is None:
        with db.read() as session:
            row = session.get(ServiceKeyRow, DIGEST_KEY)
        if row is None:
            try:
                with db.write() as session:
                    session.add(ServiceKeyRow(name=DIGEST_KEY, value=secrets.token_hex(32)))
            except IntegrityError:
                pass  # another process made it first
            with db.read() as session:
                row = session.get(ServiceKeyRow, DIGEST_KEY)
        assert row is not None
        key = bytes.fromhex(row.value)
        _cache[db] = key
    return key


def keyed_digest(key: bytes, data: Any) -> str:
    """HMAC-SHA256 (hex) of a JSON value in canonical form, or of a string as it is."""
    text = (
        data if isinstance(data, str) else json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
