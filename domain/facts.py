"""The fact model: one plain JSON document per aggregate, folded from its events.

The aggregates hold these documents as their state, and the audit projection folds the same
documents from the log, with the same functions, so a gate and an audit read one history
the same way (the rule bodies in ``domain/rulebook`` read nothing else).

Every event becomes an *entry*: its fields, plus ``e`` (the event name), ``v`` (the version),
``at`` (when it happened) and ``rec`` (when it was recorded). Times are written in China time
(ISO 8601, ``+08:00``), so two of them compare as strings and a time's first ten characters are
its China date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from .calendar import CHINA

Facts = dict[str, Any]
Entry = dict[str, Any]

META = frozenset({"originator_id", "originator_version", "timestamp", "recorded_by", "occurred_at", "originator_topic"})


def iso(t: datetime) -> str:
    """A time as the facts write it: China time, ISO 8601 (comparable as a string)."""
    return t.astimezone(CHINA).isoformat()


def day(t: str) -> date:
    """The China date of a facts time (or of a date string)."""
    return date.fromisoformat(t[:10])


_AS_IS = frozenset({str, int, bool, float, type(None)})


def plain(v: Any) -> Any:
    t = type(v)
    if t in _AS_IS:
        return v
    if t is list or t is tuple:
        return [x if type(x) in _AS_IS else plain(x) for x in v]
    if t is dict:
        return {k: x if type(x) in _AS_IS else plain(x) for k, x in v.items()}
    if isinstance(v, datetime):
        return iso(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def entry(e: Any) -> Entry:
    """An event as an entry of the facts (see the module docstring)."""
    d: Entry = {
        "e": type(e).__name__,
        "id": str(e.originator_id),
        "v": e.originator_version,
        "at": iso(e.occurred_at),
        "rec": iso(e.timestamp),
    }
    for k, v in e.__dict__.items():
        if k not in META:
            d[k] = v if type(v) in _AS_IS else plain(v)
    return d


def ref(x: Entry) -> dict[str, Any]:
    return {"v": x["v"], "at": x["at"], "rec": x["rec"]}


def _pick(x: Entry, *keys: str) -> dict[str, Any]:
    out = ref(x)
    for k in keys:
        out[k] = x.get(k)
    return out


# ------------------------------------------------------------------ case
# Case status, in the legal order of stages.
STATUS_ORDER = (
    "filed",
    "investigating",
    "noticed",
    "hearing",
    "reviewed",
    "decided",
    "served",
    "executed",
    "transferred",
    "closed",
    "archived",
)
_STATUS: dict[str, Callable[[Entry], str | None]] = {
    "ActRecorded": lambda x: "investigating",
    "EvidenceCollected": lambda x: "investigating",
    "NoticeServed": lambda x: "noticed",
    "HearingRequested": lambda x: "hearing",
    "LegalReviewed": lambda x: "reviewed" if x["result"] == "passed" else None,
    "Decided": lambda x: "decided",
    "DecisionServed": lambda x: "served",
    "FineSettled": lambda x: "executed",
    "TransferReported": lambda x: "transferred" if x["approved"] else None,
    "Closed": lambda x: "closed",
    "Archived": lambda x: "archived",
}


def next_status(current: str, event_name: str, x: Entry | None = None) -> str:
    """The case status after an event. Status only moves forward in the legal order (a late
    act does not move a decided case back); closure and archiving always set it. Used by the
    aggregate and by the read side, so both agree."""
    if event_name == "Filed":
        return "filed"
    target_of = _STATUS.get(event_name)
    target = target_of(x or {}) if target_of else None
    if target is None:
        return current
    if target in ("closed", "archived"):
        return target
    return target if STATUS_ORDER.index(target) > STATUS_ORDER.index(current) else current


def _filed(x: Entry) -> Facts:
    return {
        "id": x["id"],
        "unit_id": x["unit_id"],
        "case_no": x["case_no"],
        "matter_code": x["matter_code"],
        "region": x["region"],
        "party": x["party"],
        "source": x["source"],
        "summary": x["summary"],
        "occurred_on": x["occurred_on"],
        "continuing_until": x.get("continuing_until"),
        "harm": bool(x.get("harm")),
        "discovered_on": x["discovered_on"],
        "filing_extension_approved_by": x.get("filing_extension_approved_by"),
        "approved_by": x["approved_by"],
        "handlers": list(x["handlers"]),
        "procedure": x["procedure"],
        "major": x["major"],
        "complex": x["complex"],
        "imported": x["imported"],
        "amount_involved_fen": x.get("amount_involved_fen"),
        "filed": ref(x),
        "status": "filed",
        "events": [],
        "acts": [],
        "evidence": {},
        "notices": [],
        "statements": [],
        "statement_waivers": [],
        "rechecks": [],
        "hearing": {},
        "reviews": [],
        "discussions": [],
        "recusals": {},
        "decisions": [],
        "decision": None,
        "changes": [],
        "service": None,
        "disclosure": None,
        "withdrawal": None,
        "transfer": None,
        "interventions": [],
        "remedies": [],
        "suspensions": [],
        "case_suspensions": [],
        "extensions": [],
        "testing": [],
        "enforcement": [],
        "settled": None,
        "closure": None,
        "archive": None,
    }


def fold_case(f: Facts | None, x: Entry) -> Facts | None:
    """Fold one case entry into the case's facts."""
    name = x["e"]
    if name == "Filed":
        f = _filed(x)
    elif f is None:
        return None
    f["v"] = x["v"]
    f["events"].append({"v": x["v"], "e": name, "at": x["at"], "rec": x["rec"]})
    f["status"] = next_status(f["status"], name, x)
    fold = _CASE.get(name)
    if fold is not None:
        fold(f, x)
    return f


