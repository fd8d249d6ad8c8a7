"""Principal: an API identity with a role and scope. Grants and revocations are events, so
"who could do what, when" is auditable. Tokens are never stored, only their SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from .base import Base, derive_id
from .errors import InvalidInputError, StateError

ROLES = ("admin", "officer", "unit_head", "legal_reviewer", "bank", "supervisor", "auditor")
UNIT_ROLES = ("officer", "unit_head", "legal_reviewer")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Actor:
    """What the application needs to know about whoever sends a command."""

    id: str
    role: str
    unit_id: str | None = None
    officer_id: str | None = None
    bank_code: str | None = None


SYSTEM = Actor(id="system", role="admin")


class Principal(Base):
    SUBJECT = "principal"  # no rule judges identities: its events keep their own state

    class Granted(Base.Created):
        class_version = 1
        name: str
        role: str
        unit_id: str | None
        officer_id: str | None
        bank_code: str | None
        token_sha256: str

        def apply(self, p: Principal) -> None:
            p.name, p.role, p.unit_id = self.name, self.role, self.unit_id
            p.officer_id, p.bank_code = self.officer_id, self.bank_code
            p.token_sha256 = self.token_sha256
            p.revoked_at = None

    class Revoked(Base.Event):
        class_version = 1

        def apply(self, p: Principal) -> None:
            p.revoked_at = self.occurred_at

    if TYPE_CHECKING:
        name: str
        role: str
        unit_id: str | None
        officer_id: str | None
        bank_code: str | None
    token_sha256: str
    if TYPE_CHECKING:
        revoked_at: datetime | None

    @staticmethod
    def id_for_token(token: str) -> UUID:
        """The principal's id derives from its token's hash, so a token is looked up
        without an index and without storing the token itself."""
        return derive_id("principal", token_hash(token))

    @classmethod
    def grant(
        cls,
        *,
        by: str,
        at: datetime,
        token: str,
        name: str,
        role: str,
        unit_id: str | None = None,
        officer_id: str | None = None,
        bank_code: str | None = None,
    ) -> Principal:
        if role not in ROLES:
            raise InvalidInputError("role", f"one of {', '.join(ROLES)}")
        if role in UNIT_ROLES and not (unit_id and officer_id):
            raise InvalidInputError("unit_id", f"role {role} needs unit_id and officer_id")
        if role == "bank" and not bank_code:
            raise InvalidInputError("bank_code", "role bank needs bank_code")
        return cls._create(
            cls.Granted,
            id=cls.id_for_token(token),
            recorded_by=by,
            occurred_at=at,
            name=name,
            role=role,
            unit_id=unit_id if role in UNIT_ROLES else None,
            officer_id=officer_id if role in UNIT_ROLES else None,
            bank_code=bank_code if role == "bank" else None,
            token_sha256=token_hash(token),
        )

    def revoke(self, *, by: str, at: datetime) -> None:
        if self.revoked_at is not None:
            raise StateError("principal already revoked")
        self._trigger(self.Revoked, by, at)

    def actor(self) -> Actor:
        return Actor(
            id=str(self.id), role=self.role, unit_id=self.unit_id, officer_id=self.officer_id, bank_code=self.bank_code
        )
