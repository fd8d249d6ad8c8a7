"""The projection runtime.

Each projection is an ``eventsourcing.projection.Projection`` whose view (a SQLAlchemy
``TrackingRecorder``) writes its rows and its tracking position in the same transaction. The
library's own runner commits one event per transaction and cannot subscribe on SQLite, so this
runner pulls pages with the recorder's ``select_notifications`` (both databases), decodes each
event once, hands the page to every projection of its group, and commits their rows and
positions in one transaction per page. A tracking update is guarded by the position it read,
so two workers can never both apply a page: the second one's transaction rolls back.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, StatementError

from .db import setting_up

log = logging.getLogger("oversight.projections")

tracking_metadata = MetaData()
tracking = Table(
    "projection_tracking",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
#: which version of each projection answers reads. A projection's first version serves at once;
#: a later version is built beside the one serving and takes over when it reaches the head.
serving = Table(
    "projection_serving",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)


#: events a projection could not store as recorded: stored with NUL replaced (``cleaned``) or
#: not stored (``skipped``); reported on /readyz and /metrics, never dropped in silence
faults = Table(
    "projection_faults",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("action", String(16), nullable=False),
    Column("error", String(2000), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
#: errors of the database or its connection, not of an event: the page is tried again later
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, TimeoutError, ConnectionError)


def reason(e: BaseException) -> str:
    """An error as the logs and the faults table keep it. For a failed statement, the
    database's own message: SQLAlchemy appends the statement and its parameters, which hold
    the event's data (parties' names and id numbers)."""
    orig = getattr(e, "orig", None)
    if isinstance(e, StatementError) and orig is not None:
        return f"{type(e).__name__}: {orig}"
    return f"{type(e).__name__}: {e}"


class TrackingConflictError(Exception):
    """Another worker advanced this projection first; the page is rolled back."""


class Item:
    """One event of a page: its global position, the stored notification, and the decoded
    event, decoded on first use and then shared by every projection of the page."""

    __slots__ = ("position", "notification", "_event", "_decode")

    def __init__(
        self,
        position: int,
        notification: Notification | None,
        event: Any = None,
        decode: Callable[[Notification], Any] | None = None,
    ) -> None:
        self.position = position
        self.notification = notification
        self._event = event
        self._decode = decode

    @property
    def event(self) -> Any:
        if self._event is None and self._decode is not None and self.notification is not None:
            self._event = self._decode(self.notification)
        return self._event

    def cleaned(self) -> Item | None:
        """The event with every NUL in its strings replaced by U+FFFD (PostgreSQL's text
        cannot hold NUL; an imported history may carry one), or None if it has none."""
        n = self.notification
        if n is None or b"\\u0000" not in n.state:
            return None
        try:
            state = orjson.dumps(_without_nul(orjson.loads(n.state)))
        except orjson.JSONDecodeError:
            return None
        clean = Notification(
            id=n.id, originator_id=n.originator_id, originator_version=n.originator_version, topic=n.topic, state=state
        )
        return Item(self.position, clean, None, self._decode)


def _without_nul(o: Any) -> Any:
    if isinstance(o, str):
        return o.replace("\x00", "\ufffd")
    if isinstance(o, list):
        return [_without_nul(v) for v in o]
    if isinstance(o, dict):
        return {_without_nul(k): _without_nul(v) for k, v in o.items()}
    return o


class SqlView(TrackingRecorder):
    """A projection's view: its tables and its tracking row, in the page's transaction."""

    def __init__(self, engine: Engine, name: str, version: int) -> None:
        self.engine = engine
        self.name = name
        self.version = version
        self.conn: Connection | None = None
        #: the position this page was read from; the update is guarded by it
        self.base_position: int | None = None

    def insert_tracking(self, t: Tracking) -> None:
        assert self.conn is not None, "tracking is written inside a page transaction"
        old = self.base_position if self.base_position is not None else self.position(self.conn)
        if t.notification_id <= old:
            return
        res = self.conn.execute(
            update(tracking)
            .where(tracking.c.name == self.name, tracking.c.version == self.version, tracking.c.position == old)
            .values(position=t.notification_id, updated_at=datetime.now(UTC))
        )
        if res.rowcount != 1:
            raise TrackingConflictError(self.name)

    def position(self, conn: Connection | None = None) -> int:
        q = select(tracking.c.position).where(tracking.c.name == self.name, tracking.c.version == self.version)
        if conn is not None:
            return int(conn.execute(q).scalar_one_or_none() or 0)
        with self.engine.connect() as c:
            return int(c.execute(q).scalar_one_or_none() or 0)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.position() or None


class SqlProjection(Projection[SqlView]):
    """Base of the project's projections: a dispatcher over event types, page at a time."""

    name = ""
    version = 1
    metadata: MetaData
    #: tables whose rows depend on when pages ran (e.g. signed checkpoints), not only on the log
    volatile_tables: frozenset[str] = frozenset()

    def __init__(self, engine: Engine) -> None:
        super().__init__(SqlView(engine, self.name, self.version))

    @classmethod
    def table_name(cls, base: str) -> str:
        return f"p_{cls.name}_v{cls.version}_{base}"

    def create(self, conn: Connection) -> None:
        self.metadata.create_all(conn)
        # An index added to a version's tables (no stored row changes) reaches tables built
        # before it: create_all makes missing tables only.
        for table in self.metadata.sorted_tables:
            for index in table.indexes:
                index.create(conn, checkfirst=True)
        tracking_metadata.create_all(conn)
        exists = conn.execute(
            select(tracking.c.position).where(tracking.c.name == self.name, tracking.c.version == self.version)
        ).first()
        if exists is None:
            conn.execute(
                tracking.insert().values(name=self.name, version=self.version, position=0, updated_at=datetime.now(UTC))
            )
        # The first version of a projection serves at once; a later one waits for its takeover.
        ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            ins(serving).values(name=self.name, version=self.version, since=datetime.now(UTC)).on_conflict_do_nothing()
        )

    def drop(self, conn: Connection) -> None:
        self.metadata.drop_all(conn)
        tracking_metadata.create_all(conn)
        conn.execute(tracking.delete().where(tracking.c.name == self.name, tracking.c.version == self.version))

    def apply(self, conn: Connection, items: Sequence[Item]) -> None:
        """Apply a page of events (overridden by each projection)."""
        raise NotImplementedError

    def idle(self, engine: Engine) -> float | None:
        """Time-driven work between pages (none by default); seconds until it is next due."""
        return None

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        """The library's one-event interface, for completeness: a one-item page."""
        with self.view.engine.begin() as conn:
            self.view.conn = conn
            try:
                self.apply(conn, [Item(tracking.notification_id, None, domain_event)])  # type: ignore[arg-type]
                self.view.insert_tracking(tracking)
            finally:
                self.view.conn = None


