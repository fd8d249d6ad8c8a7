"""The service layer's plumbing: load aggregates, one domain call, save (atomically when a
command touches more than one aggregate). Returns plain data, never aggregates.

Commands on one aggregate are serialised inside the process by a per-aggregate lock, so the
aggregate cache can hand out its objects without deep copies; any failure evicts what the
command touched, and a conflict with another process surfaces as the store's integrity error.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, Transcoder

from .. import clock, receipts
from ..base import Base
from ..benchmark import Benchmark
from ..calendar import CHINA
from ..case import Case
from ..errors import AlreadyExistsError, ConcurrencyError, InvalidInputError, NotFoundError, VersionMismatchError
from ..facts import Facts
from ..fine import Fine
from ..money import yuan_to_fen
from ..officer import Officer
from ..principal import Principal
from ..rulebook import Context
from ..store import (
    APP_NAME,
    OrjsonTranscoder,
    StoreConfig,
    discard_stale_snapshots,
    ensure_schema,
    install_append_only_trigger,
    library_env,
    parse_db_url,
    raw_receipts,
    setting_up,
)
from ..unit import Unit

A = TypeVar("A", bound=Base)
Result = dict[str, Any]


def now() -> datetime:
    return clock.now().astimezone(CHINA)


def _plain(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


_EVENT_META = ("originator_id", "originator_version", "timestamp", "recorded_by", "occurred_at", "originator_topic")


class Service(Application[UUID]):
    """One application for the whole record: units, officers, benchmarks, principals,
    cases, fines, inspections. All events share one global notification log."""

    name = APP_NAME
    snapshotting_intervals = {Officer: 50, Unit: 50, Principal: 50, Benchmark: 50, Case: 100, Fine: 50}

    def __init__(self, db_url: str | None = None, env: dict[str, str] | None = None) -> None:
        self.store: StoreConfig = parse_db_url(db_url)
        with setting_up(self.store):
            self._set_up(env)

    def _set_up(self, env: dict[str, str] | None) -> None:
        ensure_schema(self.store)
        base_env = library_env(self.store)
        base_env.setdefault("AGGREGATE_CACHE_MAXSIZE", "20000")
        # The per-aggregate lock below makes the deep copy from the cache unnecessary.
        base_env.setdefault("DEEPCOPY_FROM_AGGREGATE_CACHE", "n")
        # A commanded aggregate is trusted from the cache: if another process wrote it
        # meanwhile, the store's (id, version) key refuses the save, the aggregate is evicted
        # and the command runs once more on fresh state. Aggregates a gate only *reads*
        # (officers, units, benchmarks, principals) are fast-forwarded on every use.
        base_env.setdefault("AGGREGATE_CACHE_FASTFORWARD", "n")
        base_env.update(env or {})
        # A lock lives as long as someone holds it (weak values), so the map never grows
        # without bound and never hands two threads different locks for one aggregate.
        self._locks: weakref.WeakValueDictionary[UUID, _AggregateLock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()
        #: called after every save (e.g. to wake the projection runner)
        self.listeners: list[Callable[[], None]] = []
        #: the log position up to which the aggregate cache was compared with the log
        self._tail_at: int | None = None
        self._tail_lock = threading.Lock()
        #: officers known to be on the register (a registration is never undone)
        self._registered: set[UUID] = set()
        super().__init__(env=base_env)
        if self.env.get("PERSISTENCE_MODULE", "").startswith("eventsourcing."):
            install_append_only_trigger(self.store)
            discard_stale_snapshots(self.store)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _locked(self, *ids: UUID) -> Iterator[None]:
        with self._locks_guard:
            locks = []
            for i in sorted(set(ids)):
                lock = self._locks.get(i)
                if lock is None:
                    lock = self._locks[i] = _AggregateLock()
                locks.append(lock)
        for lock in locks:
            lock.acquire()
        try:
            yield
        except BaseException:
            self._evict(*ids)
            raise
        finally:
            for lock in reversed(locks):
                lock.release()

    def _evict(self, *ids: UUID) -> None:
        cache = self.repository.cache
        if cache is not None:
            for i in ids:
                with suppress(KeyError):
                    cache.get(i, evict=True)

    def _get(self, cls: type[A], aggregate_id: UUID | str, what: str) -> A:
        try:
            agg: Any = self.repository.get(UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFoundError(f"{what} {aggregate_id} not found") from None
        if not isinstance(agg, cls):
            raise NotFoundError(f"{what} {aggregate_id} not found")
        return agg

    def _fresh(self, cls: type[A], aggregate_id: UUID | str, what: str) -> A:
        """The aggregate with any events other processes recorded since it was cached."""
        agg = self._get(cls, aggregate_id, what)
        with self._locked(agg.id):
            for e in self.events.get(agg.id, gt=agg.version):
                e.mutate(agg)  # type: ignore[attr-defined]
        return agg

    @contextmanager
    def caught_up(self) -> Iterator[None]:
        """Commands run in here read the cache as the request's authentication left it: that
        caught the cache up with the log after the request arrived, so a second read of the
        tail would only add a round trip (``AppContext``)."""
        token = _CAUGHT_UP.set(True)
        try:
            yield
        finally:
            _CAUGHT_UP.reset(token)

    def _catch_up(self) -> None:
        """Bring the aggregate cache up to the log's head in one read: every aggregate another
        process changed since the last catch-up is evicted (loaded afresh when next asked
        for). Positions are assigned in commit order, so the events after the last position
        read are all the cache can have missed."""
        cache = self.repository.cache
        if cache is None:
            return
        with self._tail_lock:
            start = self._tail_at
            if start is None:
                start = self._tail_at = 0
            rows = self.recorder.select_notifications(start=start, limit=TAIL, inclusive_of_start=False)
            if len(rows) >= TAIL:  # far behind (an import, a restore): start the cache afresh
                head = self.max_position()  # before: what commits during the clearing is read next time
                for key in list(getattr(cache, "cache", {})):
                    with suppress(KeyError):
                        cache.get(key, evict=True)
                self._tail_at = head
                return
            for n in rows:
                oid = n.originator_id if isinstance(n.originator_id, UUID) else UUID(str(n.originator_id))
                try:
                    agg = cache.get(oid)
                except KeyError:
                    continue
                if agg.version < n.originator_version:
                    with suppress(KeyError):
                        cache.get(oid, evict=True)
            if rows:
                self._tail_at = rows[-1].id

    def save(self, *aggs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, without its per-object runtime Protocol checks (two
        ``isinstance`` against typing Protocols cost more than encoding the event): this
        application only ever saves its own aggregates."""
        pe: ProcessingEvent[UUID] = ProcessingEvent()
        for agg in aggs:
            pe.events.extend(agg.collect_events())
            pe.aggregates[agg.id] = agg
        pe.saved_kwargs.update(kwargs)
        recordings = self._record(pe)
        self._take_snapshots(pe)
        self._notify(recordings)
        return recordings

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        for listener in self.listeners:
            listener()

    def _take_snapshots(self, processing_event: Any) -> None:
        # Snapshot the in-memory aggregate that was just saved, instead of the library's
        # default of replaying it from the store at that version.
        if self.snapshots is None:
            return
        for event in processing_event.events:
            agg = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(agg)) if agg is not None else None
            if interval and event.originator_version % interval == 0 and agg.version == event.originator_version:
                self.snapshots.put([type(agg).Snapshot.take(agg)])

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def _save(self, *aggs: Base, extra: Result | None = None, created: bool = False) -> Result:
        main = aggs[0]
        receipts.expect({"id": str(main.id), "version": main.version, "position": None, **(extra or {})})
        try:
            recordings = self.save(*aggs)
        except IntegrityError:
            self._evict(*(a.id for a in aggs))
            if created:
                raise AlreadyExistsError("it already exists (same identifier)") from None
            raise ConcurrencyError("another command changed this record at the same moment; reload and retry") from None
        result: Result = {
            "id": str(main.id),
            "version": main.version,
            "position": max(r.notification.id for r in recordings) if recordings else None,
        }
        if extra:
            result.update(extra)
        return result

    def _retrying(self, fn: Callable[[], Result]) -> Result:
        """Run a command; after a conflict with another process (stale cache), once more."""
        try:
            return fn()
        except ConcurrencyError:
            return fn()

    @staticmethod
    def _check_version(agg: Base, expected: int | None) -> None:
        if expected is not None and agg.version != expected:
            raise VersionMismatchError(expected, agg.version)

    def find_receipt(self, principal_id: str, key: str) -> receipts.Stored | None:
        """The answer recorded for a request with this Idempotency-Key, if it committed."""
        find = getattr(self.recorder, "find_receipt", None)
        return find(principal_id, key) if find else raw_receipts(self.store).find(principal_id, key)

    def put_receipt(self, r: receipts.Receipt, answer: bytes) -> None:
        """A receipt the command's transaction did not write (a recorder without the hook)."""
        put = getattr(self.recorder, "put_receipt", None)
        if put:
            put(r, answer)
        else:
            raw_receipts(self.store).put(r, answer)

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def _officer_ids(self, ids: list[str], field: str = "officers") -> list[str]:
        """Officers a command names must be on the register (422 naming the field otherwise)."""
        for oid in ids:
            if not _is_uuid(oid):
                raise InvalidInputError(field, f"unknown officer {oid}")
            uid = UUID(oid)
            if uid not in self._registered:
                if not self._exists(uid):
                    raise InvalidInputError(field, f"unknown officer {oid}")
                if len(self._registered) < 1_000_000:
                    self._registered.add(uid)
        return [str(UUID(o)) for o in ids]

    def context(self) -> AppContext:
        return AppContext(self)


