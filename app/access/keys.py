"""API keys: created once and shown once, stored as SHA-256 hashes, checked in constant time.

A key reads `mqa_<key id>_<secret>`: the key id finds the row, the hash of the whole key proves it.
Keys carry 256 random bits, so a fast hash is enough (no password-style stretching is needed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.access.tables import ApiKey

SCOPES = ("ask", "read", "admin")
_KEY = re.compile(r"^mqa_(?P<key_id>[0-9a-f]{12})_[A-Za-z0-9_-]{40,}$")
CACHE_SECONDS = 30.0


class ApiKeyProblem(ValueError):
    """A key operation that cannot be done (duplicate name, unknown scope or key)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key's name and scopes (admin implies every scope)."""

    name: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """Whether this key may do what `scope` covers."""
        return scope in self.scopes or "admin" in self.scopes


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(name: str, scopes: list[str]) -> str:
    """Create a key and return it; this is the only time the clear key exists."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if not name.strip() or len(name) > 100:
        raise ApiKeyProblem("the name must be 1 to 100 characters")
    if not scopes or unknown:
        raise ApiKeyProblem(f"scopes must be among {', '.join(SCOPES)}; got {', '.join(unknown) or 'none'}")
    if await ApiKey.exists().where(ApiKey.name == name):
        raise ApiKeyProblem(f"a key named {name!r} already exists")
    key_id = secrets.token_hex(6)
    key = f"mqa_{key_id}_{secrets.token_urlsafe(32)}"
    await ApiKey(
        id=uuid.uuid4(), name=name, key_id=key_id, key_hash=_hash(key), scopes=",".join(sorted(set(scopes)))
    ).save()
    return key


async def list_keys() -> list[dict[str, object]]:
    """Every key's name, id, scopes and dates; never a hash."""
    columns = (ApiKey.name, ApiKey.key_id, ApiKey.scopes, ApiKey.created_at, ApiKey.revoked_at)
    return list(await ApiKey.select(*columns).order_by(ApiKey.created_at))


async def revoke_key(name: str) -> None:
    """Revoke a key by name (it stops working within CACHE_SECONDS in running services)."""
    row = await ApiKey.select(ApiKey.id).where((ApiKey.name == name) & ApiKey.revoked_at.is_null()).first()
    if row is None:
        raise ApiKeyProblem(f"no active key named {name!r}")
    await ApiKey.update({ApiKey.revoked_at: datetime.now(UTC)}).where(ApiKey.id == row["id"])


class KeyVerifier:
    """Checks presented keys against the table, with a short in-process cache of good keys."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def verify(self, key: str) -> Principal | None:
        """The key's principal, or None when it is malformed, unknown, revoked or wrong."""
        match = _KEY.match(key)
        if match is None:
            return None
        digest = _hash(key)
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        row = (
            await ApiKey.select(ApiKey.name, ApiKey.key_hash, ApiKey.scopes, ApiKey.revoked_at)
            .where(ApiKey.key_id == match.group("key_id"))
            .first()
        )
        if row is None or row["revoked_at"] is not None or not hmac.compare_digest(row["key_hash"], digest):
            return None
        principal = Principal(row["name"], frozenset(row["scopes"].split(",")))
        self._cache[digest] = (time.monotonic() + CACHE_SECONDS, principal)
        return principal
