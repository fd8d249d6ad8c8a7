"""Officer: kind, employment, exams, certificates and their history, training.

The certificate's state at any instant is a pure function of this history (RULES.md A2),
so an act is judged as of its own ``occurred_at``, never as of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .base import Base
from .calendar import add_months, china_date
from .errors import InvalidInputError, RuleViolation, StateError
from .rules import LAW

KINDS = ("officer", "auxiliary", "legal_reviewer", "unit_head")
EMPLOYMENT = ("established", "contract", "temporary", "secondee")


@dataclass(frozen=True)
class CertState:
    status: str  # valid | none | expired | suspended | revoked | unvalidated
    number: str | None = None
    fields: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    last_validation: date | None = None

    def covers(self, matter_code: str, region: str) -> bool:
        """A field covers a matter when it is ``*`` or a prefix of the matter code; an area
        covers a region when it is ``*`` or a prefix of the region code."""
        f_ok = any(f == "*" or matter_code.startswith(f) for f in self.fields)
        a_ok = any(a == "*" or region.startswith(a) for a in self.areas)
        return f_ok and a_ok

    def view(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "number": self.number,
            "fields": list(self.fields),
            "areas": list(self.areas),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "last_validation": self.last_validation.isoformat() if self.last_validation else None,
        }


class Officer(Base):
    class Registered(Base.Created):
        class_version = 1
        name: str
        unit_id: str
        kind: str
        employment: str
        legal_qualification: bool
        reviewer_since: date | None

        def apply(self, o: Officer) -> None:
            o.name, o.unit_id, o.kind = self.name, self.unit_id, self.kind
            o.employment, o.legal_qualification = self.employment, self.legal_qualification
            o.reviewer_since = self.reviewer_since
            o.exams, o.certs, o.validations, o.status_changes, o.trainings = [], [], [], [], []

    class ExamTaken(Base.Event):
        class_version = 1
        taken_on: date
        passed: bool
        score: int | None

        def apply(self, o: Officer) -> None:
            o.exams.append({"taken_on": self.taken_on, "passed": self.passed})

    class CertificateIssued(Base.Event):
        class_version = 1
        number: str
        fields: list[str]
        areas: list[str]
        valid_from: date
        valid_until: date

        def apply(self, o: Officer) -> None:
            o.certs.append(
                {
                    "number": self.number,
                    "fields": list(self.fields),
                    "areas": list(self.areas),
                    "valid_from": self.valid_from,
                    "valid_until": self.valid_until,
                }
            )

    class CertificateValidated(Base.Event):
        class_version = 1
        year: int
        passed: bool
        on: date

        def apply(self, o: Officer) -> None:
            o.validations.append({"year": self.year, "passed": self.passed, "on": self.on})

    class CertificateSuspended(Base.Event):
        class_version = 1
        reason: str

        def apply(self, o: Officer) -> None:
            o.status_changes.append({"kind": "suspended", "at": self.occurred_at})

    class CertificateReinstated(Base.Event):
        class_version = 1
        reason: str

        def apply(self, o: Officer) -> None:
            o.status_changes.append({"kind": "reinstated", "at": self.occurred_at})

    class QualificationRevoked(Base.Event):
        class_version = 1
        reason: str

        def apply(self, o: Officer) -> None:
            o.status_changes.append({"kind": "revoked", "at": self.occurred_at})

    class TrainingRecorded(Base.Event):
        class_version = 1
        on: date
        hours: int
        topic: str

        def apply(self, o: Officer) -> None:
            o.trainings.append({"on": self.on, "hours": self.hours, "topic": self.topic})

    if TYPE_CHECKING:
        name: str
        unit_id: str
        kind: str
        employment: str
        legal_qualification: bool
        reviewer_since: date | None
        exams: list[dict[str, Any]]
        certs: list[dict[str, Any]]
        validations: list[dict[str, Any]]
        status_changes: list[dict[str, Any]]
        trainings: list[dict[str, Any]]

    # ------------------------------------------------------------ commands
    @classmethod
    def register(
        cls,
        *,
        by: str,
        at: datetime,
        name: str,
        unit_id: str,
        kind: str,
        employment: str,
        legal_qualification: bool,
        reviewer_since: date | None = None,
    ) -> Officer:
        if kind not in KINDS:
            raise InvalidInputError("kind", f"one of {', '.join(KINDS)}")
        if employment not in EMPLOYMENT:
            raise InvalidInputError("employment", f"one of {', '.join(EMPLOYMENT)}")
        return cls._create(
            cls.Registered,
            recorded_by=by,
            occurred_at=at,
            name=name,
            unit_id=unit_id,
            kind=kind,
            employment=employment,
            legal_qualification=legal_qualification,
            reviewer_since=reviewer_since,
        )

    def take_exam(self, *, by: str, at: datetime, taken_on: date, passed: bool, score: int | None) -> None:
        self._trigger(self.ExamTaken, by, at, taken_on=taken_on, passed=passed, score=score)

    def issue_certificate(
        self,
        *,
        by: str,
        at: datetime,
        number: str,
        fields: list[str],
        areas: list[str],
        valid_from: date,
        valid_until: date,
    ) -> None:
        self.check_may_hold_certificate(valid_from)
        if valid_until <= valid_from:
            raise InvalidInputError("valid_until", "must be after valid_from")
        if not fields:
            raise InvalidInputError("fields", "at least one enforcement field")
        if not areas:
            raise InvalidInputError("areas", "at least one area")
        self._trigger(
            self.CertificateIssued,
            by,
            at,
            number=number,
            fields=fields,
            areas=areas,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    def check_may_hold_certificate(self, on: date) -> None:
        """A4: established staff (在编) with an earlier passed qualification exam, never
        auxiliaries, contract or temporary staff."""
        if self.kind == "auxiliary":
            raise RuleViolation("A4", "auxiliary staff are never issued an enforcement certificate")
        if self.employment != "established":
            raise RuleViolation("A4", f"certificates go to established staff only, not {self.employment} staff")
        if not any(e["passed"] and e["taken_on"] <= on for e in self.exams):
            raise RuleViolation("A4", "no passed qualification exam (执法资格考试) before issue")

    def validate_certificate(self, *, by: str, at: datetime, year: int, passed: bool, on: date) -> None:
        if not self.certs:
            raise StateError("no certificate to validate")
        self._trigger(self.CertificateValidated, by, at, year=year, passed=passed, on=on)

    def suspend(self, *, by: str, at: datetime, reason: str) -> None:
        if self.certificate_at(at).status in ("none", "revoked"):
            raise StateError("no certificate in force to suspend")
        self._trigger(self.CertificateSuspended, by, at, reason=reason)

    def reinstate(self, *, by: str, at: datetime, reason: str) -> None:
        if self.certificate_at(at).status != "suspended":
            raise StateError("the certificate is not suspended at that time")
        self._trigger(self.CertificateReinstated, by, at, reason=reason)

    def revoke(self, *, by: str, at: datetime, reason: str) -> None:
        if self.certificate_at(at).status == "revoked":
            raise StateError("already revoked")
        self._trigger(self.QualificationRevoked, by, at, reason=reason)

    def record_training(self, *, by: str, at: datetime, on: date, hours: int, topic: str) -> None:
        if hours <= 0:
            raise InvalidInputError("hours", "must be positive")
        self._trigger(self.TrainingRecorded, by, at, on=on, hours=hours, topic=topic)

    # ------------------------------------------------------------ queries
    def certificate_at(self, t: datetime) -> CertState:
        """The certificate's state at instant ``t``: a pure function of the history."""
        return certificate_state(self.certs, self.validations, self.status_changes, t)

    def view(self, as_of: datetime) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "unit_id": self.unit_id,
            "kind": self.kind,
            "employment": self.employment,
            "legal_qualification": self.legal_qualification,
            "certificate": self.certificate_at(as_of).view(),
            "version": self.version,
            "as_of": as_of.isoformat(),
        }


