"""Piccolo tables for API keys (hashed, never stored in clear) and the audit log."""

from piccolo.columns import UUID, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ApiKey(Table, tablename="api_key"):
    """An API key: a public id to find it, the SHA-256 of the whole key to check it, and its scopes."""

    id = UUID(primary_key=True)
    name = Varchar(length=100, unique=True)
    key_id = Varchar(length=32, unique=True)
    key_hash = Varchar(length=64)
    scopes = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """Who (a key's name, never the key) read or deleted which records, and when."""

    id = UUID(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=100)
    action = Varchar(length=32)
    target = Varchar(length=100)
    records = Integer(default=1)
