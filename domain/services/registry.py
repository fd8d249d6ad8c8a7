"""Identities and registries: principals, units, officers, benchmarks (admin)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from typing import Any
from uuid import UUID

from .. import access
from ..benchmark import Benchmark
from ..errors import AlreadyExistsError, AuthenticationError, InvalidInputError, NotFoundError
from ..money import yuan_to_fen
from ..officer import Officer
from ..principal import SYSTEM, Actor, Principal
from ..unit import Unit
from .base import Result, Service, _is_uuid, now


class RegistryCommands(Service):
    # ------------------------------------------------------------ principals
    def authenticate(self, token: str) -> Actor:
        if not token:
            raise AuthenticationError("missing bearer token")
        pid = Principal.id_for_token(token)
        # One read of the log's tail brings the whole cache up to now: the principal, and the
        # officers and unit the request's command reads next (``caught_up``).
        self._catch_up()
        try:
            p = self._get(Principal, pid, "principal")
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
