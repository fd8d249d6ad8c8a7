"""Unit (执法主体): region, listed powers (权责清单), designated banks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id


class Unit(Base):
    class Registered(Base.Created):
        class_version = 1
        code: str
        name: str
        region: str

        def apply(self, u: Unit) -> None:
            u.code, u.name, u.region = self.code, self.name, self.region
            u.matters = []
            u.banks = []

    class PowersListed(Base.Event):
        class_version = 1
        matters: list[str]

        def apply(self, u: Unit) -> None:
            u.matters = list(self.matters)

    class BankDesignated(Base.Event):
        class_version = 1
        bank_code: str

        def apply(self, u: Unit) -> None:
            if self.bank_code not in u.banks:
                u.banks.append(self.bank_code)

    if TYPE_CHECKING:
        code: str
        name: str
        region: str
        matters: list[str]
        banks: list[str]

    @staticmethod
    def id_for(code: str) -> UUID:
        return derive_id("unit", code)

    @classmethod
    def register(
        cls,
        *,
        by: str,
        at: datetime,
        code: str,
        name: str,
        region: str,
        matters: list[str],
        banks: list[str],
    ) -> Unit:
        unit = cls._create(
            cls.Registered,
            id=cls.id_for(code),
            recorded_by=by,
            occurred_at=at,
            code=code,
            name=name,
            region=region,
        )
        unit.list_powers(by=by, at=at, matters=matters)
        for bank in banks:
            unit.designate_bank(by=by, at=at, bank_code=bank)
        return unit

    def list_powers(self, *, by: str, at: datetime, matters: list[str]) -> None:
        self._trigger(self.PowersListed, by, at, matters=sorted(set(matters)))

    def designate_bank(self, *, by: str, at: datetime, bank_code: str) -> None:
        self._trigger(self.BankDesignated, by, at, bank_code=bank_code)

    def view(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "code": self.code,
            "name": self.name,
            "region": self.region,
            "matters": self.matters,
            "banks": self.banks,
            "version": self.version,
        }
