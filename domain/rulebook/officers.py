"""A. Officers and certificates (持证上岗、资格管理): A1–A10."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..calendar import add_months, start_of_day
from ..facts import Facts
from ..rules import LAW
from .core import Context, Finding, before, chosen, rule


@dataclass(frozen=True)
class Acting:
    """One act of the case's record and the officers who carried it out."""

    what: str  # the act's type, "evidence", "notice", …
    entry: dict[str, Any]
    officers: list[str]
    two_required: bool


CASE_ACTING = (
    "ActRecorded",
    "EvidenceCollected",
    "NoticeServed",
    "RecheckDone",
    "DecisionServed",
    "Decided",
    "EnforcementCarriedOut",
)
FINE_ACTING = ("CollectedOnTheSpot",)


def _items(f: Facts, key: str) -> Any:
    """The entries kept under ``key`` (a list, the evidence's values, or the one service)."""
    held = f[key]
    if held is None:
        return ()
    if key == "evidence":
        return held.values()
    return (held,) if key == "service" else held


def _act_of(f: Facts, key: str, x: dict[str, Any]) -> Acting | None:
    """The act an entry of ``f[key]`` is, if officers carry it out."""
    if key == "acts":
        return Acting(x["type"], x, x["officers"], True)
    if key == "evidence":
        return Acting("evidence", x, x["officers"], True)
    if key == "notices":
        return Acting("notice", x, x["officers"], True)
    if key == "rechecks":
        return Acting("re-check", x, x["officers"], False) if x.get("officers") else None
    if key == "service":
        return (
            Acting("service", x, x["officers"], x["method"] in ("direct", "on_the_spot")) if x.get("officers") else None
        )
    if key == "decisions":
        simplified = f["procedure"] == "simplified" and x["outcome"] == "penalty"
        return Acting("on-the-spot decision", x, x.get("officers") or [], True) if simplified else None
    if key == "enforcement":
        return Acting(f"enforcement ({x['kind']})", x, x["officers"], True)
    return Acting("on-the-spot collection", x, x["officers"] or [], True)  # a fine's cash


_CASE_KEYS = ("acts", "evidence", "notices", "rechecks", "service", "decisions", "enforcement")
#: where each acting event's entry is kept
_WHERE = {
    "ActRecorded": "acts",
    "EvidenceCollected": "evidence",
    "NoticeServed": "notices",
    "RecheckDone": "rechecks",
    "DecisionServed": "service",
    "Decided": "decisions",
    "EnforcementCarriedOut": "enforcement",
    "CollectedOnTheSpot": "cash",
}


def acting(f: Facts, subject: str = "case", only: frozenset[int] | None = None) -> Iterator[Acting]:
    """Every act of a case (or a fine's cash collections) with its officers (A1, A2, A5, A7);
    with ``only``, the acts of those versions (found from their events, newest last)."""
    keys = ("cash",) if subject == "fine" else _CASE_KEYS
    if only is None or len(only) > 2:
        for key in keys:
            for x in _items(f, key):
                if only is None or x["v"] in only:
                    a = _act_of(f, key, x)
                    if a is not None:
                        yield a
        return
    events = f["events"]
    for v in sorted(only):
        e = events[v - 1] if 0 < v <= len(events) and events[v - 1]["v"] == v else None
        key = _WHERE.get(e["e"], "") if e else ""
        if key not in keys:
            continue
        found: dict[str, Any] | None = next((y for y in reversed(_items(f, key)) if y["v"] == v), None)
        a = _act_of(f, key, found) if found is not None else None
        if a is not None:
            yield a


@dataclass(frozen=True)
class OfficerAt:
    """One officer of an act, as the act's instant found them."""

    id: str
    known: bool  # on the register
    auxiliary: bool
    own_unit: bool
    status: str | None  # the certificate's state then (None for auxiliaries and strangers)
    covers: bool  # the certificate's fields and areas cover the case

    @property
    def certified(self) -> bool:
        return self.known and not self.auxiliary and self.own_unit and self.status == "valid" and self.covers


def _region(f: Facts, ctx: Context) -> tuple[str, str, str]:
    """(matter code, region, unit) the officers' certificates must cover."""
    if "bank" in f:  # a fine: its case's
        case = ctx.case(f["case_id"]) or {}
        return case.get("matter_code", ""), case.get("region", ""), f["unit_id"]
    return f["matter_code"], f["region"], f["unit_id"]


