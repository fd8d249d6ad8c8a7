"""The public disclosure list (行政执法公示): one redacted row per disclosed decision (G5).

A row holds only the fields the law allows the public to see: a natural person's name is
masked, and no identity number, address or phone number is ever copied into it. It is written
when the audit projection folds a disclosure, a withdrawal or a change of the decision, and the
public route reads it by one index (``published_at``), without a token.
"""

from __future__ import annotations

from typing import Any

from domain.calendar import deadline
from domain.facts import Facts, day
from domain.money import fen_to_yuan
from domain.rulebook.core import fen
from domain.rules import LAW

#: case events after which the case's public row is written again
TRIGGERS = frozenset({"Disclosed", "DisclosureWithdrawn", "DecisionChanged", "DecisionRevoked"})


def mask(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def stop_at(f: Facts, d: dict[str, Any], published_at: str) -> str | None:
    """When publication ends (总局令45号 13): a short period for 通报批评 or a lower fine,
    a long one otherwise; None where the sector sets no end."""
    scope = LAW.disclosure_scope(f["matter_code"])
    light = (
        all(p["type"] in ("warning", "public_criticism", "fine") for p in d["penalties"])
        and fen(d["penalties"]) <= scope.lower_fine_fen
    )
    period = scope.publication_short if light else scope.publication_long
    return deadline(day(published_at), period).over_at if period else None


def public_row(f: Facts, unit: Facts | None, position: int) -> dict[str, Any] | None:
    dis, d = f["disclosure"], f["decision"]
    if dis is None or d is None:
        return None
    party = f.get("party") or {}
    person = party.get("kind") == "person"
    item = {
        "decision_no": d["decision_no"],
        "unit": (unit or {}).get("name"),
        "unit_code": (unit or {}).get("code"),
        "matter_code": f["matter_code"],
        "party": {"kind": party.get("kind"), "name": mask(party.get("name") or "") if person else party.get("name")},
        "outcome": d["outcome"],
        "penalties": [
            {"type": p["type"], **({"amount": fen_to_yuan(p["amount_fen"])} if p.get("amount_fen") else {})}
            for p in d["penalties"]
        ],
        "legal_basis": d.get("legal_basis"),
        "decided_at": d["at"],
        "published_at": dis["at"],
    }
    w = f["withdrawal"]
    return {
        "case_id": f["id"],
        "unit_id": f["unit_id"],
        "published_at": dis["at"],
        "withdrawn_at": w["at"] if w else None,
        "stop_at": stop_at(f, d, dis["at"]),
        "item": item,
        "position": position,
    }
