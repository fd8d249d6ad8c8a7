"""One body per rule: every gate rule's breach, driven two ways.

1. Through the command: refused with the rule id, and nothing is recorded.
2. The same command recorded by a system without that gate (the gate switched off), exported
   as an older system's history and imported with ``oversight import``: the audit finds
   exactly the gate rules the command was refused for (an act by one certified officer and
   one with an expired certificate breaks A2 and A1), no more and no fewer.

Both ways run the one body of ``domain/rulebook``, so they cannot drift apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import orjson
import pytest

from domain import base
from domain.application import event_view
from domain.errors import RuleViolation
from domain.principal import SYSTEM, Actor
from domain.rules import RULES

from .story import FULL_CHECKLIST, Story, h, t

Breach = tuple[str, str, Callable[[], Any]]  # (subject kind, subject id, the breaching command)


@contextmanager
def without_gates() -> Iterator[None]:
    """An older system: the same commands, no gate rules."""
    original = base.gate
    base.gate = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        base.gate = original


def export(s: Story, kind: str, sid: str) -> tuple[str, list[str]]:
    """The subject's history (and a case's fine) as an older system's NDJSON, under new ids."""
    app = s.app
    ids: dict[str, str] = {}

    def lines_of(aggregate: str, aid: str) -> list[str]:
        out = []
        for e in app.events.get(uuid.UUID(aid)):
            ev = event_view(e)
            data = {k: ids.get(x, x) if isinstance(x, str) else x for k, x in ev["data"].items()}
            out.append(
                orjson.dumps(
                    {
                        "aggregate": aggregate,
                        "id": ids[aid],
                        "event": ev["type"],
                        "occurred_at": ev["occurred_at"],
                        "data": data,
                    }
                ).decode()
            )
        return out

    if kind == "officer":
        ids[sid] = str(uuid.uuid4())
        return ids[sid], lines_of("officer", sid)
    ids[sid] = str(uuid.uuid4())
    case = app.get_case(SYSTEM, sid)
    fine = (case.get("decision") or {}).get("fine_id")
    if fine:
        ids[fine] = str(uuid.uuid4())
    lines = lines_of("case", sid) + (lines_of("fine", fine) if fine else [])
    return ids[sid], lines


def imported_findings(s: Story, kind: str, new_id: str) -> list[dict[str, Any]]:
    from projections import reports

    s.runner.run_until_head()
    if kind == "officer":
        return list(reports.findings_all(s.engine, as_of=t(400), subject_id=new_id))
    return list(reports.findings_all(s.engine, as_of=t(400), case_id=new_id))


# ------------------------------------------------------------------ one breach per gate rule
def _case_with_evidence(s: Story, **kw: Any) -> tuple[str, str]:
    cid = s.file(**kw)
    return cid, s.investigated(cid)


def _noticed(s: Story, amount: str = "20000.00", **kw: Any) -> tuple[str, str]:
    cid, eid = _case_with_evidence(s, **kw)
    s.notice(cid, amount=amount)
    s.at(s.t(1, 12))
    s.app.waive_statement(s.off, cid, at=s.t(1, 12))
    return cid, eid


def _act(s: Story, cid: str, officers: list[str]) -> Callable[[], Any]:
    def run() -> Any:
        s.at(s.t(0, 15))
        return s.app.record_act(
            s.off,
            cid,
            type="inspection",
            occurred_at=s.t(0, 15),
            officers=officers,
            certificate_shown=True,
            record_sha256=h(cid + "act"),
            av=None,
        )

    return run


def _decide(s: Story, cid: str, eid: str, **kw: Any) -> Callable[[], Any]:
    def run() -> Any:
        return s.decide(cid, eid, decision_no="D-" + cid[:8], **kw)

    return run


def a1(s: Story) -> Breach:
    aux = s.officer("辅助", kind="auxiliary", employment="contract")
    cid = s.file()
    return "case", cid, _act(s, cid, [s.zhang, aux])


def a2(s: Story) -> Breach:
    expired = s.officer("过期", until=date(2026, 1, 31))
    cid = s.file()
    return "case", cid, _act(s, cid, [s.zhang, expired])


def a4(s: Story) -> Breach:
    contract = s.officer("合同工", employment="contract")
    s.app.record_exam(SYSTEM, contract, taken_on=date(2024, 11, 1), passed=True, score=90)

    def issue() -> Any:
        return s.app.issue_certificate(
            SYSTEM,
            contract,
            number="证" + contract[:6],
            fields=["MR"],
            areas=s.areas,
            valid_from=date(2025, 1, 1),
            valid_until=date(2028, 12, 31),
        )

    return "officer", contract, issue


