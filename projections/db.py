"""SQLAlchemy engines for the read side (the same database as the store by default)."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Table, create_engine, event, text
from sqlalchemy.engine import Connection, Engine

from domain.store import PgTimeouts, StoreConfig, parse_db_url

#: the reports' sessions price a random read of a page as the store's disk does (an SSD, the
#: tables cached): at PostgreSQL's default of 4, a page of fines as of now was read through the
#: wrong index and sorted on disk (100 ms) instead of in order through the index of current
#: rows (13 ms). A setting of the session, so the projections' writes plan as before.
REPORT_PLANS = "-crandom_page_cost=1.1"


def make_engine(cfg: StoreConfig, *, reports: bool = False) -> Engine:
    """An engine on the store's database (``OVERSIGHT_READ_DB_URL`` may name another one).
    ``reports``: the engine the reports read through (``REPORT_PLANS``)."""
    read_url = os.environ.get("OVERSIGHT_READ_DB_URL")
    if read_url:
        cfg = parse_db_url(read_url)
    if cfg.kind == "sqlite":
        engine = create_engine(cfg.sqlalchemy_url(), connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_con, _):  # type: ignore[no-untyped-def]
            dbapi_con.execute("PRAGMA journal_mode=WAL")
            dbapi_con.execute("PRAGMA synchronous=NORMAL")

        return engine
    timeouts = PgTimeouts.from_env()
    return create_engine(
        cfg.sqlalchemy_url(),
        pool_size=4,
        max_overflow=8,
        pool_pre_ping=True,
        pool_timeout=timeouts.connect,
        # The same session bounds as the store's (README, "Configuration").
        connect_args={
            "options": f"-csearch_path={cfg.pg_schema} {timeouts.options()}" + (f" {REPORT_PLANS}" if reports else ""),
            "connect_timeout": max(1, round(timeouts.connect)),
        },
    )


def setting_up(conn: Connection) -> None:
    """Take the read tables' setup lock for the rest of the connection's transaction, so
    workers started together create the tables in turn: each then finds what the one before
    it created (``create_all`` checks first, then creates, which two at once get wrong).
    PostgreSQL: a transaction-level advisory lock. SQLite: the file's write lock, taken by a
    write as the transaction's first statement (later DDL runs inside that transaction)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('oversight read tables'))"))
        return
    conn.execute(text("CREATE TABLE IF NOT EXISTS oversight_setup_lock (held INTEGER)"))
    conn.execute(text("DELETE FROM oversight_setup_lock"))


def bulk_insert(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows in the connection's transaction: COPY on PostgreSQL (one round trip
    instead of one INSERT per row), executemany elsewhere."""
    if not rows:
        return
    cols = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows])


def bulk_insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``bulk_insert`` of rows given as dicts (every column named)."""
    cols = [c.name for c in table.columns]
    bulk_insert(conn, table, [tuple(r[c] for c in cols) for r in rows])