def _act(f: Facts, x: Entry) -> None:
    f["acts"].append(_pick(x, "type", "officers", "certificate_shown", "record_sha256", "av", "signatures"))


def _evidence(f: Facts, x: Entry) -> None:
    f["evidence"][x["evidence_id"]] = _pick(x, "kind", "sha256", "officers", "certificate_shown") | {"assessments": []}


def _assessed(f: Facts, x: Entry) -> None:
    ev = f["evidence"].get(x["evidence_id"])
    if ev is not None:
        ev["assessments"].append(_pick(x, "status"))


def _notice(f: Facts, x: Entry) -> None:
    f["notices"].append(_pick(x, "officers", "facts", "reasons", "legal_basis", "proposed", "hearing_right"))


def _hearing(key: str, *keys: str) -> Callable[[Facts, Entry], None]:
    def fold(f: Facts, x: Entry) -> None:
        f["hearing"][key] = _pick(x, *keys)

    return fold


def _review(f: Facts, x: Entry) -> None:
    f["reviews"].append(
        _pick(x, "reviewer_id", "result", "checklist") | {"opinion": bool((x["opinion"] or "").strip())}
    )


def _recusal_requested(f: Facts, x: Entry) -> None:
    f["recusals"][x["officer_id"]] = {"requested": ref(x), "decided": None, "granted": None}


def _recusal_decided(f: Facts, x: Entry) -> None:
    r = f["recusals"].setdefault(x["officer_id"], {"requested": None, "decided": None, "granted": None})
    r["decided"], r["granted"] = ref(x), x["granted"]


def _decided(f: Facts, x: Entry) -> None:
    d = _pick(
        x,
        "decision_no",
        "decided_by",
        "outcome",
        "penalties",
        "legal_basis",
        "evidence_ids",
        "benchmark",
        "payment",
        "remedies",
        "officers",
        "certificate_shown",
        "form_no",
        "fine_id",
        "hearing_record_cited",
    )
    f["decisions"].append(d)
    f["decision"] = d


