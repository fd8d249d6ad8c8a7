"""Fine: one per fined decision (罚缴分离: the deciding unit never collects it).

Receipt numbers are claimed by tiny ``ReceiptClaim`` aggregates whose ids derive from the
number, saved atomically with the payment: a number used twice collides in the store. The
money (principal, surcharge, what is owed) is :func:`domain.ledger.ledger` of the facts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from .base import Base, derive_id
from .calendar import china_date, deadline
from .errors import InvalidInputError, StateError
from .facts import iso
from .ledger import Ledger, ledger
from .money import fen_to_yuan
from .rulebook import NO_CONTEXT, Context
from .rules import LAW


class ReceiptClaim(Base):
    """A receipt number, used once (D5, and bank receipts)."""

    SUBJECT = "receipt"

    class Claimed(Base.Created):
        class_version = 1
        series: str
        number: str
        fine_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate.f = {"series": self.series, "number": self.number, "fine_id": self.fine_id}

    @staticmethod
    def id_for(series: str, number: str) -> UUID:
        return derive_id("receipt", series, number)

    @classmethod
    def claim(cls, *, by: str, at: datetime, series: str, number: str, fine_id: str) -> ReceiptClaim:
        claim: ReceiptClaim = cls._create(
            cls.Claimed,
            id=cls.id_for(series, number),
            recorded_by=by,
            occurred_at=at,
            series=series,
            number=number,
            fine_id=fine_id,
        )
        return claim


class Fine(Base):
    SUBJECT = "fine"

    class Imposed(Base.Created):
        class_version = 1
        case_id: str
        unit_id: str
        decision_no: str
        amount_fen: int
        bank_code: str
        surcharge: bool

    class DueDateSet(Base.Event):
        """The decision took effect on the party (``served_on``: the effective date of service,
        C13) and the fine is due 15 days later (D2)."""

        class_version = 1
        served_on: date
        due_on: date

    class PaymentReceived(Base.Event):
        """The designated bank received money: the principal first, then the surcharge accrued
        by that day (235号 9)."""

        class_version = 1
        bank_code: str
        receipt_no: str
        amount_fen: int

    class CollectedOnTheSpot(Base.Event):
        class_version = 2
        receipt_no: str
        amount_fen: int
        officers: list[str]
        remote_area: bool
        reason: str | None
        hard_to_collect: bool | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 records whether later collection would be hard (D3, 处罚法 68(2))."""
            state["hard_to_collect"] = None

    class CashHandedOver(Base.Event):
        class_version = 1

    class CashDeposited(Base.Event):
        class_version = 1
        bank_code: str

    class DeferralApproved(Base.Event):
        class_version = 1
        kind: str
        applied_at: datetime | None
        until: date

    class DemandServed(Base.Event):
        class_version = 1

    class CourtEnforcementApplied(Base.Event):
        class_version = 1

    class RemedyPending(Base.Event):
        """A reconsideration or suit against the decision began: the surcharge stops (处罚法 73 ¶3)."""

        class_version = 1
        kind: str

    class RemedyEnded(Base.Event):
        class_version = 1
        kind: str
        result: str

    class RemittedToTreasury(Base.Event):
        """The bank paid what it received into the treasury (处罚法 67 ¶3, 74; 235号 11): D9."""

        class_version = 1
        bank_code: str
        voucher_no: str
        amount_fen: int

    class Amended(Base.Event):
        """The decision was changed: the fine owed is now ``amount_fen`` (what was paid above it is
        to be refunded)."""

        class_version = 1
        amount_fen: int
        reason: str

    class Voided(Base.Event):
        """The decision was revoked (or found void): the fine is no longer owed."""

        class_version = 1
        reason: str

    # ---------------------------------------------------------------- state
    @property
    def case_id(self) -> str:
        return str(self.f["case_id"])

    @property
    def unit_id(self) -> str:
        return str(self.f["unit_id"])

    @property
    def bank_code(self) -> str:
        return str(self.f["bank"])

    @property
    def void(self) -> bool:
        return self.f["void"] is not None

    def ledger(self, on: date) -> Ledger:
        return ledger(self.f, on)

    @property
    def outstanding_fen(self) -> int:
        return ledger(self.f, date.max).outstanding_fen

    @staticmethod
    def id_for(unit_id: str, decision_no: str) -> UUID:
        return derive_id("fine", unit_id, decision_no)

    @classmethod
    def impose(
        cls,
        *,
        by: str,
        at: datetime,
        case_id: str,
        unit_id: str,
        decision_no: str,
        amount_fen: int,
        bank_code: str,
        surcharge: bool,
    ) -> Fine:
        fine: Fine = cls._create_checked(
            cls.Imposed,
            id=cls.id_for(unit_id, decision_no),
            recorded_by=by,
            occurred_at=at,
            case_id=case_id,
            unit_id=unit_id,
            decision_no=decision_no,
            amount_fen=amount_fen,
            bank_code=bank_code,
            surcharge=surcharge,
        )
        return fine

    # ---------------------------------------------------------------- commands
    def set_due_date(self, *, by: str, served_at: datetime, effective_on: date | None) -> None:
        """Service of the decision: the fine is due ``payment`` days after the service took
        effect (C13). A service that is not effective sets no due date."""
        if effective_on is None:
            return
        due = deadline(effective_on, LAW.payment)
        self._trigger(self.DueDateSet, by, served_at, served_on=effective_on, due_on=due.last_day)

    def void_(self, *, by: str, at: datetime, reason: str) -> None:
        if self.f["void"] is None:
            self._trigger(self.Voided, by, at, reason=reason)

    def amend(self, *, by: str, at: datetime, amount_fen: int, reason: str) -> None:
        if self.f["void"] is not None:
            raise StateError("the fine is void")
        if amount_fen <= 0:
            raise InvalidInputError("penalties", "a changed fine states its new amount")
        self._trigger(self.Amended, by, at, amount_fen=amount_fen, reason=reason)

    def _receivable(self, amount_fen: int, on: datetime) -> None:
        """What the bank may collect on a day: the principal outstanding and the surcharge
        accrued by then (D8, 235号 9)."""
        if self.f["void"] is not None:
            raise StateError("the decision was revoked: this fine is void and nothing more is collected")
        if amount_fen <= 0:
            raise InvalidInputError("amount", "must be positive")
        led = ledger(self.f, china_date(on))
        owed = led.outstanding_fen + led.surcharge_due_fen
        if amount_fen > owed:
            what = f"the outstanding {fen_to_yuan(led.outstanding_fen)}"
            if led.surcharge_due_fen:
                what += f" and the surcharge accrued {fen_to_yuan(led.surcharge_due_fen)}"
            raise StateError(f"amount {fen_to_yuan(amount_fen)} exceeds {what}")

    def receive_payment(
        self, ctx: Context = NO_CONTEXT, *, by: str, paid_at: datetime, bank_code: str, receipt_no: str, amount_fen: int
    ) -> None:
        if not receipt_no.strip():
            raise InvalidInputError("receipt_no", "a bank payment carries its receipt number (D10)")
        self._receivable(amount_fen, paid_at)
        self._trigger(
            self.PaymentReceived, by, paid_at, ctx, bank_code=bank_code, receipt_no=receipt_no, amount_fen=amount_fen
        )

    def collect_on_the_spot(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        collected_at: datetime,
        receipt_no: str,
        amount_fen: int,
        officers: list[str],
        remote_area: bool,
        reason: str | None,
        hard_to_collect: bool,
    ) -> None:
        self._receivable(amount_fen, collected_at)
        self._trigger(
            self.CollectedOnTheSpot,
            by,
            collected_at,
            ctx,
            receipt_no=receipt_no,
            amount_fen=amount_fen,
            officers=officers,
            remote_area=remote_area,
            reason=reason,
            hard_to_collect=hard_to_collect,
        )

    def hand_over_cash(self, *, by: str, at: datetime) -> None:
        if not any(c["handed"] is None for c in self.f["cash"]):
            raise StateError("no on-the-spot cash waiting to be handed over")
        self._trigger(self.CashHandedOver, by, at)

    def deposit_cash(self, *, by: str, at: datetime, bank_code: str) -> None:
        if not any(c["handed"] is not None and c["deposited"] is None for c in self.f["cash"]):
            raise StateError("no handed-over cash waiting to be deposited")
        self._trigger(self.CashDeposited, by, at, bank_code=bank_code)

    def approve_deferral(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        applied_at: datetime | None,
        approved_at: datetime,
        kind: str,
        until: date,
    ) -> None:
        if kind not in ("deferral", "instalments"):
            raise InvalidInputError("kind", "deferral or instalments")
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding")
        self._trigger(self.DeferralApproved, by, approved_at, ctx, kind=kind, applied_at=applied_at, until=until)

    def serve_demand(self, *, by: str, served_at: datetime) -> None:
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding to demand")
        self._trigger(self.DemandServed, by, served_at)

    def apply_to_court(self, ctx: Context = NO_CONTEXT, *, by: str, at: datetime) -> None:
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding to enforce")
        self._trigger(self.CourtEnforcementApplied, by, at, ctx)

    def remedy_began(self, *, by: str, at: datetime, kind: str) -> None:
        self._trigger(self.RemedyPending, by, at, kind=kind)

    def remedy_ended(self, *, by: str, at: datetime, kind: str, result: str) -> None:
        self._trigger(self.RemedyEnded, by, at, kind=kind, result=result)

    @property
    def received_at_bank_fen(self) -> int:
        """What the bank holds for the treasury: its payments and the cash deposited with it."""
        paid = sum(int(p["amount_fen"]) for p in self.f["payments"])
        return paid + sum(int(c["amount_fen"]) for c in self.f["cash"] if c["deposited"] is not None)

    def remit_to_treasury(
        self, ctx: Context = NO_CONTEXT, *, by: str, at: datetime, bank_code: str, voucher_no: str, amount_fen: int
    ) -> None:
        if not voucher_no.strip():
            raise InvalidInputError("voucher_no", "the treasury payment voucher (缴款书) number")
        if amount_fen <= 0:
            raise InvalidInputError("amount", "must be positive")
        remitted = sum(int(r["amount_fen"]) for r in self.f["remittances"])
        unremitted = self.received_at_bank_fen - remitted
        if amount_fen > unremitted:
            raise StateError(
                f"amount {fen_to_yuan(amount_fen)} exceeds what the bank received and has not yet remitted "
                f"({fen_to_yuan(unremitted)})"
            )
        self._trigger(
            self.RemittedToTreasury, by, at, ctx, bank_code=bank_code, voucher_no=voucher_no, amount_fen=amount_fen
        )

    # ---------------------------------------------------------------- view
    def status(self) -> str:
        f = self.f
        if f["void"] is not None:
            return "void"
        if self.outstanding_fen <= 0:
            return "paid"
        if f["court"] is not None:
            return "court_enforcement"
        if f["demand"] is not None:
            return "demanded"
        if f["deferral"] is not None:
            return str(f["deferral"]["kind"])
        return "partially_paid" if f["payments"] or f["cash"] else "outstanding"

    def view(self, as_of: datetime) -> dict[str, Any]:
        f = self.f
        led = ledger(f, china_date(as_of))
        return {
            "id": str(self.id),
            "case_id": f["case_id"],
            "unit_id": f["unit_id"],
            "decision_no": f["decision_no"],
            "amount": fen_to_yuan(led.amount_fen),
            "paid": fen_to_yuan(led.principal_paid_fen + led.surcharge_paid_fen),
            "principal_paid": fen_to_yuan(led.principal_paid_fen),
            "outstanding": fen_to_yuan(led.outstanding_fen),
            "void": led.void,
            "served_on": f["due"]["served_on"] if f["due"] else None,
            "due_on": f["due"]["due_on"] if f["due"] else None,
            "surcharge": fen_to_yuan(led.surcharge_accrued_fen),
            "surcharge_paid": fen_to_yuan(led.surcharge_paid_fen),
            "surcharge_due": fen_to_yuan(led.surcharge_due_fen),
            "refund_due": fen_to_yuan(led.refund_fen),
            "surcharge_applies": f["surcharge"],
            "bank_code": f["bank"],
            "status": self.status(),
            "version": self.version,
            "as_of": iso(as_of),
        }
