"""B. The whole-process record (全过程记录): B1–B6, and the stage checklist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..calendar import deadline
from ..facts import Facts, day
from ..rules import LAW
from .core import Context, Finding, before, chosen, rule

COERCIVE = ("sealing", "seizure", "detention")
SIGNED_RECORDS = ("on_site_record", "sealing", "seizure", "detention")


def _known(x: dict[str, Any] | None, known_by: str | None) -> bool:
    return x is not None and (known_by is None or x["rec"] <= known_by)


def revoked(f: Facts) -> dict[str, Any] | None:
    """The revocation (or a finding of voidness) of the decision, if any."""
    return next((c for c in f["changes"] if c["kind"] == "revoked"), None)


def stages(f: Facts, known_by: str | None = None) -> list[dict[str, Any]]:
    """The stages the case's path requires, present or not, with their times (B1). With
    ``known_by``, as the record stood at that moment (entries recorded by then)."""

    def k(x: dict[str, Any] | None) -> dict[str, Any] | None:
        return x if _known(x, known_by) else None

    def ks(xs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for x in xs if _known(x, known_by)]

    dec = k(f["decision"])
    tr = k(f["transfer"])
    transferred = bool(tr and tr["approved"])
    penalty = bool(dec and dec["outcome"] == "penalty")
    fined = bool(dec and dec.get("fine_id")) and not _known(revoked(f), known_by)
    held = k(f["hearing"].get("held"))
    review_needed = penalty and (f["major"] or f["complex"] or bool(held))
    investigation = [a["at"] for a in ks(f["acts"])] + [e["at"] for e in ks(list(f["evidence"].values()))]
    notices = ks(f["notices"])
    passed = [r for r in ks(f["reviews"]) if r["result"] == "passed"]
    service, settled, archive = k(f["service"]), k(f["settled"]), k(f["archive"])
    out = [
        ("filing", True, f["filed"]["at"]),
        ("investigation", True, min(investigation) if investigation else None),
        ("notice", penalty, notices[0]["at"] if notices else None),
        ("review", review_needed, passed[0]["at"] if passed else None),
        ("decision", not transferred, dec["at"] if dec else None),
        ("service", bool(dec), service["at"] if service else None),
        ("execution", fined, settled["at"] if settled else None),
        ("archive", True, archive["at"] if archive else None),
    ]
    if transferred:
        assert tr is not None
        out.insert(4, ("transfer", True, tr["at"]))
    result = []
    for name, required, at in out:
        present = at is not None or (name == "execution" and not fined)
        result.append({"stage": name, "required": required, "present": present, "at": at})
    return result


@rule("B1", "case", reads=None)
def b1_every_stage_recorded_and_archived(f: Facts, ctx: Context) -> Iterator[Finding]:
    closure = f["closure"]
    if closure is None:
        return
    missing = [s["stage"] for s in stages(f) if s["required"] and not s["present"] and s["stage"] != "archive"]
    if missing:
        yield Finding("B1", "closed case lacks stages: " + ", ".join(missing), (closure["v"],))
    due = deadline(day(closure["at"]), LAW.archiving)
    archive = f["archive"]
    if archive is None or day(archive["at"]) > due.last_day:
        yield Finding(
            "B1",
            f"closed case not archived within {LAW.archiving} (by {due})",
            (closure["v"],),
            since=due.over_at,
            approx=due.approx,
        )


@rule("B2", "case", reads=("ActRecorded",), entries=("ActRecorded",))
def b2_coercive_acts_on_audio_video(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for a in chosen(f["acts"], only):
        if a["type"] in COERCIVE:
            av = a["av"]
            if not av or not (_t(av.get("start")) <= a["at"] <= _t(av.get("end"))):
                yield Finding("B2", f"{a['type']} without an audio-video record covering it", (a["v"],))


def _t(x: Any) -> str:
    """An AV segment's bound as a facts time (or one that never covers)."""
    from datetime import datetime

    from ..facts import iso

    if not isinstance(x, str):
        return "~"
    try:
        return iso(datetime.fromisoformat(x))
    except ValueError:
        return "~"


@rule("B3", "case", reads=("ActRecorded",), entries=("ActRecorded",))
def b3_on_site_record_signed(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for a in chosen(f["acts"], only):
        if a["type"] in SIGNED_RECORDS:
            sig = a["signatures"] or {}
            if not (sig.get("officers") and (sig.get("party") or sig.get("refusal_noted") or sig.get("witness"))):
                yield Finding(
                    "B3",
                    "on-site record not signed by the party (or refusal/witness noted) and the officers",
                    (a["v"],),
                )


def evidence_status(ev: dict[str, Any], v: int) -> str:
    """The evidence's status as assessed before version ``v`` (what a decision at ``v`` saw)."""
    done = before(ev["assessments"], v)
    return str(done[-1]["status"]) if done else "collected"


@rule("B4", "case", reads=("EvidenceCollected", "EvidenceAssessed", "Decided"))
def b4_statutory_evidence_never_illegal_or_unverified(f: Facts, ctx: Context) -> Iterator[Finding]:
    for ev in f["evidence"].values():
        if ev["kind"] not in LAW.evidence_kinds:
            yield Finding("B4", f"evidence kind {ev['kind']!r} is not one of the statutory kinds", (ev["v"],))
        if not ev.get("sha256"):
            yield Finding("B4", "evidence carries a content hash (SHA-256)", (ev["v"],))
    for d in f["decisions"]:
        for eid in d.get("evidence_ids") or []:
            ev = f["evidence"].get(eid)
            if ev is None:
                continue
            status = evidence_status(ev, d["v"])
            if status in ("illegal", "unverified"):
                yield Finding("B4", f"evidence {eid} is marked {status} and cannot be cited", (ev["v"], d["v"]))


@rule("B5", "case", reads=None, entries=("*",))
def b5_recorded_promptly(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    if f["imported"]:
        return  # the old system's recording times are unknown: the import time is not one
    for e in chosen(f["events"], only):
        if e["rec"][:10] <= e["at"][:10]:
            continue
        due = deadline(day(e["at"]), LAW.recording)
        if day(e["rec"]) > due.last_day:
            n = (day(e["rec"]) - day(e["at"])).days
            yield Finding("B5", f"{e['e']} recorded {n} days after it happened", (e["v"],), approx=due.approx)


@rule("B6", "case", reads=("ActRecorded",))
def b6_preserved_evidence_disposed_of(f: Facts, ctx: Context) -> Iterator[Finding]:
    for a in f["acts"]:
        if a["type"] != "registration_preservation":
            continue
        due = deadline(day(a["at"]), LAW.preservation_disposal)
        disposal = next((x for x in f["acts"] if x["type"] == "preservation_disposal" and x["at"] >= a["at"]), None)
        if disposal is None or day(disposal["at"]) > due.last_day:
            yield Finding(
                "B6", f"preserved evidence not disposed of by {due}", (a["v"],), since=due.over_at, approx=due.approx
            )
