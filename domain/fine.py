"""Fine: one per fined decision (罚缴分离: the deciding unit never collects it).

Receipt numbers are claimed by tiny ``ReceiptClaim`` aggregates whose ids derive from the
number, saved atomically with the payment: a number used twice collides in the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id
from .calendar import calendar_deadline, china_date
from .errors import InvalidInputError, RuleViolation, StateError
from .money import fen_to_yuan
from .rules import LAW


class ReceiptClaim(Base):
    """A receipt number, used once (D5, and bank receipts)."""

    class Claimed(Base.Created):
        class_version = 1
        series: str
        number: str
        fine_id: str

    @staticmethod
    def id_for(series: str, number: str) -> UUID:
        return derive_id("receipt", series, number)

    @classmethod
    def claim(cls, *, by: str, at: datetime, series: str, number: str, fine_id: str) -> ReceiptClaim:
        return cls._create(
            cls.Claimed,
            id=cls.id_for(series, number),
            recorded_by=by,
            occurred_at=at,
            series=series,
            number=number,
            fine_id=fine_id,
        )


class Fine(Base):
    class Imposed(Base.Created):
        class_version = 1
        case_id: str
        unit_id: str
        decision_no: str
        amount_fen: int
        bank_code: str
        surcharge: bool

        def apply(self, f: Fine) -> None:
            f.case_id, f.unit_id, f.decision_no = self.case_id, self.unit_id, self.decision_no
            f.amount_fen, f.bank_code, f.surcharge = self.amount_fen, self.bank_code, self.surcharge
            f.decided_at = self.occurred_at
            f.due_on = None
            f.served_on = None
            f.paid_fen = 0
            f.payments = []
            f.cash = []
            f.deferral = None
            f.demand_at = None
            f.court_at = None
            f.remedies = []
            f.remitted_fen = 0
            f.voided_at = None

    class DueDateSet(Base.Event):
        class_version = 1
        served_on: date
        due_on: date

        def apply(self, f: Fine) -> None:
            f.served_on, f.due_on = self.served_on, self.due_on

    class PaymentReceived(Base.Event):
        class_version = 1
        bank_code: str
        receipt_no: str
        amount_fen: int

        def apply(self, f: Fine) -> None:
            f.paid_fen += self.amount_fen
            f.payments.append({"at": self.occurred_at, "amount_fen": self.amount_fen, "receipt_no": self.receipt_no})

    class CollectedOnTheSpot(Base.Event):
        class_version = 1
        receipt_no: str
        amount_fen: int
        officers: list[str]
        remote_area: bool
        reason: str | None

        def apply(self, f: Fine) -> None:
            f.paid_fen += self.amount_fen
            f.cash.append(
                {"at": self.occurred_at, "amount_fen": self.amount_fen, "handed_at": None, "deposited_at": None}
            )

    class CashHandedOver(Base.Event):
        class_version = 1

        def apply(self, f: Fine) -> None:
            for c in f.cash:
                if c["handed_at"] is None:
                    c["handed_at"] = self.occurred_at

    class CashDeposited(Base.Event):
        class_version = 1
        bank_code: str

        def apply(self, f: Fine) -> None:
            for c in f.cash:
                if c["handed_at"] is not None and c["deposited_at"] is None:
                    c["deposited_at"] = self.occurred_at

    class DeferralApproved(Base.Event):
        class_version = 1
        kind: str
        applied_at: datetime
        until: date

        def apply(self, f: Fine) -> None:
            f.deferral = {"kind": self.kind, "until": self.until}

    class DemandServed(Base.Event):
        class_version = 1

        def apply(self, f: Fine) -> None:
            f.demand_at = self.occurred_at

    class CourtEnforcementApplied(Base.Event):
        class_version = 1

        def apply(self, f: Fine) -> None:
            f.court_at = self.occurred_at

    class RemedyPending(Base.Event):
        """A reconsideration or suit against the decision began: the surcharge stops (处罚法 73 ¶3)."""

        class_version = 1
        kind: str

        def apply(self, f: Fine) -> None:
            f.remedies.append({"from": china_date(self.occurred_at), "until": None})

    class RemedyEnded(Base.Event):
        class_version = 1
        kind: str
        result: str

        def apply(self, f: Fine) -> None:
            for r in f.remedies:
                if r["until"] is None:
                    r["until"] = china_date(self.occurred_at)

    class RemittedToTreasury(Base.Event):
        """The bank paid what it received into the treasury (处罚法 67 ¶3, 74; 235号 11): D9."""

        class_version = 1
        bank_code: str
        voucher_no: str
        amount_fen: int

        def apply(self, f: Fine) -> None:
            f.remitted_fen += self.amount_fen

    class Voided(Base.Event):
        """The decision was revoked (changed, or found void): the fine is no longer owed."""

        class_version = 1
        reason: str

        def apply(self, f: Fine) -> None:
            f.voided_at = self.occurred_at

    if TYPE_CHECKING:
        voided_at: datetime | None
        remedies: list[dict[str, Any]]
        remitted_fen: int
        case_id: str
        unit_id: str
        decision_no: str
        amount_fen: int
        bank_code: str
        surcharge: bool
        decided_at: datetime
        due_on: date | None
        served_on: date | None
        paid_fen: int
        payments: list[dict[str, Any]]
        cash: list[dict[str, Any]]
        deferral: dict[str, Any] | None
        demand_at: datetime | None
        court_at: datetime | None

    @staticmethod
    def id_for(unit_id: str, decision_no: str) -> UUID:
        return derive_id("fine", unit_id, decision_no)

    @property
    def outstanding_fen(self) -> int:
        return 0 if self.voided_at is not None else self.amount_fen - self.paid_fen

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
        return cls._create(
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

    def set_due_date(self, *, by: str, served_at: datetime) -> None:
        served_on = china_date(served_at)
        due_on, _ = calendar_deadline(served_on, LAW.payment_days)
        self._trigger(self.DueDateSet, by, served_at, served_on=served_on, due_on=due_on)

    def void(self, *, by: str, at: datetime, reason: str) -> None:
        if self.voided_at is None:
            self._trigger(self.Voided, by, at, reason=reason)

    def _amount(self, amount_fen: int) -> None:
        if self.voided_at is not None:
            raise StateError("the decision was revoked: this fine is void and nothing more is collected")
        if amount_fen <= 0:
            raise InvalidInputError("amount", "must be positive")
        if amount_fen > self.outstanding_fen:
            raise StateError(
                f"amount {fen_to_yuan(amount_fen)} exceeds the outstanding {fen_to_yuan(self.outstanding_fen)}"
            )

    def receive_payment(self, *, by: str, paid_at: datetime, bank_code: str, receipt_no: str, amount_fen: int) -> None:
        if bank_code != self.bank_code:
            raise RuleViolation("D1", "only the designated bank records this fine's payments")
        if not receipt_no.strip():
            raise RuleViolation("D10", "a bank payment carries its receipt number")
        self._amount(amount_fen)
        self._trigger(
            self.PaymentReceived, by, paid_at, bank_code=bank_code, receipt_no=receipt_no, amount_fen=amount_fen
        )

    def collect_on_the_spot(
        self,
        *,
        by: str,
        collected_at: datetime,
        receipt_no: str,
        amount_fen: int,
        officers: list[str],
        remote_area: bool,
        reason: str | None,
        procedure: str,
        hard_to_collect: bool,
    ) -> None:
        if not receipt_no.strip():
            raise RuleViolation("D5", "on-the-spot collection issues a numbered finance receipt")
        self._amount(amount_fen)
        if remote_area:
            if not (reason or "").strip():
                raise RuleViolation(
                    "D4", "on-the-spot collection in a remote area is at the party's request; record the reason"
                )
        else:
            if procedure != "simplified":
                raise RuleViolation("D3", "on-the-spot collection only under the simplified procedure")
            if self.amount_fen > LAW.on_the_spot_max_fen and not (hard_to_collect and (reason or "").strip()):
                raise RuleViolation(
                    "D3",
                    f"on-the-spot collection is for fines up to "
                    f"{fen_to_yuan(LAW.on_the_spot_max_fen)} yuan, or where later collection "
                    "would be hard (state the reason)",
                )
        self._trigger(
            self.CollectedOnTheSpot,
            by,
            collected_at,
            receipt_no=receipt_no,
            amount_fen=amount_fen,
            officers=officers,
            remote_area=remote_area,
            reason=reason,
        )

    def hand_over_cash(self, *, by: str, at: datetime) -> None:
        if not any(c["handed_at"] is None for c in self.cash):
            raise StateError("no on-the-spot cash waiting to be handed over")
        self._trigger(self.CashHandedOver, by, at)

    def deposit_cash(self, *, by: str, at: datetime, bank_code: str) -> None:
        if not any(c["handed_at"] is not None and c["deposited_at"] is None for c in self.cash):
            raise StateError("no handed-over cash waiting to be deposited")
        self._trigger(self.CashDeposited, by, at, bank_code=bank_code)

    def approve_deferral(
        self, *, by: str, applied_at: datetime | None, approved_at: datetime, kind: str, until: date
    ) -> None:
        if kind not in ("deferral", "instalments"):
            raise InvalidInputError("kind", "deferral or instalments")
        if applied_at is None:
            raise RuleViolation("D7", "deferral or instalments only on the party's application")
        if approved_at < applied_at:
            raise RuleViolation("D7", "approval precedes the party's application")
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding")
        self._trigger(self.DeferralApproved, by, approved_at, kind=kind, applied_at=applied_at, until=until)

    def serve_demand(self, *, by: str, served_at: datetime) -> None:
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding to demand")
        self._trigger(self.DemandServed, by, served_at)

    def apply_to_court(self, *, by: str, at: datetime) -> None:
        if self.demand_at is None or self.demand_at > at:
            raise RuleViolation("E2", "a written demand (催告) is served before enforcement")
        if self.outstanding_fen <= 0:
            raise StateError("nothing outstanding to enforce")
        self._trigger(self.CourtEnforcementApplied, by, at)

    def remedy_began(self, *, by: str, at: datetime, kind: str) -> None:
        self._trigger(self.RemedyPending, by, at, kind=kind)

    def remedy_ended(self, *, by: str, at: datetime, kind: str, result: str) -> None:
        self._trigger(self.RemedyEnded, by, at, kind=kind, result=result)

    @property
    def received_at_bank_fen(self) -> int:
        """What the bank holds for the treasury: its payments and the cash deposited with it."""
        paid = sum(int(p["amount_fen"]) for p in self.payments)
        return paid + sum(int(c["amount_fen"]) for c in self.cash if c["deposited_at"] is not None)

    def remit_to_treasury(self, *, by: str, at: datetime, bank_code: str, voucher_no: str, amount_fen: int) -> None:
        if bank_code != self.bank_code:
            raise RuleViolation("D1", "only the designated bank handles this fine's money")
        if not voucher_no.strip():
            raise InvalidInputError("voucher_no", "the treasury payment voucher (缴款书) number")
        if amount_fen <= 0:
            raise InvalidInputError("amount", "must be positive")
        unremitted = self.received_at_bank_fen - self.remitted_fen
        if amount_fen > unremitted:
            raise StateError(
                f"amount {fen_to_yuan(amount_fen)} exceeds what the bank received and has not yet remitted "
                f"({fen_to_yuan(unremitted)})"
            )
        self._trigger(
            self.RemittedToTreasury, by, at, bank_code=bank_code, voucher_no=voucher_no, amount_fen=amount_fen
        )

    def surcharge_fen(self, as_of: datetime) -> int:
        return surcharge_fen(
            applies=self.surcharge,
            amount_fen=self.amount_fen,
            outstanding_fen=self.outstanding_fen,
            due_on=self.due_on,
            deferral_until=self.deferral["until"] if self.deferral else None,
            as_of=as_of,
            paused=[(r["from"], r["until"]) for r in self.remedies],
        )

    def status(self) -> str:
        if self.voided_at is not None:
            return "void"
        if self.outstanding_fen <= 0:
            return "paid"
        if self.court_at is not None:
            return "court_enforcement"
        if self.demand_at is not None:
            return "demanded"
        if self.deferral is not None:
            return str(self.deferral["kind"])
        return "partially_paid" if self.paid_fen else "outstanding"

    def view(self, as_of: datetime) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "case_id": self.case_id,
            "unit_id": self.unit_id,
            "decision_no": self.decision_no,
            "amount": fen_to_yuan(self.amount_fen),
            "paid": fen_to_yuan(self.paid_fen),
            "outstanding": fen_to_yuan(self.outstanding_fen),
            "void": self.voided_at is not None,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "surcharge": fen_to_yuan(self.surcharge_fen(as_of)),
            "surcharge_applies": self.surcharge,
            "bank_code": self.bank_code,
            "status": self.status(),
            "version": self.version,
        }


def surcharge_fen(
    *,
    applies: bool,
    amount_fen: int,
    outstanding_fen: int,
    due_on: date | None,
    deferral_until: date | None,
    as_of: datetime,
    paused: Sequence[tuple[date, date | None]] = (),
) -> int:
    """D8: 3% of the outstanding fine a day after the due date, capped at the fine, only if the
    decision said so; nothing accrues while an approved deferral runs, nor on the days a
    reconsideration or suit is pending (``paused``: first and last day, both counted as
    paused; an open one runs to ``as_of``; 处罚法 73 ¶3). Shared by the Fine aggregate and the
    fine ledger."""
    if not applies or due_on is None or outstanding_fen <= 0:
        return 0
    start = max(due_on, deferral_until) if deferral_until else due_on
    today = china_date(as_of)
    days = (today - start).days
    if days <= 0:
        return 0
    # Days counted run from start+1 to today; take away those inside a pause.
    paused_days: set[date] = set()
    for first, last in paused:
        lo = max(first, start + timedelta(days=1))
        hi = min(last or today, today)
        paused_days.update(lo + timedelta(days=i) for i in range((hi - lo).days + 1))
    days -= len(paused_days)
    if days <= 0:
        return 0
    return min(amount_fen, outstanding_fen * LAW.surcharge_permille_per_day * days // 1000)