#: log entries read at most per catch-up of the aggregate cache
TAIL = 2000
#: set while a command runs whose request already caught the cache up (``Service.caught_up``)
_CAUGHT_UP: ContextVar[bool] = ContextVar("oversight_caught_up", default=False)


class AppContext(Context):
    """What the gate rules read besides the commanded aggregate: officers, the unit, the
    benchmark, a fine's case, each brought up to date from the store when first asked for."""

    def __init__(self, app: Service) -> None:
        super().__init__()
        self.app = app
        self._seen: dict[tuple[str, str], Facts | None] = {}
        self._caught_up = False

    def _facts(
        self, cls: type[Base], key: str, aggregate_id: UUID | str | None, what: str, fresh: bool = True
    ) -> Facts | None:
        if (what, key) not in self._seen:
            if fresh and not self._caught_up:  # one read of the log's tail for all of them
                if not _CAUGHT_UP.get():
                    self.app._catch_up()
                self._caught_up = True
            try:
                agg = self.app._get(cls, aggregate_id or key, what) if aggregate_id or _is_uuid(key) else None
            except NotFoundError:
                agg = None
            self._seen[(what, key)] = None if agg is None else agg.f
        return self._seen[(what, key)]

    def officer(self, officer_id: str) -> Facts | None:
        return self._facts(Officer, officer_id, None, "officer")

    def unit(self, unit_id: str) -> Facts | None:
        return self._facts(Unit, unit_id, None, "unit")

    def benchmark(self, matter_code: str) -> Facts | None:
        bid = Benchmark.id_for(matter_code)
        if not self.app._exists(bid):
            return None
        return self._facts(Benchmark, matter_code, bid, "benchmark")

    def case(self, case_id: str) -> Facts | None:
        # A fine's case is locked by the fine command that asks (case first, then fine).
        return self._facts(Case, case_id, None, "case", fresh=False)


class _AggregateLock:
    """A lock that can be weakly referenced (``threading.Lock`` cannot)."""

    __slots__ = ("_lock", "__weakref__")

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self) -> None:
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()


def event_view(e: Any) -> Result:
    d = vars(e)
    return {
        "version": e.originator_version,
        "type": type(e).__qualname__.split(".")[-1],
        "recorded_at": e.timestamp.isoformat(),
        "recorded_by": d.get("recorded_by"),
        "occurred_at": d["occurred_at"].isoformat() if d.get("occurred_at") else None,
        "data": {k: _plain(v) for k, v in d.items() if k not in _EVENT_META},
    }


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def penalties_fen(penalties: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    out = []
    for i, p in enumerate(penalties):
        q = {"type": p.get("type")}
        if p.get("amount") is not None:
            q["amount_fen"] = yuan_to_fen(p["amount"], f"{field}[{i}].amount")
        out.append(q)
    return out
