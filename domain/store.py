"""Event-store configuration: database URL → `eventsourcing` environment, the orjson
transcoder, and the append-only trigger on the stored-events table.

Only the standard library, ``eventsourcing`` and the database drivers it uses appear here;
no SQLAlchemy (the read side's concern) and no web framework.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic, resolve_topic

from . import receipts
from .receipts import Receipt, Stored

DEFAULT_DB_URL = "sqlite:///var/oversight.db"
APP_NAME = "Oversight"


# ---------------------------------------------------------------- transcoder
_TAG = "__t"
_TAG_BYTES = b'"__t"'
_OPTS = orjson.OPT_PASSTHROUGH_DATETIME


def _tag(o: Any) -> dict[str, Any]:
    """orjson's fallback for values nested below the top level."""
    if isinstance(o, datetime):
        return {_TAG: "dt", "v": o.isoformat()}
    if isinstance(o, date):
        return {_TAG: "d", "v": o.isoformat()}
    if isinstance(o, Decimal):
        return {_TAG: "dec", "v": str(o)}
    if isinstance(o, (set, frozenset)):
        return {_TAG: "set", "v": sorted(o)}
    raise TypeError(f"cannot encode {type(o).__name__}")


def _untag(o: Any) -> Any:
    if isinstance(o, dict):
        t = o.get(_TAG)
        if t is not None and len(o) == 2:
            return _DECODERS[t](o["v"])
        return {k: _untag(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_untag(v) for v in o]
    return o


_DECODERS: dict[str, Any] = {
    "dt": datetime.fromisoformat,
    "d": date.fromisoformat,
    "dec": Decimal,
    "u": UUID,
    "set": set,
}


class OrjsonTranscoder(Transcoder):
    """Lean JSON for event state.

    Top-level values of type datetime, date, UUID, Decimal and Enum are written as plain JSON
    and named in a small ``_t`` map, so decoding is one ``orjson.loads`` plus a few
    conversions. Values nested deeper (a snapshot's state) are tagged objects, and only
    payloads that contain a tag are walked. Nested UUIDs come back as strings and nested
    enums as their values (orjson writes both natively); the domain keeps ids as strings.
    """

    def encode(self, obj: Any) -> bytes:
        if isinstance(obj, dict):
            types: dict[str, str] | None = None
            out: dict[str, Any] | None = None
            for k, v in obj.items():
                tv = type(v)
                if tv in (str, int, bool, list, type(None), float):
                    continue
                code: str | None = None
                if tv is datetime:
                    code, enc = "dt", v.isoformat()
                elif tv is UUID:
                    code, enc = "u", str(v)
                elif tv is date:
                    code, enc = "d", v.isoformat()
                elif tv is Decimal:
                    code, enc = "dec", str(v)
                elif isinstance(v, Enum):
                    code, enc = "e:" + get_topic(tv), v.value
                if code is not None:
                    if out is None:
                        out = dict(obj)
                        types = {}
                    out[k] = enc
                    types[k] = code  # type: ignore[index]
            if out is not None:
                out["_t"] = types
                obj = out
        return orjson.dumps(obj, default=_tag, option=_OPTS)

    def decode(self, data: bytes) -> Any:
        obj = orjson.loads(data)
        if _TAG_BYTES in data:
            obj = _untag(obj)
        if isinstance(obj, dict):
            types = obj.pop("_t", None)
            if types:
                for k, code in types.items():
                    dec = _DECODERS.get(code)
                    if dec is not None:
                        obj[k] = dec(obj[k])
                    elif code.startswith("e:"):
                        obj[k] = _enum(code[2:])(obj[k])
        return obj


_enum_cache: dict[str, Any] = {}


def _enum(topic: str) -> Any:
    cls = _enum_cache.get(topic)
    if cls is None:
        cls = _enum_cache[topic] = resolve_topic(topic)
    return cls


# ---------------------------------------------------------------- recorders
@dataclass(frozen=True)
class PgTimeouts:
    """Bounds on every PostgreSQL session of the store and of the read side, in seconds, so no
    request holds the events table's lock (or any other) beyond a bounded time:
    ``OVERSIGHT_PG_STATEMENT_TIMEOUT`` (one statement), ``OVERSIGHT_PG_LOCK_TIMEOUT`` (waiting
    for a lock), ``OVERSIGHT_PG_IDLE_TIMEOUT`` (a transaction left idle) and
    ``OVERSIGHT_PG_CONNECT_TIMEOUT`` (waiting for a connection: from the pool, or a new one
    while the database is down; the request is then answered 503, not held)."""

    statement: float = 30.0
    lock: float = 5.0
    idle_in_transaction: float = 10.0
    connect: float = 5.0

    @classmethod
    def from_env(cls) -> PgTimeouts:
        def seconds(name: str, default: float) -> float:
            raw = os.environ.get(name)
            if raw is None or raw == "":
                return default
            value = float(raw)
            if not 0 < value <= 24 * 3600:
                raise ValueError(f"{name}: seconds between 0 and 86400, not {raw!r}")
            return value

        return cls(
            statement=seconds("OVERSIGHT_PG_STATEMENT_TIMEOUT", cls.statement),
            lock=seconds("OVERSIGHT_PG_LOCK_TIMEOUT", cls.lock),
            idle_in_transaction=seconds("OVERSIGHT_PG_IDLE_TIMEOUT", cls.idle_in_transaction),
            connect=seconds("OVERSIGHT_PG_CONNECT_TIMEOUT", cls.connect),
        )

    def options(self) -> str:
        """libpq ``options``: the settings take effect when a session starts."""

        def ms(seconds: float) -> int:
            return max(1, int(seconds * 1000))

        return (
            f"-c statement_timeout={ms(self.statement)} -c lock_timeout={ms(self.lock)} "
            f"-c idle_in_transaction_session_timeout={ms(self.idle_in_transaction)}"
        )


#: Above this many bytes of event state, an insert leaves psycopg's pipeline mode: a pipeline
#: sync with a large query in flight can wait for results while part of the query is still
#: unsent, so the server waits for the rest (ClientRead) holding the events table's lock, and
#: no server-side timeout ends it (psycopg issue 685). Without the pipeline it is one round
#: trip more, and large events are rare.
PIPELINE_MAX_BYTES = 512 * 1024


#: The PostgreSQL function that records a command (``QuietPostgresApplicationRecorder``);
#: a changed body gets a new name, so servers of two versions never share one.
RECORD_FUNCTION = "oversight_record_v1"
RECORD_FUNCTION_SQL = """
CREATE FUNCTION {schema}.{name}(
    new_events {schema}.{stored}[], r_principal TEXT, r_key TEXT, r_fingerprint TEXT,
    r_status INTEGER, r_answer TEXT, r_mark TEXT, r_at TEXT)
RETURNS BIGINT[] LANGUAGE plpgsql AS $record$
DECLARE
    ids BIGINT[];
BEGIN
    -- positions in commit order, as the library's insert keeps them
    LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE;
    IF r_key IS NOT NULL THEN  -- before the events: a second request with the key fails here
        INSERT INTO {schema}.{receipts} VALUES (r_principal, r_key, r_fingerprint, r_status, ''::BYTEA, r_at);
    END IF;
    WITH inserted AS (
        INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)
        SELECT originator_id, originator_version, topic, state FROM unnest(new_events)
        RETURNING notification_id)
    SELECT array_agg(notification_id ORDER BY notification_id) INTO ids FROM inserted;
    IF r_key IS NOT NULL THEN
        UPDATE {schema}.{receipts}
        SET answer = convert_to(replace(r_answer, r_mark, ids[array_upper(ids, 1)]::TEXT), 'UTF8')
        WHERE principal_id = r_principal AND key = r_key;
    END IF;
    RETURN ids;
END
$record$
"""


#: tries of a store statement whose connection failed (a restart, an outage): see select_events
STORE_ATTEMPTS = 3


def _once(statement: Any) -> Any:
    """A composed statement as one SQL string (identifiers quoted as psycopg quotes them
    without a connection: double quotes, doubled inside)."""
    from psycopg.sql import SQL

    return SQL(statement.as_string(None))


def _postgres_recorders() -> tuple[type, type]:
    import weakref

    from eventsourcing.persistence import InterfaceError, OperationalError
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.utils import retry
    from psycopg.sql import SQL, Identifier

    class TimedPostgresApplicationRecorder(PostgresApplicationRecorder):
        """The library's recorder, with every session of its pool bounded (``PgTimeouts``) and
        large inserts outside the pipeline (``PIPELINE_MAX_BYTES``)."""

        def __init__(self, datastore: Any, **kwargs: Any) -> None:
            # Before the first connection of the pool opens (the parent opens one).
            datastore.pool.kwargs["options"] = PgTimeouts.from_env().options()
            super().__init__(datastore, **kwargs)
            # The statements of every command, composed once: psycopg joins a composed
            # statement's parts again on every execute, which cost more than the encoding.
            self.insert_events_statement = _once(self.insert_events_statement)
            self.select_events_statement = _once(self.select_events_statement)
            self.max_notification_id_statement = _once(self.max_notification_id_statement)
            self.lock_table_statements[-1] = _once(self.lock_table_statements[-1])
            table = self._receipts()
            self._receipt_insert = _once(SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s, %s, %s)").format(table))
            self._receipt_answer = _once(
                SQL("UPDATE {0} SET answer = %s WHERE principal_id = %s AND key = %s").format(table)
            )
            self._receipt_find = _once(
                SQL("SELECT fingerprint, status, answer FROM {0} WHERE principal_id = %s AND key = %s").format(table)
            )
            #: select_events' statements by the arguments given (gt, lte, desc, limit)
            self._select_events: dict[tuple[bool, bool, bool, bool], Any] = {}

        def _receipts(self) -> Any:
            return SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(receipts.TABLE))

        # The library tries a lost connection 10 times, each waiting the connect timeout: while
        # the database is down a request would be held for minutes. Three tries ride out a
        # restart (the first waits for the pool to reconnect) and answer an outage with 503
        # within three connect timeouts.
        @retry((InterfaceError, OperationalError), max_attempts=STORE_ATTEMPTS, wait=0.2)
        def max_notification_id(self) -> Any:
            return PostgresApplicationRecorder.max_notification_id.__wrapped__(self)

        @retry((InterfaceError, OperationalError), max_attempts=STORE_ATTEMPTS, wait=0.2)
        def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
            return PostgresApplicationRecorder.select_notifications.__wrapped__(self, *args, **kwargs)

        @retry((InterfaceError, OperationalError), max_attempts=STORE_ATTEMPTS, wait=0.2)
        def select_events(
            self,
            originator_id: Any,
            *,
            gt: int | None = None,
            lte: int | None = None,
            desc: bool = False,
            limit: int | None = None,
        ) -> Any:
            """The library's query, its statement composed once per kind of call."""
            from eventsourcing.persistence import StoredEvent

            key = (gt is not None, lte is not None, desc, limit is not None)
            statement = self._select_events.get(key)
            if statement is None:
                q = self.select_events_statement
                q += SQL(" AND originator_version > %s") if gt is not None else SQL("")
                q += SQL(" AND originator_version <= %s") if lte is not None else SQL("")
                q += SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
                q += SQL(" LIMIT %s") if limit is not None else SQL("")
                statement = self._select_events[key] = _once(q)
            params = [originator_id, *(x for x in (gt, lte, limit) if x is not None)]
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(statement, params, prepare=True)
                return [
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                    for row in curs.fetchall()
                ]

        def create_table(self) -> None:
            super().create_table()
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(SQL(receipts.create_sql("{0}", "BYTEA")).format(self._receipts()))

        def _insert_events(self, curs: Any, stored_events: Any, **kwargs: Any) -> None:
            """Before the events, in their transaction: the request's receipt (a second
            request with the same key fails here, and records nothing)."""
            super()._insert_events(curs, stored_events, **kwargs)
            r = receipts.pending()
            if r is not None:
                curs.execute(self._receipt_insert, receipts.first_row(r), prepare=True)

        def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Any, **kwargs: Any) -> Any:
            ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            r = receipts.pending()
            if r is not None:
                curs.execute(self._receipt_answer, (receipts.completed(r, ids), r.principal_id, r.key), prepare=True)
            return ids

        def find_receipt(self, principal_id: str, key: str) -> Stored | None:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(self._receipt_find, (principal_id, key), prepare=True)
                row = curs.fetchone()
            if row is None:
                return None
            return Stored(row["fingerprint"], int(row["status"]), bytes(row["answer"]))

        def put_receipt(self, r: Receipt, answer: bytes) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING").format(
                        self._receipts()
                    ),
                    (*receipts.first_row(r)[:4], answer, receipts.first_row(r)[5]),
                )

        def insert_events(self, stored_events: Any, **kwargs: Any) -> Any:
            if sum(len(e.state) for e in stored_events) <= PIPELINE_MAX_BYTES:
                return super().insert_events(stored_events, **kwargs)
            return self._insert_without_pipeline(stored_events, **kwargs)

        @retry((InterfaceError, OperationalError), max_attempts=STORE_ATTEMPTS, wait=0.2)
        def _insert_without_pipeline(self, stored_events: Any, **kwargs: Any) -> Any:
            with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
                self._insert_events(curs, stored_events, **kwargs)
                self._insert_stored_events(curs, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    class QuietPostgresApplicationRecorder(TimedPostgresApplicationRecorder):
        """The timed recorder, recording a command in one statement (``insert_events``).

        - No NOTIFY: the project's projection runner pages the log with select_notifications
          and never LISTENs, and NOTIFY takes a database-wide queue lock at commit
          (OVERSIGHT_PG_NOTIFY=1 keeps the timed recorder, for listeners).
        - The lock timeout is set once per connection (session level) instead of per
          transaction (SET LOCAL).
        The EXCLUSIVE table lock that keeps positions in commit order is untouched.
        """

        _configured: weakref.WeakSet[Any] = weakref.WeakSet()

        def __init__(self, datastore: Any, **kwargs: Any) -> None:
            super().__init__(datastore, **kwargs)
            schema = Identifier(self.datastore.schema)
            self._record_statement = _once(
                SQL("SELECT {0}.{1}(%s::{0}.{2}[], %s, %s, %s, %s, %s, %s, %s) AS ids").format(
                    schema, Identifier(RECORD_FUNCTION), Identifier(self.stored_event_type_name)
                )
            )
            #: stands for the position in a receipt's answer until the function knows it
            self._mark = f"@@position-{secrets.token_hex(12)}@@"

        def create_table(self) -> None:
            super().create_table()
            fn = SQL(RECORD_FUNCTION_SQL).format(
                schema=Identifier(self.datastore.schema),
                name=Identifier(RECORD_FUNCTION),
                stored=Identifier(self.stored_event_type_name),
                events=Identifier(self.events_table_name),
                receipts=Identifier(receipts.TABLE),
            )
            exists = (
                "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = %s AND p.proname = %s"
            )
            args = (self.datastore.schema, RECORD_FUNCTION)
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(exists, args)
                if curs.fetchone() is not None:
                    return
            try:
                with self.datastore.transaction(commit=True) as curs:
                    curs.execute(fn)
            except Exception:
                # another process (the projection worker, a second server) created it first
                with self.datastore.transaction(commit=True) as curs:
                    curs.execute(exists, args)
                    if curs.fetchone() is None:
                        raise

        def insert_events(self, stored_events: Any, **kwargs: Any) -> Any:
            """One statement, one round trip: the function locks the events table, inserts
            the receipt, the events and the receipt's answer with their position, in the
            statement's own transaction. The lock is held only while the server runs it,
            never across a round trip to this process."""
            if not stored_events:
                return []
            return self._record_all(stored_events)

        @retry((InterfaceError, OperationalError), max_attempts=STORE_ATTEMPTS, wait=0.2)
        def _record_all(self, stored_events: Any) -> Any:
            events = [
                self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
                for e in stored_events
            ]
            r = receipts.pending()
            if r is None:
                row: tuple[Any, ...] = (None, None, None, None, None, None, None)
            else:
                first = receipts.first_row(r)
                row = (*first[:4], receipts.template(r, self._mark), f'"{self._mark}"', first[5])
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                if conn not in self._configured:
                    curs.execute(SQL("SET lock_timeout = '{0}s'").format(self.datastore.lock_timeout))
                    self._configured.add(conn)
                curs.execute(self._record_statement, (events, *row), prepare=True)
                fetched = curs.fetchone()
            assert fetched is not None  # the function answers one row, never null: there are events
            ids = list(fetched["ids"])
            if r is not None:
                receipts.completed(r, ids)  # the answer the function stored
            return ids

    return TimedPostgresApplicationRecorder, QuietPostgresApplicationRecorder


TimedPostgresApplicationRecorder: Any = None
QuietPostgresApplicationRecorder: Any = None
try:  # only where psycopg is installed (always, with this project's dependencies)
    TimedPostgresApplicationRecorder, QuietPostgresApplicationRecorder = _postgres_recorders()
except ImportError:  # pragma: no cover
    pass


class ReceiptSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, with the request's receipt in the events' transaction
    (``domain/receipts.py``)."""

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute(receipts.create_sql(receipts.TABLE, "BLOB"))

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        r = receipts.pending()
        if r is not None:  # before the events: a second request with the key fails here
            c.execute(f"INSERT INTO {receipts.TABLE} VALUES (?, ?, ?, ?, ?, ?)", receipts.first_row(r))
        ids = super()._insert_events(c, stored_events, **kwargs)
        if r is not None:
            c.execute(
                f"UPDATE {receipts.TABLE} SET answer = ? WHERE principal_id = ? AND key = ?",
                (receipts.completed(r, ids), r.principal_id, r.key),
            )
        return ids

    def find_receipt(self, principal_id: str, key: str) -> Stored | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT fingerprint, status, answer FROM {receipts.TABLE} WHERE principal_id = ? AND key = ?",
                (principal_id, key),
            )
            row = c.fetchone()
        return None if row is None else Stored(row[0], int(row[1]), bytes(row[2]))

    def put_receipt(self, r: Receipt, answer: bytes) -> None:
        row = receipts.first_row(r)
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {receipts.TABLE} VALUES (?, ?, ?, ?, ?, ?)", (*row[:4], answer, row[5]))


# ---------------------------------------------------------------- database URL
@dataclass(frozen=True)
class StoreConfig:
    """What a database URL means for the event store and for SQL on the same database."""

    url: str
    kind: str  # "sqlite" | "postgres"
    sqlite_path: str = ""
    pg_host: str = ""
    pg_port: int = 5432
    pg_user: str = ""
    pg_password: str = ""
    pg_dbname: str = ""
    pg_schema: str = "public"

    @property
    def events_table(self) -> str:
        return "stored_events" if self.kind == "sqlite" else f"{APP_NAME.lower()}_events"

    @property
    def snapshots_table(self) -> str:
        return "stored_snapshots" if self.kind == "sqlite" else f"{APP_NAME.lower()}_snapshots"

    @property
    def position_column(self) -> str:
        return "rowid" if self.kind == "sqlite" else "notification_id"

    def pg_conninfo(self) -> str:
        parts = [
            f"host={self.pg_host}",
            f"port={self.pg_port}",
            f"dbname={self.pg_dbname}",
            f"user={self.pg_user}",
        ]
        if self.pg_password:
            parts.append(f"password={self.pg_password}")
        return " ".join(parts)

    def sqlalchemy_url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        auth = self.pg_user + (f":{self.pg_password}" if self.pg_password else "")
        return f"postgresql+psycopg://{auth}@{self.pg_host}:{self.pg_port}/{self.pg_dbname}"


def parse_db_url(url: str | None = None) -> StoreConfig:
    """``sqlite:///relative/file.db``, ``sqlite:////absolute/file.db`` or
    ``postgresql://user[:password]@host[:port]/db[?schema=name]``."""
    url = url or os.environ.get("OVERSIGHT_DB_URL") or DEFAULT_DB_URL
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path or ":memory:" in path:
            raise ValueError("OVERSIGHT_DB_URL: the SQLite store needs a file path")
        return StoreConfig(url=url, kind="sqlite", sqlite_path=path)
    p = urlparse(url)
    if p.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        q = parse_qs(p.query)
        schema = q.get("schema", ["public"])[0]
        if not schema.replace("_", "").isalnum():
            raise ValueError("OVERSIGHT_DB_URL: schema must be letters, digits and _")
        return StoreConfig(
            url=url,
            kind="postgres",
            pg_host=p.hostname or "127.0.0.1",
            pg_port=p.port or 5432,
            pg_user=unquote(p.username or "postgres"),
            pg_password=unquote(p.password or ""),
            pg_dbname=(p.path or "/").lstrip("/") or "postgres",
            pg_schema=schema,
        )
    raise ValueError(f"OVERSIGHT_DB_URL: unsupported URL {url!r} (sqlite:/// or postgresql://)")


def library_env(cfg: StoreConfig, recorder: str | None = None) -> dict[str, str]:
    """The `eventsourcing` environment for a store.

    ``recorder`` is ``native`` (the library's own sqlite/postgres recorders, the default: they
    measured faster, see README) or ``sqlalchemy`` (``eventsourcing-sqlalchemy``).
    """
    recorder = recorder or os.environ.get("OVERSIGHT_RECORDER", "native")
    env: dict[str, str] = {}
    if recorder == "sqlalchemy":
        env["PERSISTENCE_MODULE"] = "eventsourcing_sqlalchemy"
        env["SQLALCHEMY_URL"] = cfg.sqlalchemy_url()
        if cfg.kind == "postgres" and cfg.pg_schema != "public":
            env["SQLALCHEMY_SCHEMA"] = cfg.pg_schema
        return env
    if recorder != "native":
        raise ValueError("OVERSIGHT_RECORDER must be 'native' or 'sqlalchemy'")
    if cfg.kind == "sqlite":
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["SQLITE_DBNAME"] = cfg.sqlite_path
        env["SQLITE_LOCK_TIMEOUT"] = "10"
        env["APPLICATION_RECORDER_TOPIC"] = "domain.store:ReceiptSQLiteApplicationRecorder"
    else:
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        env["POSTGRES_HOST"] = cfg.pg_host
        env["POSTGRES_PORT"] = str(cfg.pg_port)
        env["POSTGRES_USER"] = cfg.pg_user
        # The library insists on a password even under trust authentication.
        env["POSTGRES_PASSWORD"] = cfg.pg_password or "unused"
        env["POSTGRES_DBNAME"] = cfg.pg_dbname
        env["POSTGRES_SCHEMA"] = cfg.pg_schema
        env["POSTGRES_POOL_SIZE"] = "8"
        env["POSTGRES_MAX_OVERFLOW"] = "8"
        timeouts = PgTimeouts.from_env()
        # The library's own settings (whole seconds), the same bounds as the session options.
        env["POSTGRES_LOCK_TIMEOUT"] = str(max(1, round(timeouts.lock)))
        env["POSTGRES_CONNECT_TIMEOUT"] = str(max(1, round(timeouts.connect)))
        env["POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT"] = str(max(1, round(timeouts.idle_in_transaction)))
        # Never POSTGRES_ENABLE_DB_FUNCTIONS: its insert path skips the table lock, and a
        # reader paging by position could then pass over a late commit.
        quiet = os.environ.get("OVERSIGHT_PG_NOTIFY") != "1"
        recorder_class = "QuietPostgresApplicationRecorder" if quiet else "TimedPostgresApplicationRecorder"
        env["APPLICATION_RECORDER_TOPIC"] = f"domain.store:{recorder_class}"
    return env


# ---------------------------------------------------------------- append-only trigger
def install_append_only_trigger(cfg: StoreConfig) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the stored-events table."""
    table = cfg.events_table
    if cfg.kind == "sqlite":
        con = sqlite3.connect(cfg.sqlite_path, timeout=10)
        try:
            for op in ("UPDATE", "DELETE"):
                con.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} "
                    f"BEFORE {op} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'stored events are append-only ({op} refused)'); END"
                )
            con.commit()
        finally:
            con.close()
        return
    import psycopg

    schema = cfg.pg_schema
    with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as pg:
        pg.execute(
            f"""
            CREATE OR REPLACE FUNCTION "{schema}".oversight_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'stored events are append-only (% refused)', TG_OP;
            END $$"""
        )
        pg.execute(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
            f'ON "{schema}"."{table}" FOR EACH ROW '
            f'EXECUTE FUNCTION "{schema}".oversight_append_only()'
        )
        pg.execute(
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
            f'ON "{schema}"."{table}" FOR EACH STATEMENT '
            f'EXECUTE FUNCTION "{schema}".oversight_append_only()'
        )


@contextmanager
def setting_up(cfg: StoreConfig) -> Iterator[None]:
    """Hold the store's setup lock while a process creates what it needs (schema, tables,
    triggers, functions): PostgreSQL's ``CREATE … IF NOT EXISTS`` and ``CREATE OR REPLACE``
    fail when two sessions run them at once (a unique violation, "tuple concurrently
    updated"), so servers and workers started together take turns. A session-level advisory
    lock, per database and schema, released when setup ends or its connection closes.
    SQLite needs none: its writes take the file's lock."""
    if cfg.kind == "sqlite":
        yield
        return
    import psycopg

    key = (f"oversight setup {cfg.pg_schema}",)
    with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as con:
        con.execute("SET lock_timeout = '120s'")  # others' setup is short; never give up early
        con.execute("SELECT pg_advisory_lock(hashtext(%s))", key)
        try:
            yield
        finally:
            con.execute("SELECT pg_advisory_unlock(hashtext(%s))", key)


def ensure_schema(cfg: StoreConfig) -> None:
    """Create the PostgreSQL schema named in the URL if it is missing; SQLite's folder."""
    if cfg.kind == "sqlite":
        folder = os.path.dirname(cfg.sqlite_path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        return
    import psycopg

    with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as con:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{cfg.pg_schema}"')


# ---------------------------------------------------------------- snapshots of an older state
#: the shape of the aggregates' state in snapshots: raised when it changes (v2: the facts of
#: domain/facts.py), so snapshots of an older shape are dropped, never loaded as state
SNAPSHOT_FORMAT = 2


def discard_stale_snapshots(cfg: StoreConfig) -> int:
    """Drop every snapshot taken in an older state shape (they are caches: the aggregate is
    replayed from its events); returns how many were dropped."""
    meta, snaps = "oversight_meta", cfg.snapshots_table
    if cfg.kind == "sqlite":
        con = sqlite3.connect(cfg.sqlite_path, timeout=30)
        try:
            con.execute(f"CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = con.execute(f"SELECT value FROM {meta} WHERE key = 'snapshot_format'").fetchone()
            dropped = 0
            if row is None or int(row[0]) != SNAPSHOT_FORMAT:
                exists = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (snaps,)).fetchone()
                dropped = con.execute(f"DELETE FROM {snaps}").rowcount if exists else 0
                con.execute(
                    f"INSERT OR REPLACE INTO {meta} (key, value) VALUES ('snapshot_format', ?)", (str(SNAPSHOT_FORMAT),)
                )
            con.commit()
            return dropped
        finally:
            con.close()
    import psycopg

    schema = cfg.pg_schema
    with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as pg:
        pg.execute(f'CREATE TABLE IF NOT EXISTS "{schema}".{meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
        row = pg.execute(f"SELECT value FROM \"{schema}\".{meta} WHERE key = 'snapshot_format'").fetchone()
        if row is not None and int(row[0]) == SNAPSHOT_FORMAT:
            return 0
        exists = pg.execute("SELECT to_regclass(%s)", (f'"{schema}".{snaps}',)).fetchone()
        dropped = pg.execute(f'DELETE FROM "{schema}".{snaps}').rowcount if exists and exists[0] else 0
        pg.execute(
            f'INSERT INTO "{schema}".{meta} (key, value) VALUES (%s, %s) '
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            ("snapshot_format", str(SNAPSHOT_FORMAT)),
        )
        return int(dropped)


# ---------------------------------------------------------------- receipts without the hook
class RawReceipts:
    """Receipts for a recorder without the in-transaction hook (``OVERSIGHT_RECORDER=sqlalchemy``):
    written after the command commits, in their own transaction. A crash between the two
    leaves the key unknown, and a retry runs the command again (the native recorders, the
    default, have no such window)."""

    def __init__(self, cfg: StoreConfig) -> None:
        self.cfg = cfg
        self._created = False

    def _connect(self) -> Any:
        if self.cfg.kind == "sqlite":
            return sqlite3.connect(self.cfg.sqlite_path, timeout=10)
        import psycopg

        con = psycopg.connect(self.cfg.pg_conninfo())
        con.execute(f'SET search_path TO "{self.cfg.pg_schema}"')
        return con

    def _ensure(self, con: Any) -> None:
        if not self._created:
            con.execute(receipts.create_sql(receipts.TABLE, "BLOB" if self.cfg.kind == "sqlite" else "BYTEA"))
            self._created = True

    def _mark(self) -> str:
        return "?" if self.cfg.kind == "sqlite" else "%s"

    def find(self, principal_id: str, key: str) -> Stored | None:
        con = self._connect()
        try:
            self._ensure(con)
            m = self._mark()
            row = con.execute(
                f"SELECT fingerprint, status, answer FROM {receipts.TABLE} WHERE principal_id = {m} AND key = {m}",
                (principal_id, key),
            ).fetchone()
            con.commit()
        finally:
            con.close()
        return None if row is None else Stored(row[0], int(row[1]), bytes(row[2]))

    def put(self, r: Receipt, answer: bytes) -> None:
        row = receipts.first_row(r)
        con = self._connect()
        try:
            self._ensure(con)
            m = ", ".join([self._mark()] * 6)
            conflict = "OR IGNORE " if self.cfg.kind == "sqlite" else ""
            tail = "" if self.cfg.kind == "sqlite" else " ON CONFLICT DO NOTHING"
            con.execute(f"INSERT {conflict}INTO {receipts.TABLE} VALUES ({m}){tail}", (*row[:4], answer, row[5]))
            con.commit()
        finally:
            con.close()


_RAW: dict[StoreConfig, RawReceipts] = {}


def raw_receipts(cfg: StoreConfig) -> RawReceipts:
    if cfg not in _RAW:
        _RAW[cfg] = RawReceipts(cfg)
    return _RAW[cfg]