def officers_at(f: Facts, ctx: Context, only: frozenset[int] | None) -> list[tuple[Acting, list[OfficerAt]]]:
    """Each act the officer rules judge with its officers as the act's instant found them,
    computed once for all of those rules (A1, A2, A5, A7)."""

    def compute() -> list[tuple[Acting, list[OfficerAt]]]:
        matter, region, unit = _region(f, ctx)
        out = []
        for a in acting(f, "fine" if "bank" in f else "case", only):
            at = a.entry["at"]
            out.append((a, [officer_at(ctx, oid, at, matter, region, unit) for oid in a.officers]))
        return out

    return ctx.memo(("officers_at", f["id"], f["v"], only), compute)  # type: ignore[no-any-return]


def officer_at(ctx: Context, oid: str, at: str, matter: str, region: str, unit: str) -> OfficerAt:
    """One officer of an act at instant ``at``, for a case of this matter, region and unit
    (the same answer for every act of a day on which the certificate did not change)."""
    o = ctx.officer(oid)
    if o is None:
        return OfficerAt(oid, False, False, False, None, False)
    key = (oid, o.get("v", 0), ctx.instant(oid, o, at), matter, region, unit)
    held = ctx.seen.get(key)
    if held is None:
        aux = o["kind"] == "auxiliary"
        st = None if aux else ctx.cert(oid, at)
        held = OfficerAt(
            oid, True, aux, o["unit_id"] == unit, st.status if st else None, bool(st and st.covers(matter, region))
        )
        if len(ctx.seen) > 65536:
            ctx.seen.clear()
        ctx.seen[key] = held
    return held


def _sworn(ctx: Context, oid: str) -> bool:
    o = ctx.officer(oid)
    return o is None or o["kind"] != "auxiliary"


