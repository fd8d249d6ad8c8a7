"""Officer: kind, employment, exams, certificates and their history, training.

The certificate's state at any instant is a pure function of this history (RULES.md A2),
so an act is judged as of its own ``occurred_at``, never as of now.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .base import Base
from .certificates import CertState, certificate_state
from .errors import InvalidInputError, StateError
from .facts import iso

KINDS = ("officer", "auxiliary", "legal_reviewer", "unit_head")
EMPLOYMENT = ("established", "contract", "temporary", "secondee")


class Officer(Base):
    SUBJECT = "officer"

    class Registered(Base.Created):
        class_version = 1
        name: str
        unit_id: str
        kind: str
        employment: str
        legal_qualification: bool
        reviewer_since: date | None

    class ExamTaken(Base.Event):
        class_version = 1
        taken_on: date
        passed: bool
        score: int | None

    class CertificateIssued(Base.Event):
        class_version = 1
        number: str
        fields: list[str]
        areas: list[str]
        valid_from: date
        valid_until: date

    class CertificateValidated(Base.Event):
        class_version = 1
        year: int
        passed: bool
        on: date

    class CertificateSuspended(Base.Event):
        class_version = 1
        reason: str

    class CertificateReinstated(Base.Event):
        class_version = 1
        reason: str

    class QualificationRevoked(Base.Event):
        class_version = 1
        reason: str

    class TrainingRecorded(Base.Event):
        class_version = 1
        on: date
        hours: int
        topic: str

    # ------------------------------------------------------------ state
    @property
    def unit_id(self) -> str:
        return str(self.f["unit_id"])

    @property
    def kind(self) -> str:
        return str(self.f["kind"])

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

    def validate_certificate(self, *, by: str, at: datetime, year: int, passed: bool, on: date) -> None:
        if not self.f["certs"]:
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
        return certificate_state(self.f, iso(t))

    def view(self, as_of: datetime) -> dict[str, Any]:
        f = self.f
        return {
            "id": str(self.id),
            "name": f["name"],
            "unit_id": f["unit_id"],
            "kind": f["kind"],
            "employment": f["employment"],
            "legal_qualification": f["legal_qualification"],
            "certificate": self.certificate_at(as_of).view(),
            "version": self.version,
            "as_of": iso(as_of),
        }
