"""The slow path, kept only as the equivalence test's oracle: every rule body applied to every
history as it was recorded by a moment T, as the reports once answered each request.

For T it folds every event recorded by T into its subject's facts (in log order), gives the
bodies a context of those facts, and keeps the findings that hold at T (``since`` ≤ T, and
``until`` null or after T). From these it answers the findings, officers, fines and scorecard
reports in the shape the indexed reports answer them, so a test can compare the two.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from domain.application import Oversight
from domain.benchmark import Benchmark
from domain.facts import FOLDS, Facts, day, entry, iso
from domain.ledger import ledger
from domain.money import fen_to_yuan
from domain.rulebook import Context, findings
from domain.rules import RULES
from projections import scorecard
from projections.audit import JUDGED, kind_of, subject_of
from projections.reports.fines import SEPARATION_RULES
from projections.reports.officers import UNCERTIFIED, officer_row

Entry = tuple[str, str, dict[str, Any]]


def read_log(app: Oversight) -> list[Entry]:
    """Every event of a judged or context aggregate, as (kind, id, entry), in log order."""
    out: list[Entry] = []
    start = 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        if not page:
            return out
        for n in page:
            e = app.mapper.to_domain_event(n)
            kind = kind_of(e)
            if kind is not None:
                out.append((kind, str(e.originator_id), entry(e)))
        start = page[-1].id


class _AsOf(Context):
    def __init__(self, docs: dict[tuple[str, str], Facts]) -> None:
        super().__init__()
        self.docs = docs

    def officer(self, officer_id: str) -> Facts | None:
        return self.docs.get(("officer", officer_id))

    def unit(self, unit_id: str) -> Facts | None:
        return self.docs.get(("unit", unit_id))

    def benchmark(self, matter_code: str) -> Facts | None:
        return self.docs.get(("benchmark", str(Benchmark.id_for(matter_code))))

    def case(self, case_id: str) -> Facts | None:
        return self.docs.get(("case", case_id))


class Oracle:
    """Everything known at ``as_of``, judged from scratch."""

    def __init__(self, log: list[Entry], as_of: datetime) -> None:
        self.as_of = as_of
        self.now = now = iso(as_of)
        docs: dict[tuple[str, str], Facts] = {}
        for kind, sid, x in log:
            if x["rec"] > now:
                continue
            doc = FOLDS[kind](docs.get((kind, sid)), x)
            if doc is not None:
                docs[(kind, sid)] = doc
        self.docs = docs
        ctx = _AsOf(docs)
        self.found: list[dict[str, Any]] = []
        for (kind, sid), doc in docs.items():
            if kind not in JUDGED:
                continue
            for fd in findings(kind, doc, ctx):
                if (fd.since or "") > now or (fd.until is not None and fd.until <= now):
                    continue
                self.found.append(
                    {
                        "subject_kind": kind,
                        "subject_id": sid,
                        "rule": fd.rule,
                        "severity": fd.level,
                        **subject_of(kind, sid, doc),
                        "officer_id": fd.officer_id,
                        "message": fd.text,
                        "citation": RULES[fd.rule].citation,
                        "events": [{"aggregate_id": sid, "version": v} for v in fd.events],
                    }
                )

    def of(self, kind: str) -> dict[str, Facts]:
        return {sid: doc for (k, sid), doc in self.docs.items() if k == kind}

    # ------------------------------------------------------------------ reports
    def findings(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in f.items() if k not in ("subject_kind", "subject_id")} for f in self.found]

    def officers(self) -> list[dict[str, Any]]:
        bad = Counter(f["officer_id"] for f in self.found if f["rule"] in UNCERTIFIED)
        rows = []
        for oid, o in sorted(self.of("officer").items()):
            own = [
                {k: v for k, v in f.items() if k not in ("subject_kind", "subject_id")}
                for f in self.found
                if f["subject_kind"] == "officer" and f["subject_id"] == oid
            ]
            rows.append(officer_row(o, self.as_of, bad[oid], own))
        return rows

    def fines(self) -> list[dict[str, Any]]:
        today = day(self.now)
        rows = []
        for fid, f in sorted(self.of("fine").items()):
            led = ledger(f, today, known_by=self.now)
            due = f["due"]["due_on"] if f["due"] else None
            deferral = (f.get("deferral") or {}).get("until")
            last_day = max(due, deferral) if due and deferral else due
            at_bank = sum(int(p["amount_fen"]) for p in f["payments"]) + sum(
                int(c["amount_fen"]) for c in f["cash"] if c["deposited"]
            )
            remitted = sum(int(r["amount_fen"]) for r in f["remittances"])
            rows.append(
                {
                    "fine_id": fid,
                    "case_id": f["case_id"],
                    "unit_id": f["unit_id"],
                    "decision_no": f["decision_no"],
                    "bank": f["bank"],
                    "amount": fen_to_yuan(led.amount_fen),
                    "paid": fen_to_yuan(led.principal_paid_fen),
                    "surcharge_paid": fen_to_yuan(led.surcharge_paid_fen),
                    "outstanding": fen_to_yuan(led.outstanding_fen),
                    "refund_due": fen_to_yuan(led.refund_fen),
                    "void": led.void,
                    "due_on": last_day,
                    "overdue": led.outstanding_fen > 0 and last_day is not None and last_day < today.isoformat(),
                    "surcharge": fen_to_yuan(led.surcharge_accrued_fen),
                    "surcharge_due": fen_to_yuan(led.surcharge_due_fen),
                    "cash_not_deposited": fen_to_yuan(
                        sum(int(c["amount_fen"]) for c in f["cash"] if not c["deposited"])
                    ),
                    "remitted_to_treasury": fen_to_yuan(remitted),
                    "held_by_bank": fen_to_yuan(at_bank - remitted),
                    "separation_breaches": sorted(
                        f2["rule"] for f2 in self.found if f2["subject_id"] == fid and f2["rule"] in SEPARATION_RULES
                    ),
                }
            )
        return rows

    def scorecard(self, unit_id: str) -> dict[str, Any]:
        unit = self.docs.get(("unit", unit_id)) or {}
        cases = []
        for cid, f in sorted(self.of("case").items()):
            if f["unit_id"] != unit_id or f["closure"] is None:
                continue
            fid = (f["decision"] or {}).get("fine_id")
            active = [
                {"rule": x["rule"], "message": x["message"]}
                for x in self.found
                if x["subject_id"] == cid or (fid and x["subject_id"] == fid)
            ]
            within = not unit.get("matters") or f["matter_code"] in unit["matters"]
            cases.append({"case_id": cid, "case_no": f["case_no"], **scorecard.score(active, within)})
        n = len(cases)
        return {
            "cases": cases,
            "count": n,
            "average": round(sum(c["total"] for c in cases) / n, 1) if n else None,
            "failed": sum(1 for c in cases if c["grade"] == "不合格"),
        }