@dataclass(frozen=True)
class ProjectionState:
    name: str
    version: int
    serving: int
    position: int
    head: int

    @property
    def state(self) -> str:
        if self.serving == self.version:
            return "serving"
        return "building" if self.serving < self.version else "superseded"


def prune(engine: Engine, projections: Sequence[SqlProjection]) -> list[str]:
    """Drop the tables and tracking rows of versions older than the one serving. Refused for a
    projection whose version in this code does not serve yet (the old one still answers reads)."""
    dropped: list[str] = []
    with engine.begin() as conn:
        serves = {r[0]: int(r[1]) for r in conn.execute(select(serving.c.name, serving.c.version))}
        tables = inspect(conn).get_table_names()
        for p in projections:
            current = serves.get(p.name)
            if current != p.version:
                raise ValueError(f"projection {p.name} v{p.version} does not serve yet (v{current} does)")
            pattern = re.compile(rf"^p_{re.escape(p.name)}_v(\d+)_")
            for t in tables:
                m = pattern.match(t)
                if m and int(m.group(1)) < current:
                    conn.execute(text(f'DROP TABLE "{t}"'))
                    dropped.append(t)
            conn.execute(tracking.delete().where(tracking.c.name == p.name, tracking.c.version < current))
    return dropped


class Runner:
    """Follows the global notification log for a group of projections."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        engine: Engine,
        projections: Sequence[SqlProjection],
        page_size: int = 1000,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.engine = engine
        self.projections = list(projections)
        self.page_size = page_size
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        #: projections known to serve their own version (or a newer one): that never reverts
        self._settled: set[str] = set()
        with engine.begin() as conn:
            setting_up(conn)
            for p in self.projections:
                p.create(conn)

    def projection(self, name: str) -> SqlProjection:
        return next(p for p in self.projections if p.name == name)

    def positions(self) -> dict[str, int]:
        """Each projection's tracked position, in one query."""
        wanted = {(p.name, p.version): p.name for p in self.projections}
        q = select(tracking.c.name, tracking.c.version, tracking.c.position).where(
            tracking.c.name.in_([p.name for p in self.projections])
        )
        with self.engine.connect() as conn:
            found = {wanted[(n, v)]: int(pos or 0) for n, v, pos in conn.execute(q) if (n, v) in wanted}
        return {p.name: found.get(p.name, 0) for p in self.projections}

    def position(self, names: Sequence[str] | None = None) -> int:
        """The position every projection of the group (or the named ones) has reached."""
        return min((p for n, p in self.positions().items() if names is None or n in names), default=0)

    def serving(self) -> dict[str, int]:
        """The version serving reads, per projection of this group."""
        names = [p.name for p in self.projections]
        with self.engine.connect() as conn:
            rows = conn.execute(select(serving.c.name, serving.c.version).where(serving.c.name.in_(names)))
            return {r[0]: int(r[1]) for r in rows}

    def states(self) -> list[ProjectionState]:
        """Each projection of the group: its version, the version serving, its position, the head."""
        head = self.recorder.max_notification_id() or 0
        serves = self.serving()
        positions = self.positions()
        return [
            ProjectionState(p.name, p.version, serves.get(p.name, p.version), positions[p.name], head)
            for p in self.projections
        ]

    def unavailable(self, names: Sequence[str] | None = None) -> str | None:
        """Why this process cannot answer reads from these projections, or None if it can:
        a version still being built beside the one serving is not read until it takes over."""
        wanted = [p for p in self.projections if (names is None or p.name in names) and p.name not in self._settled]
        if not wanted:
            return None  # the common case: no query on the read path
        serves = self.serving()
        for p in wanted:
            current = serves.get(p.name, p.version)
            if current >= p.version:
                self._settled.add(p.name)  # the serving version only ever rises
            else:
                return (
                    f"projection {p.name} v{p.version} is being built beside v{current}, which serves until "
                    f"v{p.version} catches up (position {p.view.position()} of {self.recorder.max_notification_id()})"
                )
        return None

    def take_over(self) -> list[str]:
        """Let every version of the group that has reached the head take over reads from the
        version serving before it. The switch is one guarded UPDATE: of two workers, one wins."""
        done: list[str] = []
        if all(p.name in self._settled for p in self.projections):
            return done  # nothing to take over: no query per poll
        head = self.recorder.max_notification_id() or 0
        serves = self.serving()
        positions = self.positions()
        for p in self.projections:
            old = serves.get(p.name, p.version)
            if old >= p.version:
                self._settled.add(p.name)
                continue
            if positions[p.name] < head:
                continue
            with self.engine.begin() as conn:
                res = conn.execute(
                    update(serving)
                    .where(serving.c.name == p.name, serving.c.version == old)
                    .values(version=p.version, since=datetime.now(UTC))
                )
            if res.rowcount == 1:
                log.warning("projection %s v%d took over from v%d at position %d", p.name, p.version, old, head)
                self._settled.add(p.name)
                done.append(p.name)
        return done

    def step(self, on_page: Callable[[int, int], None] | None = None) -> int:
        """Process one page; returns how many notifications it held."""
        positions = self.positions()
        start = min(positions.values(), default=0)
        notifications = self.recorder.select_notifications(start=start, limit=self.page_size, inclusive_of_start=False)
        if not notifications:
            return 0
        to_event = self.mapper.to_domain_event
        items = [Item(n.id, n, None, to_event) for n in notifications]
        last = items[-1].position
        try:
            with self.engine.begin() as conn:
                for p in self.projections:
                    self._apply(conn, p, [i for i in items if i.position > positions[p.name]], positions[p.name])
        except (TrackingConflictError, *TRANSIENT):
            raise
        except Exception as e:  # noqa: BLE001 - an event the page could not store: one at a time
            if self.positions() != positions:
                # another worker committed (part of) this page meanwhile: its rows, not a bad event
                raise TrackingConflictError(", ".join(p.name for p in self.projections)) from e
            log.warning("projection page after %d failed (%s); applying its events one at a time", start, reason(e))
            for item in items:
                self._one(item)
        if on_page:
            on_page(len(items), last)
        return len(items)

    @staticmethod
    def _apply(conn: Connection, p: SqlProjection, mine: list[Item], base: int) -> None:
        if not mine:
            return
        p.view.conn = conn
        p.view.base_position = base
        try:
            p.apply(conn, mine)
            p.view.insert_tracking(Tracking(p.name, mine[-1].position))
        finally:
            p.view.conn = None
            p.view.base_position = None

    def _one(self, item: Item) -> None:
        """One event, each projection in its own transaction: as recorded; else with NUL
        replaced (a fault, ``cleaned``); else not stored (a fault, ``skipped``: its position
        passed so the projection goes on)."""
        positions = self.positions()
        for p in self.projections:
            base = positions[p.name]
            if item.position <= base:
                continue
            try:
                with self.engine.begin() as conn:
                    self._apply(conn, p, [item], base)
                continue
            except (TrackingConflictError, *TRANSIENT):
                raise
            except Exception as e:  # noqa: BLE001 - the event, not the database
                first = e
            clean = item.cleaned()
            if clean is not None:
                try:
                    with self.engine.begin() as conn:
                        self._apply(conn, p, [clean], base)
                        self._fault(conn, p, item.position, "cleaned", first)
                    continue
                except (TrackingConflictError, *TRANSIENT):
                    raise
                except Exception as e:  # noqa: BLE001
                    first = e
            with self.engine.begin() as conn:
                p.view.conn, p.view.base_position = conn, base
                try:
                    p.view.insert_tracking(Tracking(p.name, item.position))
                finally:
                    p.view.conn = p.view.base_position = None
                self._fault(conn, p, item.position, "skipped", first)

    @staticmethod
    def _fault(conn: Connection, p: SqlProjection, position: int, action: str, error: BaseException) -> None:
        log.error("projection %s v%d: event %d %s: %s", p.name, p.version, position, action, reason(error))
        conn.execute(
            faults.insert().values(
                name=p.name,
                version=p.version,
                position=position,
                action=action,
                error=reason(error)[:2000],
                at=datetime.now(UTC),
            )
        )

    def faults(self, limit: int = 100) -> list[dict[str, Any]]:
        """The events this group's projections could not store as recorded (latest first)."""
        names = [p.name for p in self.projections]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(faults).where(faults.c.name.in_(names)).order_by(faults.c.position.desc()).limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def fault_counts(self) -> dict[tuple[str, int, str], int]:
        """How many events each projection version cleaned or skipped."""
        names = [p.name for p in self.projections]
        q = (
            select(faults.c.name, faults.c.version, faults.c.action, func.count())
            .where(faults.c.name.in_(names))
            .group_by(faults.c.name, faults.c.version, faults.c.action)
        )
        with self.engine.connect() as conn:
            return {(n, int(v), a): int(c) for n, v, a, c in conn.execute(q)}

    def run_until_head(self, on_page: Callable[[int, int], None] | None = None) -> int:
        total = 0
        while not self.stopping.is_set():
            n = self.step(on_page)
            total += n
            if n < self.page_size:
                self.take_over()
                break
        return total

    def idle(self) -> float | None:
        """Between pages, let projections do time-driven work (the seal signs a checkpoint once
        the last one is old enough); the seconds until one of them wants to be asked again."""
        due = [d for p in self.projections if (d := p.idle(self.engine)) is not None]
        return min(due, default=None)

    def run_forever(self, poll: float = 1.0) -> None:
        while not self.stopping.is_set():
            try:
                if self.run_until_head() == 0 or self.stopping.is_set():
                    due = self.idle()
                    self.wake.wait(poll if due is None else min(poll, due))
                    self.wake.clear()
            except TrackingConflictError:
                log.info("another worker advanced a projection; continuing from its position")
            except Exception as e:  # noqa: BLE001 - keep serving; report and back off
                self.error = e
                log.exception("projection runner error")
                self.stopping.wait(2.0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wait(self, position: int, timeout: float = 5.0, names: Sequence[str] | None = None) -> bool:
        """Block until the group (or the named projections) processed ``position`` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            if self.position(names) >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            self.wake.set()
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