def _change(kind: str) -> Callable[[Facts, Entry], None]:
    def fold(f: Facts, x: Entry) -> None:
        f["changes"].append(
            _pick(x, "reason", "penalties")
            | {"kind": kind, "by": x.get("revoked_by") or x.get("changed_by") or x.get("confirmed_by")}
        )
        if kind == "changed" and f["decision"] is not None:
            f["decision"] = dict(f["decision"], penalties=x["penalties"])

    return fold


def _served(f: Facts, x: Entry) -> None:
    f["service"] = _pick(
        x, "method", "officers", "party_consent", "receipt_on", "confirmation_sha256", "disclosure_told"
    )


def _disclosed(f: Facts, x: Entry) -> None:
    f["disclosure"], f["withdrawal"] = _pick(x, "channel"), None


def _transfer(f: Facts, x: Entry) -> None:
    f["transfer"] = _pick(x, "decided_at", "sent_at", "to", "documents", "approved", "refusal_reason")


def _remedy_sought(f: Facts, x: Entry) -> None:
    f["remedies"].append(_pick(x, "kind", "body") | {"until": None, "result": None, "until_v": None})


def _remedy_concluded(f: Facts, x: Entry) -> None:
    for r in f["remedies"]:
        if r["kind"] == x["kind"] and r["until"] is None:
            r["until"], r["result"], r["until_v"] = x["at"], x["result"], x["v"]
            break


def _open_close(key: str, *keys: str) -> tuple[Callable[[Facts, Entry], None], Callable[[Facts, Entry], None]]:
    def start(f: Facts, x: Entry) -> None:
        f[key].append(_pick(x, *keys) | {"ended": None})

    def end(f: Facts, x: Entry) -> None:
        for s in f[key]:
            if s["ended"] is None:
                s["ended"] = ref(x)

    return start, end


_suspend, _resume = _open_close("suspensions", "ground", "basis")
_case_suspend, _case_resume = _open_close("case_suspensions", "reason", "approved_by")


def _append(key: str, *keys: str) -> Callable[[Facts, Entry], None]:
    def fold(f: Facts, x: Entry) -> None:
        f[key].append(_pick(x, *keys))

    return fold


def _set(key: str, *keys: str) -> Callable[[Facts, Entry], None]:
    def fold(f: Facts, x: Entry) -> None:
        f[key] = _pick(x, *keys)

    return fold


def _withdrawn(f: Facts, x: Entry) -> None:
    f["withdrawal"] = _pick(x, "reason")


_CASE: dict[str, Callable[[Facts, Entry], None]] = {
    "ActRecorded": _act,
    "EvidenceCollected": _evidence,
    "EvidenceAssessed": _assessed,
    "NoticeServed": _notice,
    "StatementReceived": _append("statements"),
    "StatementWaived": _append("statement_waivers"),
    "RecheckDone": _append("rechecks", "officers"),
    "HearingRequested": _hearing("requested"),
    "HearingHeld": _hearing("held", "noticed_at", "host_id", "record_sha256"),
    "HearingWaived": _hearing("waived"),
    "LegalReviewed": _review,
    "DiscussionHeld": _append("discussions", "attendees"),
    "RecusalRequested": _recusal_requested,
    "RecusalDecided": _recusal_decided,
    "Decided": _decided,
    "DecisionServed": _served,
    "DecisionRevoked": _change("revoked"),
    "DecisionChanged": _change("changed"),
    "DecisionConfirmedUnlawful": _change("confirmed_unlawful"),
    "FineSettled": _set("settled", "fine_id"),
    "Disclosed": _disclosed,
    "DisclosureWithdrawn": _withdrawn,
    "TransferReported": _transfer,
    "InterventionRecorded": _append("interventions", "official", "position", "channel"),
    "RemedySought": _remedy_sought,
    "RemedyConcluded": _remedy_concluded,
    "ExecutionSuspended": _suspend,
    "ExecutionResumed": _resume,
    "CaseSuspended": _case_suspend,
    "CaseResumed": _case_resume,
    "PeriodExtended": _append("extensions", "period", "days", "approved_by", "discussion", "act_version", "reason"),
    "TestingRecorded": _append("testing", "kind", "start", "end", "act_version"),
    "EnforcementCarriedOut": _append(
        "enforcement", "kind", "officers", "emergency", "emergency_reason", "av", "certificate_shown"
    ),
    "Closed": _set("closure", "reason"),
    "Archived": _set("archive", "file_sha256"),
}


