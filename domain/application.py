"""The service layer: load aggregates, one domain call, save (atomically when a command
touches more than one aggregate). Returns plain data, never aggregates.

Commands on one aggregate are serialised inside the process by a per-aggregate lock, so the
aggregate cache can hand out its objects without deep copies; any failure evicts what the
command touched, and a conflict with another process surfaces as the store's integrity error.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, Transcoder

from . import access, clock
from .base import Base
from .benchmark import Benchmark
from .calendar import CHINA, china_date
from .case import ActingOfficer, BenchmarkVersion, Case
from .errors import (
    AlreadyExistsError,
    AuthenticationError,
    ConcurrencyError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    StateError,
    VersionMismatchError,
)
from .fine import Fine, ReceiptClaim
from .inspection import Inspection
from .money import yuan_to_fen
from .officer import Officer
from .principal import SYSTEM, Actor, Principal
from .store import (
    APP_NAME,
    OrjsonTranscoder,
    StoreConfig,
    ensure_schema,
    install_append_only_trigger,
    library_env,
    parse_db_url,
)
from .unit import Unit

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


class Oversight(Application[UUID]):
    """One application for the whole record: units, officers, benchmarks, principals,
    cases, fines. All events share one global notification log."""

    name = APP_NAME
    snapshotting_intervals = {Officer: 50, Unit: 50, Principal: 50, Benchmark: 50, Case: 100, Fine: 50}

    def __init__(self, db_url: str | None = None, env: dict[str, str] | None = None) -> None:
        self.store: StoreConfig = parse_db_url(db_url)
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
        super().__init__(env=base_env)
        if self.env.get("PERSISTENCE_MODULE", "").startswith("eventsourcing."):
            install_append_only_trigger(self.store)

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
        try:
            recordings = self.save(*aggs)
        except IntegrityError:
            self._evict(*(a.id for a in aggs))
            if created:
                raise AlreadyExistsError("it already exists (same identifier)") from None
            raise ConcurrencyError("another command changed this record at the same moment; reload and retry") from None
        main = aggs[0]
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

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # ------------------------------------------------------------ principals
    def authenticate(self, token: str) -> Actor:
        if not token:
            raise AuthenticationError("missing bearer token")
        pid = Principal.id_for_token(token)
        try:
            p = self._fresh(Principal, pid, "principal")
        except NotFoundError:
            raise AuthenticationError("unknown token") from None
        if not isinstance(p, Principal) or p.revoked_at is not None:
            raise AuthenticationError("unknown or revoked token")
        return p.actor()

    def ensure_admin(self, token: str, name: str = "bootstrap admin") -> str:
        """The admin principal for OVERSIGHT_ADMIN_TOKEN (idempotent)."""
        pid = Principal.id_for_token(token)
        if not self._exists(pid):
            p = Principal.grant(by=SYSTEM.id, at=now(), token=token, name=name, role="admin")
            with suppress(AlreadyExistsError):
                self._save(p, created=True)
        return str(pid)

    def grant_principal(
        self,
        actor: Actor,
        *,
        name: str,
        role: str,
        unit_id: str | None = None,
        officer_id: str | None = None,
        bank_code: str | None = None,
        token: str | None = None,
    ) -> Result:
        access.require_role(actor, "admin")
        if unit_id is not None:
            self._get(Unit, unit_id, "unit")
        if officer_id is not None:
            o = self._get(Officer, officer_id, "officer")
            if unit_id is not None and o.unit_id != str(unit_id):
                raise InvalidInputError("officer_id", "the officer belongs to another unit")
        token = token or "eo_" + secrets.token_urlsafe(32)
        p = Principal.grant(
            by=actor.id,
            at=now(),
            token=token,
            name=name,
            role=role,
            unit_id=unit_id,
            officer_id=officer_id,
            bank_code=bank_code,
        )
        return self._save(p, extra={"token": token, "role": role}, created=True)

    def revoke_principal(self, actor: Actor, principal_id: str) -> Result:
        access.require_role(actor, "admin")
        with self._locked(UUID(principal_id)):
            p = self._get(Principal, principal_id, "principal")
            p.revoke(by=actor.id, at=now())
            return self._save(p)

    # ------------------------------------------------------------ units, officers, benchmarks
    def register_unit(
        self,
        actor: Actor,
        *,
        code: str,
        name: str,
        region: str,
        matters: list[str],
        banks: list[str],
        own_enforcement_power: bool = False,
        enforcement_power_basis: str | None = None,
    ) -> Result:
        access.require_role(actor, "admin")
        if self._exists(Unit.id_for(code)):
            raise AlreadyExistsError(f"unit {code} already exists")
        u = Unit.register(
            by=actor.id,
            at=now(),
            code=code,
            name=name,
            region=region,
            matters=matters,
            banks=banks,
            own_enforcement_power=own_enforcement_power,
            enforcement_power_basis=enforcement_power_basis,
        )
        return self._save(u, created=True)

    def declare_enforcement_power(
        self, actor: Actor, unit_id: str, *, own: bool, basis: str | None, expected_version: int | None = None
    ) -> Result:
        """Whether the unit has its own enforcement power (E4 judges the units without)."""
        access.require_role(actor, "admin")
        if not _is_uuid(unit_id):
            raise NotFoundError(f"unit {unit_id} not found")
        uid = UUID(unit_id)

        def run() -> Result:
            with self._locked(uid):
                u = self._get(Unit, uid, "unit")
                self._check_version(u, expected_version)
                u.declare_enforcement_power(by=actor.id, at=now(), own=own, basis=basis)
                return self._save(u)

        return self._retrying(run)

    def get_unit(self, actor: Actor, unit_id: str) -> Result:
        u = self._get(Unit, unit_id, "unit")
        if actor.role not in access.READ_ALL:
            access.require_case_reader(actor, str(u.id))
        return u.view()

    def register_officer(
        self,
        actor: Actor,
        *,
        name: str,
        unit_id: str,
        kind: str,
        employment: str,
        legal_qualification: bool,
        reviewer_since: date | None = None,
    ) -> Result:
        access.require_role(actor, "admin")
        self._get(Unit, unit_id, "unit")
        o = Officer.register(
            by=actor.id,
            at=now(),
            name=name,
            unit_id=str(UUID(unit_id)),
            kind=kind,
            employment=employment,
            legal_qualification=legal_qualification,
            reviewer_since=reviewer_since,
        )
        return self._save(o, created=True)

    def _officer_cmd(self, actor: Actor, officer_id: str, fn: Callable[[Officer], None]) -> Result:
        access.require_role(actor, "admin")
        oid = UUID(str(officer_id)) if _is_uuid(officer_id) else None
        if oid is None:
            raise NotFoundError(f"officer {officer_id} not found")

        def run() -> Result:
            with self._locked(oid):
                o = self._get(Officer, oid, "officer")
                fn(o)
                return self._save(o)

        return self._retrying(run)

    def record_exam(self, actor: Actor, officer_id: str, *, taken_on: date, passed: bool, score: int | None) -> Result:
        return self._officer_cmd(
            actor,
            officer_id,
            lambda o: o.take_exam(by=actor.id, at=now(), taken_on=taken_on, passed=passed, score=score),
        )

    def issue_certificate(
        self,
        actor: Actor,
        officer_id: str,
        *,
        number: str,
        fields: list[str],
        areas: list[str],
        valid_from: date,
        valid_until: date,
    ) -> Result:
        return self._officer_cmd(
            actor,
            officer_id,
            lambda o: o.issue_certificate(
                by=actor.id,
                at=now(),
                number=number,
                fields=fields,
                areas=areas,
                valid_from=valid_from,
                valid_until=valid_until,
            ),
        )

    def validate_certificate(self, actor: Actor, officer_id: str, *, year: int, passed: bool, on: date) -> Result:
        return self._officer_cmd(
            actor, officer_id, lambda o: o.validate_certificate(by=actor.id, at=now(), year=year, passed=passed, on=on)
        )

    def suspend_certificate(self, actor: Actor, officer_id: str, *, at: datetime, reason: str) -> Result:
        return self._officer_cmd(actor, officer_id, lambda o: o.suspend(by=actor.id, at=at, reason=reason))

    def reinstate_certificate(self, actor: Actor, officer_id: str, *, at: datetime, reason: str) -> Result:
        return self._officer_cmd(actor, officer_id, lambda o: o.reinstate(by=actor.id, at=at, reason=reason))

    def revoke_qualification(self, actor: Actor, officer_id: str, *, at: datetime, reason: str) -> Result:
        return self._officer_cmd(actor, officer_id, lambda o: o.revoke(by=actor.id, at=at, reason=reason))

    def record_training(self, actor: Actor, officer_id: str, *, on: date, hours: int, topic: str) -> Result:
        return self._officer_cmd(
            actor, officer_id, lambda o: o.record_training(by=actor.id, at=now(), on=on, hours=hours, topic=topic)
        )

    def get_officer(self, actor: Actor, officer_id: str, as_of: datetime | None = None) -> Result:
        o = self._fresh(Officer, officer_id, "officer")
        if actor.role not in access.READ_ALL:
            access.require_case_reader(actor, o.unit_id)
        with self._locked(o.id):
            return o.view(as_of or now())

    def publish_benchmark(
        self,
        actor: Actor,
        *,
        matter_code: str,
        version: str,
        legal_basis: str,
        statutory_min: str,
        statutory_max: str,
        tiers: list[dict[str, Any]],
        effective_from: date,
        published_at: datetime,
    ) -> Result:
        access.require_role(actor, "admin")
        bid = Benchmark.id_for(matter_code)
        tiers_fen = [
            {
                "tier": t["tier"],
                "min_fen": yuan_to_fen(t["min"], f"tiers[{i}].min"),
                "max_fen": yuan_to_fen(t["max"], f"tiers[{i}].max"),
            }
            for i, t in enumerate(tiers)
        ]
        with self._locked(bid):
            created = not self._exists(bid)
            b = (
                Benchmark.start(by=actor.id, at=now(), matter_code=matter_code)
                if created
                else self._get(Benchmark, bid, "benchmark")
            )
            b.publish_version(
                by=actor.id,
                at=now(),
                version=version,
                legal_basis=legal_basis,
                statutory_min_fen=yuan_to_fen(statutory_min, "statutory_min"),
                statutory_max_fen=yuan_to_fen(statutory_max, "statutory_max"),
                tiers=tiers_fen,
                effective_from=effective_from,
                published_at=published_at,
            )
            return self._save(b, created=created, extra={"matter_code": matter_code, "benchmark_version": version})

    # ------------------------------------------------------------ cases
    def _acting(self, officer_ids: list[str], at: datetime) -> list[ActingOfficer]:
        out = []
        for oid in officer_ids:
            if not _is_uuid(oid):
                raise InvalidInputError("officers", f"unknown officer {oid}")
            try:
                o = self._fresh(Officer, oid, "officer")
            except NotFoundError:
                raise InvalidInputError("officers", f"unknown officer {oid}") from None
            out.append(
                ActingOfficer(
                    id=str(o.id),
                    kind=o.kind,
                    unit_id=o.unit_id,
                    cert=o.certificate_at(at),
                    legal_qualification=o.legal_qualification,
                    reviewer_since=o.reviewer_since,
                )
            )
        return out

    def file_case(
        self,
        actor: Actor,
        *,
        unit_id: str,
        case_no: str,
        matter_code: str,
        party: dict[str, Any],
        source: str,
        summary: str,
        occurred_on: date,
        discovered_on: date,
        filed_at: datetime,
        approved_by: str,
        handlers: list[str],
        procedure: str,
        major: bool,
        complex: bool,
        amount_involved: str | None = None,
    ) -> Result:
        unit = self._get(Unit, unit_id, "unit")
        access.require_unit_role(actor, str(unit.id), *access.CASE_WRITERS)
        for h in handlers:
            if not _is_uuid(h) or not self._exists(UUID(h)):
                raise InvalidInputError("handlers", f"unknown officer {h}")
        cid = Case.id_for(str(unit.id), case_no)
        if self._exists(cid):
            raise AlreadyExistsError(f"case {case_no} already exists in unit {unit.code}")
        case = Case.file(
            by=actor.id,
            unit_id=str(unit.id),
            region=unit.region,
            case_no=case_no,
            matter_code=matter_code,
            party=party,
            source=source,
            summary=summary,
            occurred_on=occurred_on,
            discovered_on=discovered_on,
            filed_at=filed_at,
            approved_by=approved_by,
            handlers=handlers,
            procedure=procedure,
            major=major,
            complex=complex,
            amount_involved_fen=yuan_to_fen(amount_involved, "amount_involved") if amount_involved else None,
        )
        return self._save(case, created=True)

    def _case_cmd(
        self,
        actor: Actor,
        case_id: str,
        roles: tuple[str, ...],
        expected_version: int | None,
        fn: Callable[[Case], Any],
        also: Callable[[Case], list[Base]] | None = None,
    ) -> Result:
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        cid = UUID(case_id)

        def run() -> Result:
            with self._locked(cid):
                case = self._get(Case, cid, "case")
                if roles:
                    access.require_unit_role(actor, case.unit_id, *roles)
                self._check_version(case, expected_version)
                fine_id = (case.decision or {}).get("fine_id") if also else None
                # A command that also changes the case's fine holds its lock too: always the
                # case's first, then the fine's (fine commands take them in the same order).
                with self._locked(UUID(fine_id)) if fine_id else nullcontext():
                    extra = fn(case) or {}
                    others = also(case) if also else []
                    return self._save(case, *others, extra=extra)

        return self._retrying(run)

    def record_act(
        self,
        actor: Actor,
        case_id: str,
        *,
        type: str,
        occurred_at: datetime,
        officers: list[str],
        certificate_shown: bool,
        record_sha256: str | None,
        av: dict[str, Any] | None,
        signatures: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Result:
        acting = self._acting(officers, occurred_at)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.record_act(
                by=actor.id,
                type=type,
                occurred_at=occurred_at,
                officers=acting,
                certificate_shown=certificate_shown,
                record_sha256=record_sha256,
                av=av,
                signatures=signatures,
            ),
        )

    def collect_evidence(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        description: str,
        sha256: str,
        collected_at: datetime,
        officers: list[str],
        certificate_shown: bool,
        expected_version: int | None = None,
    ) -> Result:
        acting = self._acting(officers, collected_at)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: {
                "evidence_id": c.collect_evidence(
                    by=actor.id,
                    kind=kind,
                    description=description,
                    sha256=sha256,
                    collected_at=collected_at,
                    officers=acting,
                    certificate_shown=certificate_shown,
                )
            },
        )

    def assess_evidence(
        self,
        actor: Actor,
        case_id: str,
        evidence_id: str,
        *,
        status: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.assess_evidence(by=actor.id, at=now(), evidence_id=evidence_id, status=status, reason=reason),
        )

    def serve_notice(
        self,
        actor: Actor,
        case_id: str,
        *,
        served_at: datetime,
        officers: list[str],
        facts: str,
        legal_basis: str,
        proposed: list[dict[str, Any]],
        hearing_right: bool,
        expected_version: int | None = None,
    ) -> Result:
        acting = self._acting(officers, served_at)
        proposed = _penalties_fen(proposed, "proposed")
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.serve_notice(
                by=actor.id,
                served_at=served_at,
                officers=acting,
                facts=facts,
                legal_basis=legal_basis,
                proposed=proposed,
                hearing_right=hearing_right,
            ),
        )

    def receive_statement(
        self, actor: Actor, case_id: str, *, received_at: datetime, summary: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.receive_statement(by=actor.id, received_at=received_at, summary=summary),
        )

    def recheck(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        officers: list[str],
        conclusion: str,
        expected_version: int | None = None,
    ) -> Result:
        acting = self._acting(officers, at)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.recheck(by=actor.id, at=at, officers=acting, conclusion=conclusion),
        )

    def request_hearing(
        self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c: c.request_hearing(by=actor.id, at=at)
        )

    def hold_hearing(
        self,
        actor: Actor,
        case_id: str,
        *,
        noticed_at: datetime,
        held_at: datetime,
        host_id: str,
        record_sha256: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.hold_hearing(
                by=actor.id, noticed_at=noticed_at, held_at=held_at, host_id=host_id, record_sha256=record_sha256
            ),
        )

    def waive_hearing(self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None) -> Result:
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c: c.waive_hearing(by=actor.id, at=at)
        )

    def legal_review(
        self,
        actor: Actor,
        case_id: str,
        *,
        reviewer_id: str,
        at: datetime,
        result: str,
        opinion: str,
        checklist: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Result:
        if actor.officer_id is not None and actor.officer_id != reviewer_id:
            raise InvalidInputError("reviewer_id", "a reviewer records their own review")
        reviewer = self._acting([reviewer_id], at)[0]
        return self._case_cmd(
            actor,
            case_id,
            ("legal_reviewer",),
            expected_version,
            lambda c: c.legal_review(
                by=actor.id, reviewer=reviewer, at=at, result=result, opinion=opinion, checklist=checklist or {}
            ),
        )

    def hold_discussion(
        self,
        actor: Actor,
        case_id: str,
        *,
        held_at: datetime,
        attendees: list[str],
        minutes_sha256: str,
        conclusion: str,
        expected_version: int | None = None,
    ) -> Result:
        for a in attendees:
            if not _is_uuid(a) or not self._exists(UUID(a)):
                raise InvalidInputError("attendees", f"unknown officer {a}")
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c: c.hold_discussion(
                by=actor.id, held_at=held_at, attendees=attendees, minutes_sha256=minutes_sha256, conclusion=conclusion
            ),
        )

    def request_recusal(
        self,
        actor: Actor,
        case_id: str,
        *,
        officer_id: str,
        at: datetime,
        reason: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.request_recusal(by=actor.id, at=at, officer_id=officer_id, reason=reason),
        )

    def decide_recusal(
        self,
        actor: Actor,
        case_id: str,
        *,
        officer_id: str,
        at: datetime,
        granted: bool,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c: c.decide_recusal(
                by=actor.id, at=at, officer_id=officer_id, granted=granted, decided_by=actor.officer_id or actor.id
            ),
        )

    def decide(
        self,
        actor: Actor,
        case_id: str,
        *,
        decision_no: str,
        decided_at: datetime,
        decided_by: str,
        outcome: str,
        penalties: list[dict[str, Any]],
        legal_basis: str,
        evidence_ids: list[str],
        benchmark: dict[str, Any] | None,
        payment: dict[str, Any] | None,
        remedies: dict[str, Any] | None = None,
        officers: list[str] | None = None,
        certificate_shown: bool = False,
        form_no: str | None = None,
        hearing_record_cited: bool = False,
        expected_version: int | None = None,
    ) -> Result:
        pens = _penalties_fen(penalties, "penalties")
        acting = self._acting(officers or [], decided_at)
        holder: dict[str, Any] = {}

        def decide(c: Case) -> Result:
            unit = self._fresh(Unit, c.unit_id, "unit")
            bid = Benchmark.id_for(c.matter_code)
            known = self._exists(bid)
            in_force = None
            if known:
                b = self._fresh(Benchmark, bid, "benchmark")
                v = b.in_force_on(china_date(decided_at))
                if v is not None:
                    in_force = BenchmarkVersion(
                        version=v["version"],
                        statutory_min_fen=v["statutory_min_fen"],
                        statutory_max_fen=v["statutory_max_fen"],
                        tiers=v["tiers"],
                        effective_from=v["effective_from"],
                        published_at=v["published_at"],
                    )
            fine_fen = sum(p.get("amount_fen") or 0 for p in pens if p["type"] == "fine")
            fine_id = Fine.id_for(c.unit_id, decision_no) if fine_fen else None
            if fine_id is not None and self._exists(fine_id):
                raise AlreadyExistsError(f"decision number {decision_no} is already used")
            c.decide(
                by=actor.id,
                decision_no=decision_no,
                decided_at=decided_at,
                decided_by=decided_by,
                outcome=outcome,
                penalties=pens,
                legal_basis=legal_basis,
                evidence_ids=evidence_ids,
                benchmark_choice=benchmark,
                benchmark_in_force=in_force,
                benchmark_known=known,
                payment=payment,
                unit_banks=unit.banks,
                remedies=remedies,
                officers=acting,
                certificate_shown=certificate_shown,
                form_no=form_no,
                fine_id=str(fine_id) if fine_id else None,
                hearing_record_cited=hearing_record_cited,
            )
            if fine_id is not None:
                assert payment is not None
                holder["fine"] = Fine.impose(
                    by=actor.id,
                    at=decided_at,
                    case_id=str(c.id),
                    unit_id=c.unit_id,
                    decision_no=decision_no,
                    amount_fen=fine_fen,
                    bank_code=payment["bank_code"],
                    surcharge=bool(payment["surcharge"]),
                )
                return {"fine_id": str(fine_id)}
            return {}

        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            decide,
            also=lambda c: [holder["fine"]] if "fine" in holder else [],
        )

    def serve_decision(
        self,
        actor: Actor,
        case_id: str,
        *,
        served_at: datetime,
        method: str,
        officers: list[str],
        party_consent: bool = False,
        expected_version: int | None = None,
    ) -> Result:
        acting = self._acting(officers, served_at)
        holder: list[Base] = []

        def serve(c: Case) -> None:
            c.serve_decision(
                by=actor.id, served_at=served_at, method=method, officers=acting, party_consent=party_consent
            )
            if c.decision and c.decision["fine_id"]:
                f = self._get(Fine, c.decision["fine_id"], "fine")
                f.set_due_date(by=actor.id, served_at=served_at)
                holder.append(f)

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, serve, also=lambda c: holder)

    def _with_fine(self, c: Case, holder: list[Base], fn: Callable[[Fine], None]) -> None:
        if c.decision and c.decision.get("fine_id"):
            f = self._get(Fine, c.decision["fine_id"], "fine")
            fn(f)
            holder.append(f)

    def seek_remedy(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        filed_at: datetime,
        body: str,
        reference: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """The party applied for reconsideration or sued; the fine's surcharge pauses (D8)."""
        holder: list[Base] = []

        def seek(c: Case) -> None:
            c.seek_remedy(by=actor.id, at=filed_at, kind=kind, body=body, reference=reference)
            self._with_fine(c, holder, lambda f: f.remedy_began(by=actor.id, at=filed_at, kind=kind))

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, seek, also=lambda c: holder)

    def conclude_remedy(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        at: datetime,
        result: str,
        expected_version: int | None = None,
    ) -> Result:
        holder: list[Base] = []

        def conclude(c: Case) -> None:
            c.conclude_remedy(by=actor.id, at=at, kind=kind, result=result)
            self._with_fine(c, holder, lambda f: f.remedy_ended(by=actor.id, at=at, kind=kind, result=result))

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, conclude, also=lambda c: holder)

    def suspend_execution(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        ground: str,
        basis: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c: c.suspend_execution(by=actor.id, at=at, ground=ground, basis=basis),
        )

    def resume_execution(
        self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor, case_id, ("unit_head",), expected_version, lambda c: c.resume_execution(by=actor.id, at=at)
        )

    def revoke_decision(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        reason: str,
        revoked_by: str,
        expected_version: int | None = None,
    ) -> Result:
        holder: list[Base] = []

        def revoke(c: Case) -> None:
            c.revoke_decision(by=actor.id, at=at, reason=reason, revoked_by=revoked_by)
            self._with_fine(c, holder, lambda f: f.void(by=actor.id, at=at, reason=reason))

        return self._case_cmd(actor, case_id, ("unit_head",), expected_version, revoke, also=lambda c: holder)

    def disclose(
        self, actor: Actor, case_id: str, *, published_at: datetime, channel: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.disclose(by=actor.id, published_at=published_at, channel=channel),
        )

    def withdraw_disclosure(
        self, actor: Actor, case_id: str, *, at: datetime, reason: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.withdraw_disclosure(by=actor.id, at=at, reason=reason),
        )

    def report_transfer(
        self,
        actor: Actor,
        case_id: str,
        *,
        reported_at: datetime,
        decided_at: datetime | None,
        sent_at: datetime | None,
        to: str,
        documents: list[str],
        approved: bool = True,
        refusal_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.report_transfer(
                by=actor.id,
                reported_at=reported_at,
                decided_at=decided_at,
                sent_at=sent_at,
                to=to,
                documents=documents,
                approved=approved,
                refusal_reason=refusal_reason,
            ),
        )

    def record_intervention(
        self,
        actor: Actor,
        case_id: str,
        *,
        official: str,
        position: str,
        occurred_at: datetime,
        channel: str,
        content: str,
        expected_version: int | None = None,
    ) -> Result:
        if actor.role == "bank":
            raise ForbiddenError("a bank does not record interventions")

        def record(c: Case) -> None:
            if actor.role in ("officer", "unit_head", "legal_reviewer"):
                access.require_case_reader(actor, c.unit_id)
            c.record_intervention(
                by=actor.id,
                occurred_at=occurred_at,
                official=official,
                position=position,
                channel=channel,
                content=content,
            )

        return self._case_cmd(actor, case_id, (), expected_version, record)

    def close_case(
        self, actor: Actor, case_id: str, *, at: datetime, reason: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c: c.close(by=actor.id, at=at, reason=reason)
        )

    def archive_case(
        self, actor: Actor, case_id: str, *, at: datetime, file_sha256: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c: c.archive(by=actor.id, at=at, file_sha256=file_sha256),
        )

    # ------------------------------------------------------------ import
    def import_history(self, actor: Actor, lines: Any, source: str) -> Result:
        """Record histories from an older system, without gates (see domain/importer.py)."""
        from . import importer

        access.require_role(actor, "admin")

        def load(aid: UUID) -> Base | None:
            try:
                agg: Any = self.repository.get(aid)
            except AggregateNotFoundError:
                return None
            return agg if isinstance(agg, Base) else None

        aggs = importer.build(lines, f"import:{source}", load)
        try:
            recordings = self.save(*aggs)
        except IntegrityError:
            self._evict(*(a.id for a in aggs))
            raise AlreadyExistsError("the file repeats events already recorded") from None
        return {
            "aggregates": len(aggs),
            "events": len(recordings),
            "position": max((r.notification.id for r in recordings), default=None),
        }

    # ------------------------------------------------------------ case queries (replay)
    def get_case(
        self, actor: Actor, case_id: str, *, as_of: datetime | None = None, version: int | None = None
    ) -> Result:
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        cid = UUID(case_id)
        if as_of is None and version is None:
            case = self._fresh(Case, cid, "case")
            access.require_case_reader(actor, case.unit_id)
            with self._locked(cid):
                return case.view()
        events: list[Any] = list(self.events.get(cid))
        if not events or not isinstance(events[0], Case.Filed):
            raise NotFoundError(f"case {case_id} not found")
        access.require_case_reader(actor, events[0].unit_id)
        if version is not None:
            events = events[:version]
        if as_of is not None:
            events = [e for e in events if e.timestamp <= as_of]
        if not events:
            raise NotFoundError(f"case {case_id} did not exist at that time/version")
        agg: Any = None
        for e in events:
            agg = e.mutate(agg)
        view: Result = agg.view()
        return view

    def case_events(self, actor: Actor, case_id: str) -> list[Result]:
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        events = list(self.events.get(UUID(case_id)))
        if not events or not isinstance(events[0], Case.Filed):
            raise NotFoundError(f"case {case_id} not found")
        access.require_case_reader(actor, events[0].unit_id)
        return [event_view(e) for e in events]

    # ------------------------------------------------------------ fines
    def _fine_cmd(
        self,
        actor: Actor,
        fine_id: str,
        check: Callable[[Fine], None],
        fn: Callable[[Fine], list[Base] | None],
        expected_version: int | None,
    ) -> Result:
        if not _is_uuid(fine_id):
            raise NotFoundError(f"fine {fine_id} not found")
        fid = UUID(fine_id)
        with self._locked(fid):
            case_id = UUID(self._get(Fine, fid, "fine").case_id)  # never changes

        def run() -> Result:
            # The case's lock first, then the fine's: a payment may settle the case, and a case
            # command may change the fine (service, remedies); one order, no deadlock.
            with self._locked(case_id), self._locked(fid):
                f = self._get(Fine, fid, "fine")
                check(f)
                self._check_version(f, expected_version)
                others = fn(f) or []
                return self._save(f, *others)

        return self._retrying(run)

    def get_fine(self, actor: Actor, fine_id: str, as_of: datetime | None = None) -> Result:
        f = self._fresh(Fine, fine_id, "fine")
        access.require_fine_reader(actor, f.unit_id, f.bank_code)
        with self._locked(f.id):
            return f.view(as_of or now())

    def _claim(self, actor: Actor, at: datetime, series: str, number: str, fine: Fine) -> ReceiptClaim:
        if self._exists(ReceiptClaim.id_for(series, number)):
            raise AlreadyExistsError(
                f"receipt number {number} is already used",
            )
        return ReceiptClaim.claim(by=actor.id, at=at, series=series, number=number, fine_id=str(fine.id))

    def _settle_if_paid(self, actor: Actor, f: Fine, at: datetime) -> list[Base]:
        if f.outstanding_fen > 0:
            return []
        case = self._get(Case, f.case_id, "case")
        case.settle_fine(by=actor.id, at=at, fine_id=str(f.id))
        return [case]

    def record_payment(
        self,
        actor: Actor,
        fine_id: str,
        *,
        receipt_no: str,
        amount: str,
        paid_at: datetime,
        expected_version: int | None = None,
    ) -> Result:
        amount_fen = yuan_to_fen(amount)

        def pay(f: Fine) -> list[Base]:
            claim = self._claim(actor, paid_at, f"bank:{f.bank_code}", receipt_no, f)
            f.receive_payment(
                by=actor.id,
                paid_at=paid_at,
                bank_code=actor.bank_code or "",
                receipt_no=receipt_no,
                amount_fen=amount_fen,
            )
            return [claim, *self._settle_if_paid(actor, f, paid_at)]

        return self._fine_cmd(
            actor, fine_id, lambda f: access.require_fine_bank(actor, f.bank_code), pay, expected_version
        )

    def collect_on_the_spot(
        self,
        actor: Actor,
        fine_id: str,
        *,
        receipt_no: str,
        amount: str,
        collected_at: datetime,
        officers: list[str],
        remote_area: bool,
        reason: str | None,
        hard_to_collect: bool = False,
        expected_version: int | None = None,
    ) -> Result:
        amount_fen = yuan_to_fen(amount)
        holder: dict[str, Case] = {}

        def check(f: Fine) -> None:
            access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS)

        def collect(f: Fine) -> list[Base]:
            case = self._get(Case, f.case_id, "case")
            holder["case"] = case
            case.check_officers(self._acting(officers, collected_at), collected_at)
            claim = self._claim(actor, collected_at, "finance", receipt_no, f)
            f.collect_on_the_spot(
                by=actor.id,
                collected_at=collected_at,
                receipt_no=receipt_no,
                amount_fen=amount_fen,
                officers=officers,
                remote_area=remote_area,
                reason=reason,
                procedure=case.procedure,
                hard_to_collect=hard_to_collect,
            )
            return [claim, *self._settle_if_paid(actor, f, collected_at)]

        return self._fine_cmd(actor, fine_id, check, collect, expected_version)

    def hand_over_cash(
        self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f: f.hand_over_cash(by=actor.id, at=at),
            expected_version,
        )

    def deposit_cash(self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_fine_bank(actor, f.bank_code),
            lambda f: f.deposit_cash(by=actor.id, at=at, bank_code=f.bank_code),
            expected_version,
        )

    def approve_deferral(
        self,
        actor: Actor,
        fine_id: str,
        *,
        applied_at: datetime | None,
        approved_at: datetime,
        kind: str,
        until: date,
        expected_version: int | None = None,
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, "unit_head"),
            lambda f: f.approve_deferral(
                by=actor.id, applied_at=applied_at, approved_at=approved_at, kind=kind, until=until
            ),
            expected_version,
        )

    def serve_demand(
        self, actor: Actor, fine_id: str, *, served_at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f: f.serve_demand(by=actor.id, served_at=served_at),
            expected_version,
        )

    def remit_to_treasury(
        self,
        actor: Actor,
        fine_id: str,
        *,
        remitted_at: datetime,
        voucher_no: str,
        amount: str,
        expected_version: int | None = None,
    ) -> Result:
        """The designated bank paid the fine's money into the treasury (D9)."""
        amount_fen = yuan_to_fen(amount)
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_fine_bank(actor, f.bank_code),
            lambda f: f.remit_to_treasury(
                by=actor.id,
                at=remitted_at,
                bank_code=actor.bank_code or "",
                voucher_no=voucher_no,
                amount_fen=amount_fen,
            ),
            expected_version,
        )

    def apply_to_court(
        self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f: f.apply_to_court(by=actor.id, at=at),
            expected_version,
        )

    # ---------------------------------------------------------------- random inspections (I1)
    def draw_inspection(
        self,
        actor: Actor,
        *,
        unit_id: str,
        task: str,
        matter_code: str,
        targets_register: list[str],
        inspectors_register: list[str],
        targets: int,
        inspectors_per_target: int = 2,
        seed: str | None = None,
        drawn_at: datetime,
    ) -> Result:
        """Draw targets and inspectors at random from the registers (双随机), reproducibly."""
        self._get(Unit, unit_id, "unit")
        access.require_unit_role(actor, unit_id, *access.CASE_WRITERS)
        for oid in set(inspectors_register):
            o = self._get(Officer, oid, "officer")
            if o.unit_id != unit_id:
                raise InvalidInputError("inspectors_register", f"officer {oid} is not of this unit")
        iid = Inspection.id_for(unit_id, task)
        if self._exists(iid):
            raise AlreadyExistsError(f"inspection task {task!r} already drawn")
        i = Inspection.make_draw(
            by=actor.id,
            at=drawn_at,
            unit_id=unit_id,
            task=task,
            matter_code=matter_code,
            targets_register=targets_register,
            inspectors_register=inspectors_register,
            targets=targets,
            inspectors_per_target=inspectors_per_target,
            seed=seed,
        )
        return self._save(i, extra={"seed": i.seed, "assignments": i.assignments}, created=True)

    def _inspection_cmd(self, actor: Actor, inspection_id: str, fn: Callable[[Inspection], None]) -> Result:
        if not _is_uuid(inspection_id):
            raise NotFoundError(f"inspection {inspection_id} not found")
        iid = UUID(inspection_id)

        def run() -> Result:
            with self._locked(iid):
                i = self._get(Inspection, iid, "inspection")
                access.require_unit_role(actor, i.unit_id, *access.CASE_WRITERS)
                fn(i)
                return self._save(i)

        return self._retrying(run)

    def record_inspection_result(
        self,
        actor: Actor,
        inspection_id: str,
        *,
        target: str,
        inspected_at: datetime,
        officers: list[str],
        outcome: str,
        case_id: str | None = None,
    ) -> Result:
        return self._inspection_cmd(
            actor,
            inspection_id,
            lambda i: i.record_result(
                by=actor.id, at=inspected_at, target=target, officers=officers, outcome=outcome, case_id=case_id
            ),
        )

    def publish_inspection_results(
        self, actor: Actor, inspection_id: str, *, published_at: datetime, channel: str
    ) -> Result:
        return self._inspection_cmd(
            actor, inspection_id, lambda i: i.publish(by=actor.id, at=published_at, channel=channel)
        )

    def get_inspection(self, actor: Actor, inspection_id: str) -> Result:
        i = self._fresh(Inspection, inspection_id, "inspection")
        access.require_case_reader(actor, i.unit_id)
        with self._locked(i.id):
            return i.view()


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


def _penalties_fen(penalties: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    out = []
    for i, p in enumerate(penalties):
        q = {"type": p.get("type")}
        if p.get("amount") is not None:
            q["amount_fen"] = yuan_to_fen(p["amount"], f"{field}[{i}].amount")
        out.append(q)
    return out


__all__ = ["Oversight", "StateError", "now", "event_view"]
