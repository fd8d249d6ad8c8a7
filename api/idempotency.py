"""Idempotency-Key: a retry with the same key and body gets the first answer and records
nothing new; the same key with another body gets 422. Keys live in the same database, per
principal, in a small table of their own (not part of the event log)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import orjson
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from domain.errors import ConcurrencyError, InvalidInputError

metadata = MetaData()
keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal_id", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("status_code", Integer),
    Column("response", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @staticmethod
    def fingerprint(method: str, path: str, body: bytes) -> str:
        return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()

    def begin(self, principal_id: str, key: str, fingerprint: str) -> tuple[int, bytes] | None:
        """Reserve the key; or return the stored (status, body) of the first request."""
        if not key or len(key) > 200:
            raise InvalidInputError("Idempotency-Key", "1 to 200 characters")
        try:
            with self.engine.begin() as con:
                con.execute(
                    insert(keys).values(
                        principal_id=principal_id, key=key, request_sha256=fingerprint, created_at=datetime.now(UTC)
                    )
                )
            return None
        except IntegrityError:
            pass
        with self.engine.connect() as con:
            row = con.execute(select(keys).where(keys.c.principal_id == principal_id, keys.c.key == key)).one()
        if row.request_sha256 != fingerprint:
            raise InvalidInputError("Idempotency-Key", "this key was used with a different request")
        if row.status_code is None:
            raise ConcurrencyError("a request with this Idempotency-Key is still in progress")
        return int(row.status_code), bytes(row.response)

    def finish(self, principal_id: str, key: str, status: int, body: object) -> None:
        with self.engine.begin() as con:
            con.execute(
                update(keys)
                .where(keys.c.principal_id == principal_id, keys.c.key == key)
                .values(status_code=status, response=orjson.dumps(body))
            )

    def abandon(self, principal_id: str, key: str) -> None:
        """A refused command records nothing, so its key may be used again."""
        with self.engine.begin() as con:
            con.execute(delete(keys).where(keys.c.principal_id == principal_id, keys.c.key == key))