def certificate_state(
    certs: list[dict[str, Any]], validations: list[dict[str, Any]], status_changes: list[dict[str, Any]], t: datetime
) -> CertState:
    """The certificate's state at instant ``t`` from an officer's history (A2, A6, A7).

    Used by the Officer aggregate (gates) and by the read side (audits of imported
    histories), so both judge a certificate the same way.
    """
    d = china_date(t)
    current = None
    for c in certs:
        if c["valid_from"] <= d and (current is None or c["valid_from"] >= current["valid_from"]):
            current = c
    if current is None:
        return CertState("none")
    passed = [v["on"] for v in validations if v["passed"] and v["on"] <= d]
    last_validation = max(passed) if passed else None
    base: dict[str, Any] = dict(
        number=current["number"],
        fields=tuple(current["fields"]),
        areas=tuple(current["areas"]),
        valid_from=current["valid_from"],
        valid_until=current["valid_until"],
        last_validation=last_validation,
    )
    suspended = False
    for ch in sorted(status_changes, key=lambda c: c["at"]):
        if ch["at"] > t:
            break
        if ch["kind"] == "revoked":
            return CertState("revoked", **base)
        suspended = ch["kind"] == "suspended"
    if suspended:
        return CertState("suspended", **base)
    if d > current["valid_until"]:
        return CertState("expired", **base)
    anchor = max(current["valid_from"], last_validation or current["valid_from"])
    failed_after = any((not v["passed"]) and anchor <= v["on"] <= d for v in validations)
    overdue = d > add_months(anchor, LAW.validation_months) + timedelta(days=LAW.validation_grace_days)
    if failed_after or overdue:
        return CertState("unvalidated", **base)
    return CertState("valid", **base)
