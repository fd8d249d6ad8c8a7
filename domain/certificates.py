"""An officer's certificate at any instant: a pure function of the officer's facts (A2, A6, A7).

The Officer aggregate (gates) and the audit (recorded and imported histories) both call
:func:`certificate_state`, so a certificate is judged the same way everywhere, as of the act's
own ``occurred_at``, never as of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .calendar import add_months
from .rules import LAW


@dataclass(frozen=True)
class CertState:
    status: str  # valid | none | expired | suspended | revoked | unvalidated
    number: str | None = None
    fields: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    last_validation: date | None = None

    def covers(self, matter_code: str, region: str) -> bool:
        """A field covers a matter when it is ``*`` or a prefix of the matter code; an area
        covers a region when it is ``*`` or a prefix of the region code."""
        return _covers(self.fields, self.areas, matter_code, region)

    def view(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "number": self.number,
            "fields": list(self.fields),
            "areas": list(self.areas),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "last_validation": self.last_validation.isoformat() if self.last_validation else None,
        }


@lru_cache(maxsize=4096)
def _covers(fields: tuple[str, ...], areas: tuple[str, ...], matter_code: str, region: str) -> bool:
    f_ok = any(f == "*" or matter_code.startswith(f) for f in fields)
    a_ok = any(a == "*" or region.startswith(a) for a in areas)
    return f_ok and a_ok


NONE = CertState("none")


def certificate_state(o: dict[str, Any], at: str, known_by: str | None = None) -> CertState:
    """The certificate's state at instant ``at`` (a facts time) from an officer's facts.

    ``known_by`` (a facts time) restricts the history to what was recorded by then, for a
    report as of a past moment."""

    def known(x: dict[str, Any]) -> bool:
        return known_by is None or x["rec"] <= known_by

    d = at[:10]
    current = None
    for c in o["certs"]:
        if c["valid_from"] <= d and known(c) and (current is None or c["valid_from"] >= current["valid_from"]):
            current = c
    if current is None:
        return NONE
    passed = [v["on"] for v in o["validations"] if v["passed"] and v["on"] <= d and known(v)]
    last_validation = max(passed) if passed else None
    base: dict[str, Any] = dict(
        number=current["number"],
        fields=tuple(current["fields"]),
        areas=tuple(current["areas"]),
        valid_from=date.fromisoformat(current["valid_from"]),
        valid_until=date.fromisoformat(current["valid_until"]),
        last_validation=date.fromisoformat(last_validation) if last_validation else None,
    )
    suspended = False
    for ch in sorted((c for c in o["status_changes"] if known(c)), key=lambda c: c["at"]):
        if ch["at"] > at:
            break
        if ch["kind"] == "revoked":
            return CertState("revoked", **base)
        suspended = ch["kind"] == "suspended"
    if suspended:
        return CertState("suspended", **base)
    if d > current["valid_until"]:
        return CertState("expired", **base)
    anchor = max(current["valid_from"], last_validation or current["valid_from"])
    failed_after = any((not v["passed"]) and anchor <= v["on"] <= d and known(v) for v in o["validations"])
    anchor_day = date.fromisoformat(anchor)
    grace_end = add_months(anchor_day, LAW.validation.count) + timedelta(days=LAW.validation_grace_days)
    if failed_after or date.fromisoformat(d) > grace_end:
        return CertState("unvalidated", **base)
    return CertState("valid", **base)