def a5(s: Story) -> Breach:
    aux1 = s.officer("辅助一", kind="auxiliary", employment="contract")
    aux2 = s.officer("辅助二", kind="auxiliary", employment="contract")
    cid = s.file()
    return "case", cid, _act(s, cid, [aux1, aux2])


def a7(s: Story) -> Breach:
    s.app.suspend_certificate(SYSTEM, s.wang, at=s.t(-3), reason="暂扣执法证")
    cid = s.file()
    return "case", cid, _act(s, cid, [s.zhang, s.wang])


def a9(s: Story) -> Breach:
    unqualified = s.officer("无资格审核员", kind="legal_reviewer", legal=False)
    actor = Actor("rv2", "legal_reviewer", s.unit, unqualified)
    cid, _ = _noticed(s)

    def review() -> Any:
        s.at(s.t(5))
        return s.app.legal_review(
            actor, cid, reviewer_id=unqualified, at=s.t(5), result="passed", opinion="同意", checklist=FULL_CHECKLIST
        )

    return "case", cid, review


def a10(s: Story) -> Breach:
    cid, _ = _noticed(s, handlers=[s.zhang, s.reviewer])
    return "case", cid, lambda: s.review(cid, 5)


def b4(s: Story) -> Breach:
    cid = s.file()

    def collect() -> Any:
        s.at(s.t(0, 12))
        return s.app.collect_evidence(
            s.off,
            cid,
            kind="hearsay",
            description="传闻",
            sha256=h(cid + "hearsay"),
            collected_at=s.t(0, 12),
            officers=[s.zhang, s.li],
            certificate_shown=True,
        )

    return "case", cid, collect


def c3(s: Story) -> Breach:
    cid, eid = _case_with_evidence(s)
    return "case", cid, _decide(s, cid, eid)


def c4(s: Story) -> Breach:
    cid, eid = _case_with_evidence(s)
    s.notice(cid)
    s.at(s.t(2))
    s.app.receive_statement(s.off, cid, received_at=s.t(2), summary="申辩")
    return "case", cid, _decide(s, cid, eid)


def c5(s: Story) -> Breach:
    cid, _ = _case_with_evidence(s)

    def notice() -> Any:
        s.at(s.t(1))
        return s.app.serve_notice(
            s.off,
            cid,
            served_at=s.t(1),
            officers=[s.zhang, s.li],
            facts="销售不合格产品",
            reasons="抽检不合格",
            legal_basis="《产品质量法》第四十九条",
            proposed=[{"type": "fine", "amount": "150000.00"}],
            hearing_right=False,
        )

    return "case", cid, notice


def c7(s: Story) -> Breach:
    cid, eid = _noticed(s, complex=True)
    s.review(cid, 10)
    return "case", cid, _decide(s, cid, eid)


def c8(s: Story) -> Breach:
    cid, eid = _noticed(s, major=True)
    s.at(s.t(11))
    s.app.hold_discussion(
        s.hd, cid, held_at=s.t(11), attendees=[s.head, s.head2], minutes_sha256=h(cid), conclusion="处罚"
    )
    return "case", cid, _decide(s, cid, eid)


def c10(s: Story) -> Breach:
    cid, eid = _noticed(s)
    return "case", cid, _decide(s, cid, eid, legal_basis=" ")


def c11(s: Story) -> Breach:
    cid, eid = _noticed(s)
    return "case", cid, _decide(s, cid, eid, benchmark={"version": "2019-1", "tier": "一般"})


def c14(s: Story) -> Breach:
    cid, eid = _noticed(s)
    s.decide(cid, eid)
    return "case", cid, _decide(s, cid, eid)


def c16(s: Story) -> Breach:
    cid, eid = _noticed(s, amount="5000.00", procedure="simplified")
    return (
        "case",
        cid,
        _decide(
            s,
            cid,
            eid,
            penalties=[{"type": "fine", "amount": "5000.00"}],
            officers=[s.zhang, s.li],
            certificate_shown=True,
            form_no="当场-001",
        ),
    )


def d1(s: Story) -> Breach:
    cid, eid = _noticed(s)
    return "case", cid, _decide(s, cid, eid, payment={"bank_code": "某其他银行", "surcharge": True})


def _served(s: Story, **kw: Any) -> tuple[str, str]:
    cid, eid = _noticed(s, **kw.pop("file", {}))
    fine = s.decide(cid, eid, **kw)["fine_id"]
    s.serve(cid)
    return cid, str(fine)


def _collect(s: Story, fine: str, **kw: Any) -> Callable[[], Any]:
    def run() -> Any:
        s.at(s.t(15, 11))
        body = dict(receipt_no="财" + fine[:6], amount="50.00", collected_at=s.t(15, 11), officers=[s.zhang, s.li])
        body.update(kw)
        return s.app.collect_on_the_spot(
            s.off, fine, remote_area=body.pop("remote_area", False), reason=body.pop("reason", None), **body
        )

    return run


