"""The money of one fine, day by day: principal, late surcharge (D8), what was paid of each.

A pure function of the fine's facts, shared by the Fine aggregate (what the bank may collect)
and the read side (the fine ledger and D8), so both always agree.

The surcharge (加处罚款, 处罚法 72(1)) accrues each day after the due date (or the end of an
approved deferral) at 3% of the principal still unpaid **that day**, capped at the fine, only if
the decision said so, and not on the days a reconsideration or suit is pending (73 ¶3, both
ends counted). A payment counts from the day after it is made, so what accrued never vanishes
when the principal is paid late. The designated bank collects fine and surcharge together
(235号 9): a payment covers the principal first, then the surcharge accrued by its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .facts import Facts, day
from .rules import LAW


@dataclass(frozen=True)
class Ledger:
    amount_fen: int
    principal_paid_fen: int
    surcharge_accrued_fen: int
    surcharge_paid_fen: int
    excess_fen: int  # paid beyond the principal and the surcharge accrued by each payment
    settled_on: date | None  # the day the principal was paid in full
    void: bool
    accrued_milli: int = 0  # the surcharge accrued, in thousandths of a fen (before the cap)

    @property
    def outstanding_fen(self) -> int:
        return 0 if self.void else max(0, self.amount_fen - self.principal_paid_fen)

    amended: bool = False  # the decision was changed after money was received

    @property
    def refund_fen(self) -> int:
        """What was paid above the fine as changed (and its surcharge): refunded, not kept."""
        return self.excess_fen if self.amended else 0

    @property
    def surcharge_due_fen(self) -> int:
        return max(0, self.surcharge_accrued_fen - self.surcharge_paid_fen)


def accrual_start(fine: Facts) -> date | None:
    """The last day before the surcharge runs: the due date, or the end of a deferral."""
    due = fine.get("due")
    if not due or not fine["surcharge"]:
        return None
    start = date.fromisoformat(due["due_on"])
    deferral = fine.get("deferral")
    if deferral and deferral.get("until"):
        start = max(start, date.fromisoformat(deferral["until"]))
    return start


def pauses(fine: Facts) -> list[tuple[date, date | None]]:
    """The days a reconsideration or suit was pending (first and last day; None: still open)."""
    return [(day(r["from"]), day(r["until"]) if r["until"] else None) for r in fine.get("remedies", [])]


def _running_days(lo: date, hi: date, paused: list[tuple[date, date | None]]) -> int:
    """Days from ``lo`` to ``hi`` (both counted) that are not inside a pause."""
    if hi < lo:
        return 0
    spans = sorted((max(first, lo), min(last or hi, hi)) for first, last in paused)
    covered, end = 0, lo - timedelta(days=1)
    for a, b in spans:
        a = max(a, end + timedelta(days=1))
        if a <= b:
            covered += (b - a).days + 1
            end = b
    return (hi - lo).days + 1 - covered


def receipts(fine: Facts, known_by: str | None = None) -> list[dict[str, Any]]:
    """The money received for the fine (bank payments and on-the-spot cash), in order."""
    got = [*fine["payments"], *fine["cash"]]
    if known_by is not None:
        got = [p for p in got if p["rec"] <= known_by]
    return sorted(got, key=lambda p: (p["at"], p["v"]))


def ledger(fine: Facts, as_of: date, known_by: str | None = None) -> Ledger:
    """The fine's money as of the China date ``as_of`` (payments known by ``known_by``)."""
    amount = int(fine["amount_fen"])
    void = fine.get("void") is not None and (known_by is None or fine["void"]["rec"] <= known_by)
    start = None if void else accrual_start(fine)
    paused = pauses(fine)
    rate = LAW.surcharge_permille_per_day
    milli = 0  # surcharge accrued, in thousandths of a fen
    cursor = start  # the last day accounted for
    principal = surcharge = excess = 0
    settled_on = None

    def accrue_to(d: date) -> None:
        nonlocal milli, cursor
        if cursor is None or d <= cursor:
            return
        unpaid = max(0, amount - principal)
        milli += unpaid * rate * _running_days(cursor + timedelta(days=1), d, paused)
        cursor = d

    def accrued() -> int:
        return min(amount, milli // 1000)

    for p in receipts(fine, known_by):
        pday = day(p["at"])
        if pday > as_of:
            break
        accrue_to(pday)  # the day of payment still counts as a late day
        to_principal = min(int(p["amount_fen"]), max(0, amount - principal))
        principal += to_principal
        rest = int(p["amount_fen"]) - to_principal
        to_surcharge = min(rest, max(0, accrued() - surcharge))
        surcharge += to_surcharge
        excess += rest - to_surcharge
        if settled_on is None and principal >= amount:
            settled_on = pday
    accrue_to(as_of)
    amended = bool(fine.get("amendments"))
    return Ledger(
        amount, principal, 0 if void else accrued(), surcharge, excess, settled_on, void, 0 if void else milli, amended
    )


def line(fine: Facts) -> tuple[date, int, int]:
    """The surcharge after the fine's last event as a line: (anchor day, thousandths of a fen
    accrued by its end, thousandths accruing each later day). Nothing bends it until the next
    event: an open reconsideration or suit stops it (rate 0); the cap is applied on reading."""
    start = accrual_start(fine)
    days = [day(p["at"]) for p in receipts(fine)]
    for first, last in pauses(fine):
        days += [first] + ([last] if last else [])
    if start is not None:
        days.append(start)
    anchor = max(days) if days else day(fine["imposed"]["at"])
    led = ledger(fine, anchor)
    open_pause = any(last is None for _, last in pauses(fine))
    rate = 0 if led.void or start is None or open_pause else led.outstanding_fen * LAW.surcharge_permille_per_day
    return anchor, led.accrued_milli, rate


def accrued_on(fine: Facts, d: date) -> int:
    """The surcharge accrued by the end of day ``d``."""
    return ledger(fine, d).surcharge_accrued_fen