# ------------------------------------------------------------------ fine
def fold_fine(f: Facts | None, x: Entry) -> Facts | None:
    name = x["e"]
    if name == "Imposed":
        f = {
            "id": x["id"],
            "case_id": x["case_id"],
            "unit_id": x["unit_id"],
            "decision_no": x["decision_no"],
            "amount_fen": x["amount_fen"],
            "bank": x["bank_code"],
            "surcharge": x["surcharge"],
            "imposed": ref(x),
            "due": None,
            "payments": [],
            "cash": [],
            "deferral": None,
            "demand": None,
            "court": None,
            "remedies": [],
            "remittances": [],
            "amendments": [],
            "void": None,
            "events": [],
        }
    elif f is None:
        return None
    f["v"] = x["v"]
    f["events"].append({"v": x["v"], "e": name, "at": x["at"], "rec": x["rec"]})
    fold = _FINE.get(name)
    if fold is not None:
        fold(f, x)
    return f


def _due(f: Facts, x: Entry) -> None:
    f["due"] = _pick(x, "served_on", "due_on")


def _cash(f: Facts, x: Entry) -> None:
    f["cash"].append(
        _pick(x, "receipt_no", "amount_fen", "officers", "remote_area", "reason", "hard_to_collect")
        | {"handed": None, "deposited": None}
    )


def _handed(f: Facts, x: Entry) -> None:
    for c in f["cash"]:
        if c["handed"] is None:
            c["handed"] = ref(x)


def _deposited(f: Facts, x: Entry) -> None:
    for c in f["cash"]:
        if c["handed"] is not None and c["deposited"] is None:
            c["deposited"] = ref(x)


def _fine_remedy(f: Facts, x: Entry) -> None:
    f["remedies"].append({"from": x["at"], "until": None, "kind": x.get("kind"), "result": None})


def _fine_remedy_end(f: Facts, x: Entry) -> None:
    for r in f["remedies"]:
        if r["until"] is None:
            r["until"], r["result"] = x["at"], x.get("result")


def _amended(f: Facts, x: Entry) -> None:
    f["amendments"].append(_pick(x, "amount_fen", "reason"))
    f["amount_fen"] = x["amount_fen"]


_FINE: dict[str, Callable[[Facts, Entry], None]] = {
    "DueDateSet": _due,
    "PaymentReceived": _append("payments", "bank_code", "receipt_no", "amount_fen"),
    "CollectedOnTheSpot": _cash,
    "CashHandedOver": _handed,
    "CashDeposited": _deposited,
    "DeferralApproved": _set("deferral", "kind", "applied_at", "until"),
    "DemandServed": _set("demand"),
    "CourtEnforcementApplied": _set("court"),
    "RemedyPending": _fine_remedy,
    "RemedyEnded": _fine_remedy_end,
    "RemittedToTreasury": _append("remittances", "bank_code", "voucher_no", "amount_fen"),
    "Amended": _amended,
    "Voided": _set("void", "reason"),
}