@rule(
    "A5",
    "case",
    reads=CASE_ACTING + ("LegalReviewed",),
    context=("officers",),
    entries=CASE_ACTING + ("LegalReviewed",),
)
@rule("A5", "fine", reads=FINE_ACTING, context=("officers",), entries=FINE_ACTING)
def a5_auxiliaries_never_act_alone(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for a, seen in officers_at(f, ctx, only):
        if seen and all(o.auxiliary for o in seen):
            yield Finding(
                "A5", f"{a.what} by auxiliary staff only: they may not act without certified officers", (a.entry["v"],)
            )
    for r in chosen(f.get("reviews", []), only):
        if not _sworn(ctx, r["reviewer_id"]):
            yield Finding("A5", "auxiliary staff do not review (法制审核)", (r["v"],), r["reviewer_id"])


@rule("A7", "case", reads=CASE_ACTING, context=("officers",), entries=CASE_ACTING)
@rule("A7", "fine", reads=FINE_ACTING, context=("officers",), entries=FINE_ACTING)
def a7_no_act_after_suspension_or_revocation(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    for a, seen in officers_at(f, ctx, only):
        for o in seen:
            if o.status in ("suspended", "revoked"):
                yield Finding(
                    "A7",
                    f"{a.what} by officer {o.id} whose certificate was {o.status} at {a.entry['at']}",
                    (a.entry["v"],),
                    o.id,
                )


@rule("A2", "case", reads=CASE_ACTING, context=("officers",), entries=CASE_ACTING)
@rule("A2", "fine", reads=FINE_ACTING, context=("officers",), entries=FINE_ACTING)
def a2_valid_certificate_covering_the_case(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    for a, seen in officers_at(f, ctx, only):
        for o in seen:
            if o.certified or o.auxiliary or o.status in ("suspended", "revoked"):
                continue  # an auxiliary is A5's; a suspended or revoked certificate A7's
            v = (a.entry["v"],)
            if not o.known:
                yield Finding("A2", f"{a.what} by {o.id}, who is not on the register of officers", v, o.id)
            elif not o.own_unit:
                yield Finding("A2", f"{a.what} by officer {o.id} of another unit", v, o.id)
            elif o.status != "valid":
                yield Finding(
                    "A2",
                    f"{a.what} by officer {o.id} without a valid certificate at {a.entry['at']} ({o.status})",
                    v,
                    o.id,
                )
            else:
                matter, region, _ = _region(f, ctx)
                yield Finding(
                    "A2",
                    f"{a.what} by officer {o.id} whose certificate does not cover matter {matter} in region {region}",
                    v,
                    o.id,
                )


@rule("A1", "case", reads=CASE_ACTING, context=("officers",), entries=CASE_ACTING)
@rule("A1", "fine", reads=FINE_ACTING, context=("officers",), entries=FINE_ACTING)
def a1_two_certified_officers(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for a, seen in officers_at(f, ctx, only):
        if not a.two_required or not seen or all(o.auxiliary for o in seen):
            continue  # all auxiliaries: A5's
        n = len({o.id for o in seen if o.certified})
        if n < LAW.officers_per_act:
            yield Finding(
                "A1",
                f"{a.what}: at least {LAW.officers_per_act} officers with enforcement qualification "
                f"must act (found {n})",
                (a.entry["v"],),
            )


@rule("A3", "case", reads=("ActRecorded",), entries=("ActRecorded",))
def a3_certificate_shown_and_written_record(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    for a in chosen(f["acts"], only):
        if a["type"] in ("inspection", "inquiry") and not (a["certificate_shown"] and a["record_sha256"]):
            missing = [
                x
                for x, ok in (("certificate shown", a["certificate_shown"]), ("written record", a["record_sha256"]))
                if not ok
            ]
            yield Finding("A3", f"{a['type']} without " + " and ".join(missing), (a["v"],))


@rule("A4", "officer", reads=("Registered", "ExamTaken", "CertificateIssued"))
def a4_certificates_for_established_staff_with_a_passed_exam(o: Facts, ctx: Context) -> Iterator[Finding]:
    for c in o["certs"]:
        if o["kind"] == "auxiliary":
            yield Finding("A4", "auxiliary staff are never issued an enforcement certificate", (c["v"],), o["id"])
        elif o["employment"] != "established":
            yield Finding(
                "A4", f"certificates go to established staff only, not {o['employment']} staff", (c["v"],), o["id"]
            )
        elif not any(x["passed"] and x["taken_on"] <= c["valid_from"] for x in before(o["exams"], c["v"])):
            yield Finding(
                "A4",
                f"certificate {c['number']} issued without an earlier passed qualification exam (执法资格考试)",
                (c["v"],),
                o["id"],
            )


@rule("A9", "case", reads=("LegalReviewed",), context=("officers",), entries=("LegalReviewed",))
def a9_first_reviewers_hold_the_legal_qualification(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    for r in chosen(f["reviews"], only):
        o = ctx.officer(r["reviewer_id"])
        if o is None or o["legal_qualification"]:
            continue
        first = o.get("reviewer_since") or r["at"][:10]
        if first >= LAW.legal_review_qualification_from.isoformat():
            yield Finding(
                "A9",
                "a reviewer first reviewing on or after "
                f"{LAW.legal_review_qualification_from.isoformat()} holds the national legal-profession "
                "qualification (法律职业资格)",
                (r["v"],),
                r["reviewer_id"],
            )


def _investigators(f: Facts, v: int) -> set[str]:
    ids: set[str] = set()
    for a in before(f["acts"], v):
        ids.update(a["officers"])
    for e in before(list(f["evidence"].values()), v):
        ids.update(e["officers"])
    return ids


def _recused(f: Facts, oid: str, at: str) -> bool:
    """Recusal granted (回避) before ``at``: the officer takes no further part. A request not yet
    decided does not stop the investigation (处罚法 43 ¶3: 决定作出之前，不停止调查)."""
    r = f["recusals"].get(oid)
    return bool(r and r["granted"] and r["decided"] and r["decided"]["at"] <= at)


@rule(
    "A10",
    "case",
    reads=CASE_ACTING + ("RecusalDecided", "LegalReviewed", "HearingHeld"),
    entries=CASE_ACTING + ("LegalReviewed", "HearingHeld"),
)
def a10_separation_of_roles_and_recusal(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    for a in acting(f, only=only):
        for oid in a.officers:
            if _recused(f, oid, a.entry["at"]):
                yield Finding("A10", f"officer {oid} is recused from this case ({a.what})", (a.entry["v"],), oid)
    for r in chosen(f["reviews"], only):
        oid = r["reviewer_id"]
        if oid in f["handlers"] or oid in _investigators(f, r["v"]):
            yield Finding("A10", "the legal reviewer handled or investigated this case", (r["v"],), oid)
        elif _recused(f, oid, r["at"]):
            yield Finding("A10", "the legal reviewer is recused from this case", (r["v"],), oid)
    held = f["hearing"].get("held")
    if held and (only is None or held["v"] in only):
        host = held["host_id"]
        if host in _investigators(f, held["v"]):
            yield Finding("A10", "the hearing host investigated this case", (held["v"],), host)
        elif _recused(f, host, held["at"]):
            yield Finding(
                "A10", "the hearing host is recused from this case (challenged by the party)", (held["v"],), host
            )


# ------------------------------------------------------------------ officer-level, over time
def _day_start(d: str | date) -> str:
    return start_of_day(date.fromisoformat(d) if isinstance(d, str) else d)


def _revoked_at(o: Facts) -> str | None:
    return min((c["at"] for c in o["status_changes"] if c["kind"] == "revoked"), default=None)


def _cut(until: str | None, revoked: str | None) -> str | None:
    if revoked is None:
        return until
    return revoked if until is None or revoked < until else until


@rule("A6", "officer", reads=("CertificateIssued", "CertificateValidated", "QualificationRevoked"))
def a6_validation_and_expiry_reported_before_they_block_work(o: Facts, ctx: Context) -> Iterator[Finding]:
    """A6 over the latest certificate: expiring within the warning period and a yearly validation
    falling due (minor), a validation overdue or failed (major), each while it is so."""
    if o["kind"] == "auxiliary" or not o["certs"]:
        return
    c = max(o["certs"], key=lambda c: (c["valid_from"], c["v"]))
    vf, vu = date.fromisoformat(c["valid_from"]), date.fromisoformat(c["valid_until"])
    revoked = _revoked_at(o)
    warn = timedelta(days=LAW.certificate_warning_days)
    oid = o["id"]
    end = _day_start(vu + timedelta(days=1))

    def interval(since: str, until: str | None) -> tuple[str, str | None] | None:
        until = _cut(until, revoked)
        return (since, until) if until is None or since < until else None

    span = interval(_day_start(max(vu - warn, vf)), end)
    if span:
        yield Finding("A6", f"certificate {c['number']} expires on {vu}", (c["v"],), oid, span[0], span[1])
    passed = sorted(
        {v["on"] for v in o["validations"] if v["passed"] and c["valid_from"] <= v["on"] <= c["valid_until"]}
    )
    anchors = [c["valid_from"], *[p for p in passed if p > c["valid_from"]]]
    latest_v = {v["on"]: v["v"] for v in o["validations"]}
    for i, anchor in enumerate(anchors):
        nxt = anchors[i + 1] if i + 1 < len(anchors) else None
        stop = _day_start(nxt) if nxt else end
        ref = latest_v.get(anchor, c["v"])
        failed = [
            v for v in o["validations"] if not v["passed"] and anchor <= v["on"] and (nxt is None or v["on"] < nxt)
        ]
        if failed:
            first = min(failed, key=lambda v: v["on"])
            span = interval(_day_start(first["on"]), stop)
            if span:
                yield Finding(
                    "A6", f"yearly validation failed on {first['on']}", (first["v"],), oid, span[0], span[1], "major"
                )
            continue
        due = add_months(date.fromisoformat(anchor), LAW.validation.count)
        if due > vu:
            continue
        span = interval(
            _day_start(max(due - warn, date.fromisoformat(anchor))), min(_day_start(due + timedelta(days=1)), stop)
        )
        if span:
            yield Finding("A6", f"yearly validation due by {due}", (ref,), oid, span[0], span[1])
        span = interval(_day_start(due + timedelta(days=1)), stop)
        if span:
            yield Finding("A6", f"yearly validation overdue since {due}", (ref,), oid, span[0], span[1], "major")


@rule("A8", "officer", reads=("CertificateIssued", "TrainingRecorded", "QualificationRevoked"))
def a8_yearly_training_hours(o: Facts, ctx: Context) -> Iterator[Finding]:
    """A8 for each complete calendar year the officer held a certificate all year."""
    if o["kind"] == "auxiliary" or not o["certs"]:
        return
    required = LAW.training_hours_per_year
    revoked = _revoked_at(o)
    first = min(int(c["valid_from"][:4]) for c in o["certs"])
    last = max(int(c["valid_until"][:4]) for c in o["certs"])
    for year in range(first, last + 1):
        jan1, dec31 = f"{year}-01-01", f"{year}-12-31"
        if not any(c["valid_from"] <= jan1 and c["valid_until"] >= dec31 for c in o["certs"]):
            continue
        if revoked is not None and revoked[:10] <= dec31:
            continue
        trainings = [t for t in o["trainings"] if t["on"][:4] == str(year)]
        hours = sum(t["hours"] for t in trainings)
        if hours < required:
            versions = tuple(t["v"] for t in trainings) or (min(o["certs"], key=lambda c: c["v"])["v"],)
            yield Finding(
                "A8",
                f"{hours} of {required} training hours in {year}",
                versions,
                o["id"],
                _day_start(f"{year + 1}-01-01"),
            )