def d3(s: Story) -> Breach:
    cid, fine = _served(s)
    return "case", cid, _collect(s, fine)


def d4(s: Story) -> Breach:
    cid, fine = _served(s)
    return "case", cid, _collect(s, fine, remote_area=True)


def d5(s: Story) -> Breach:
    cid, fine = _served(
        s,
        file={"procedure": "simplified", "amount": "50.00"},
        penalties=[{"type": "fine", "amount": "50.00"}],
        officers=[s.zhang, s.li],
        certificate_shown=True,
        form_no="当场-002",
    )
    return "case", cid, _collect(s, fine, receipt_no=" ")


def d7(s: Story) -> Breach:
    cid, fine = _served(s)

    def defer() -> Any:
        s.at(s.t(20))
        return s.app.approve_deferral(
            s.hd, fine, applied_at=None, approved_at=s.t(20), kind="deferral", until=s.t(60).date()
        )

    return "case", cid, defer


def e2(s: Story) -> Breach:
    cid, fine = _served(s)

    def apply() -> Any:
        s.at(s.t(60))
        return s.app.apply_to_court(s.off, fine, at=s.t(60))

    return "case", cid, apply


def f3(s: Story) -> Breach:
    cid, _ = _case_with_evidence(s)

    def transfer() -> Any:
        s.at(s.t(3))
        return s.app.report_transfer(
            s.off,
            cid,
            reported_at=s.t(2),
            decided_at=s.t(3),
            sent_at=s.t(3, 12),
            to="public_security",
            documents=["transfer_letter"],
        )

    return "case", cid, transfer


def g2(s: Story) -> Breach:
    s.app.publish_benchmark(
        SYSTEM,
        matter_code=s.matter,
        version="2026-1",
        legal_basis="《产品质量法》第四十九条",
        statutory_min="0",
        statutory_max="200000.00",
        tiers=[{"tier": "一般", "min": "0", "max": "50000.00"}],
        effective_from=date(2026, 1, 1),
        published_at=t(30),
    )
    cid, eid = _noticed(s)
    return "case", cid, _decide(s, cid, eid, benchmark={"version": "2026-1", "tier": "一般"})


def j2(s: Story) -> Breach:
    cid, eid = _noticed(s, amount="100.00", procedure="simplified")
    return (
        "case",
        cid,
        _decide(
            s,
            cid,
            eid,
            penalties=[{"type": "fine", "amount": "100.00"}],
            officers=[s.zhang, s.li],
            certificate_shown=True,
            form_no="当场-003",
            remedies={"reconsideration_first": False},
        ),
    )


SCENARIOS: dict[str, Callable[[Story], Breach]] = {
    "A1": a1,
    "A2": a2,
    "A4": a4,
    "A5": a5,
    "A7": a7,
    "A9": a9,
    "A10": a10,
    "B4": b4,
    "C3": c3,
    "C4": c4,
    "C5": c5,
    "C7": c7,
    "C8": c8,
    "C10": c10,
    "C11": c11,
    "C14": c14,
    "C16": c16,
    "D1": d1,
    "D3": d3,
    "D4": d4,
    "D5": d5,
    "D7": d7,
    "E2": e2,
    "F3": f3,
    "G2": g2,
    "J2": j2,
}


def test_every_gate_rule_has_its_two_way_scenario() -> None:
    """G5 holds by construction: the public view is built from the allowed fields only."""
    assert set(SCENARIOS) | {"G5"} == {r.id for r in RULES.values() if r.kind == "gate"}


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_a_gate_rule_refuses_the_command_and_finds_the_same_breach_in_an_imported_history(
    story: Story, rule: str
) -> None:
    s = story
    kind, sid, breach = SCENARIOS[rule](s)
    # 1. Through the command: refused with the rule id and its citation; nothing recorded.
    before = s.app.max_position()
    with pytest.raises(RuleViolation) as refused:
        breach()
    assert refused.value.rule == rule and refused.value.citation == RULES[rule].citation
    assert s.app.max_position() == before
    gate_said = {r for r, _ in refused.value.also}  # every gate rule the command breaks
    # 2. The same command in a system without the gate, exported and imported as its history.
    with without_gates():
        breach()
    new_id, lines = export(s, kind, sid)
    s.at(t(100))
    s.app.import_history(SYSTEM, lines, "older-system.ndjson")
    found = imported_findings(s, kind, new_id)
    audit_said = {f["rule"] for f in found if RULES[f["rule"]].kind == "gate"}
    assert audit_said == gate_said, [(f["rule"], f["message"]) for f in found]