# ------------------------------------------------------------------ officer
def fold_officer(f: Facts | None, x: Entry) -> Facts | None:
    name = x["e"]
    if name == "Registered":
        f = {
            "id": x["id"],
            "unit_id": x["unit_id"],
            "name": x["name"],
            "kind": x["kind"],
            "employment": x["employment"],
            "legal_qualification": x["legal_qualification"],
            "reviewer_since": x.get("reviewer_since"),
            "registered": ref(x),
            "exams": [],
            "certs": [],
            "validations": [],
            "status_changes": [],
            "trainings": [],
        }
    elif f is None:
        return None
    f["v"] = x["v"]
    if name == "ExamTaken":
        f["exams"].append(_pick(x, "taken_on", "passed"))
    elif name == "CertificateIssued":
        f["certs"].append(_pick(x, "number", "fields", "areas", "valid_from", "valid_until"))
    elif name == "CertificateValidated":
        f["validations"].append(_pick(x, "year", "passed", "on"))
    elif name in _STATUS_CHANGES:
        f["status_changes"].append(ref(x) | {"kind": _STATUS_CHANGES[name]})
    elif name == "TrainingRecorded":
        f["trainings"].append(_pick(x, "on", "hours"))
    return f


_STATUS_CHANGES = {
    "CertificateSuspended": "suspended",
    "CertificateReinstated": "reinstated",
    "QualificationRevoked": "revoked",
}


# ------------------------------------------------------------------ unit, benchmark, inspection
def fold_unit(f: Facts | None, x: Entry) -> Facts | None:
    name = x["e"]
    if name == "Registered":
        f = {
            "id": x["id"],
            "code": x["code"],
            "name": x["name"],
            "region": x["region"],
            "matters": [],
            "banks": [],
            "own_enforcement": False,
            "enforcement_basis": None,
        }
    elif f is None:
        return None
    f["v"] = x["v"]
    if name == "PowersListed":
        f["matters"] = list(x["matters"])
    elif name == "BankDesignated" and x["bank_code"] not in f["banks"]:
        f["banks"].append(x["bank_code"])
    elif name == "EnforcementPowerDeclared":
        f["own_enforcement"], f["enforcement_basis"] = x["own"], x["basis"]
    return f


def fold_benchmark(f: Facts | None, x: Entry) -> Facts | None:
    name = x["e"]
    if name == "Started":
        f = {"id": x["id"], "matter_code": x["matter_code"], "versions": []}
    elif f is None:
        return None
    f["v"] = x["v"]
    if name == "VersionPublished":
        f["versions"].append(
            _pick(
                x,
                "version",
                "legal_basis",
                "statutory_min_fen",
                "statutory_max_fen",
                "tiers",
                "effective_from",
                "published_at",
            )
        )
    return f


def fold_inspection(f: Facts | None, x: Entry) -> Facts | None:
    from .inspection import draw_reproducible

    name = x["e"]
    if name == "Drawn":
        # The registers stay in the event; the facts keep the verdict of redoing the draw.
        f = {
            "id": x["id"],
            "unit_id": x["unit_id"],
            "task": x["task"],
            "matter_code": x["matter_code"],
            "seed": x["seed"],
            "reproducible": draw_reproducible(x),
            "assignments": x["assignments"],
            "drawn": ref(x),
            "results": {},
            "publications": [],
            "events": [],
        }
    elif f is None:
        return None
    f["v"] = x["v"]
    f["events"].append({"v": x["v"], "e": name, "at": x["at"], "rec": x["rec"]})
    if name == "ResultRecorded":
        f["results"][x["target"]] = _pick(x, "officers", "outcome", "case_id")
    elif name == "ResultsPublished":
        f["publications"].append(_pick(x, "channel"))
    return f


def _knowing(fold: Callable[[Facts | None, Entry], Facts | None]) -> Callable[[Facts | None, Entry], Facts | None]:
    """The fold, keeping ``rec``: the latest recording time of the aggregate's events (what
    was known of it from then on)."""

    def known(f: Facts | None, x: Entry) -> Facts | None:
        out = fold(f, x)
        if out is not None:
            out["rec"] = max(out.get("rec") or "", x["rec"])
        return out

    return known


FOLDS: dict[str, Callable[[Facts | None, Entry], Facts | None]] = {
    kind: _knowing(fold)
    for kind, fold in (
        ("case", fold_case),
        ("fine", fold_fine),
        ("officer", fold_officer),
        ("unit", fold_unit),
        ("benchmark", fold_benchmark),
        ("inspection", fold_inspection),
    )
}
