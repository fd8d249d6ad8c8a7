"""Import from older systems: recorded without gates, marked imported, judged by the audits
(every gate rule is also an audit rule)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidInputError
from domain.principal import SYSTEM

from .story import Story, h, t


def line(aggregate: str, aid: str, event: str, at: Any, **data: Any) -> str:
    return json.dumps(
        {"aggregate": aggregate, "id": aid, "event": event, "occurred_at": at.isoformat(), "data": data},
        ensure_ascii=False,
    )


def imported_case(
    s: Story, *, major: bool = False, complex_: bool = False, officers: list[str] | None = None
) -> tuple[str, list[str]]:
    cid = str(uuid.uuid4())
    lines = [
        line(
            "case",
            cid,
            "Filed",
            t(0, 9),
            unit_id=s.unit,
            case_no="OLD-" + cid[:6],
            matter_code="MR-0101",
            region="410100",
            party={"kind": "organisation", "name": "p", "id_number": "1"},
            source="inspection",
            summary="s",
            occurred_on="2026-02-20",
            discovered_on="2026-03-01",
            approved_by=s.head,
            handlers=[s.zhang, s.li],
            procedure="general",
            major=major,
            complex=complex_,
            imported=False,
        ),
        line(
            "case",
            cid,
            "ActRecorded",
            t(0, 10),
            type="inspection",
            officers=officers or [s.zhang, s.li],
            certificate_shown=True,
            record_sha256=h(cid),
            av=None,
            signatures=None,
        ),
    ]
    return cid, lines


def decided(s: Story, cid: str, **kw: Any) -> str:
    return line(
        "case",
        cid,
        "Decided",
        t(14),
        decision_no="OLD-D-" + cid[:6],
        decided_by=s.head,
        outcome="penalty",
        penalties=[{"type": "warning"}],
        legal_basis="b",
        evidence_ids=kw.pop("evidence_ids", []),
        benchmark=None,
        payment=None,
        remedies={"reconsideration_days": 60, "litigation_months": 6},
        officers=[],
        certificate_shown=False,
        form_no=None,
        fine_id=None,
        hearing_record_cited=False,
    )


def run(s: Story, lines: list[str]) -> None:
    s.at(t(30))
    s.app.import_history(SYSTEM, lines, "old.ndjson")


def test_imported_case_is_marked_and_its_gate_breaches_are_findings(story: Story) -> None:
    s = story
    # One certified officer with an auxiliary (A1), no notice before the decision (C3).
    aux = s.app.register_officer(
        SYSTEM, name="aux", unit_id=s.unit, kind="auxiliary", employment="contract", legal_qualification=False
    )["id"]
    cid, lines = imported_case(s, officers=[s.zhang, aux])
    lines.append(decided(s, cid))
    run(s, lines)
    assert s.app.get_case(SYSTEM, cid)["imported"] is True
    found = s.findings(cid, t(31))
    assert {"A1", "C3"} <= {f["rule"] for f in found}


def test_imported_major_case_without_review_or_discussion(story: Story) -> None:
    s = story
    cid, lines = imported_case(s, major=True)
    lines.append(
        line(
            "case",
            cid,
            "NoticeServed",
            t(1),
            officers=[s.zhang, s.li],
            facts="f",
            legal_basis="b",
            proposed=[{"type": "warning"}],
            hearing_right=False,
        )
    )
    lines.append(decided(s, cid))
    run(s, lines)
    assert {"C7", "C8"} <= {f["rule"] for f in s.findings(cid, t(31))}


def test_imported_case_auxiliaries_only_statement_unchecked_hearing_skipped_bad_evidence(story: Story) -> None:
    s = story
    aux = [
        s.app.register_officer(
            SYSTEM, name=f"aux{i}", unit_id=s.unit, kind="auxiliary", employment="contract", legal_qualification=False
        )["id"]
        for i in (1, 2)
    ]
    cid, lines = imported_case(s, officers=aux)
    eid = str(uuid.uuid4())
    lines += [
        line(
            "case",
            cid,
            "EvidenceCollected",
            t(0, 11),
            evidence_id=eid,
            kind="physical",
            description="d",
            sha256=h("e"),
            officers=[s.zhang, s.li],
            certificate_shown=True,
        ),
        line("case", cid, "EvidenceAssessed", t(0, 12), evidence_id=eid, status="illegal", reason="r"),
        line(
            "case",
            cid,
            "NoticeServed",
            t(1),
            officers=[s.zhang, s.li],
            facts="f",
            legal_basis="b",
            proposed=[{"type": "warning"}],
            hearing_right=True,
        ),
        line("case", cid, "StatementReceived", t(2), summary="申辩"),
        line("case", cid, "HearingRequested", t(2)),
        decided(s, cid, evidence_ids=[eid]),
    ]
    run(s, lines)
    assert {"A5", "B4", "C4", "C5"} <= {f["rule"] for f in s.findings(cid, t(31))}


def test_a_bad_line_is_refused_with_its_number_and_nothing_is_recorded(story: Story) -> None:
    s = story
    cid, lines = imported_case(s)
    lines.append(line("case", cid, "NoSuchEvent", t(1)))
    before = s.app.max_position()
    with pytest.raises(InvalidInputError) as e:
        run(s, lines)
    assert e.value.field == "line 3"
    assert s.app.max_position() == before


def test_oversight_import_on_the_command_line(story: Story, tmp_path: Any) -> None:
    s = story
    cid, lines = imported_case(s)
    path = tmp_path / "old.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "import", str(path), "--db", s.app.store.url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["events"] == 2
    again = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "import", str(path), "--db", s.app.store.url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and "oversight:" in again.stderr


@pytest.mark.parametrize(
    "rule", ["A1", "A5", "A9", "A10", "B4", "C3", "C4", "C5", "C7", "C8", "C10", "C14", "C16", "J2", "F3"]
)
def test_each_gate_rule_breached_in_an_imported_history_is_exactly_one_finding(story: Story, rule: str) -> None:
    from scripts.demo import sc_imported

    cid, planted = sc_imported(story, rule)
    assert planted == [rule]
    found = story.findings(cid, t(20))
    assert [f["rule"] for f in found] == [rule]
    assert found[0]["case_id"] == cid and found[0]["citation"]


@pytest.mark.parametrize("rule", ["C11", "D1", "D3", "D4", "D5", "D7", "D10", "E2"])
def test_each_fine_gate_rule_breached_in_an_imported_history_is_found(story: Story, rule: str) -> None:
    from scripts.demo import sc_imported_fine

    cid, planted = sc_imported_fine(story, rule)
    found = story.findings(cid, t(80))
    assert sorted(f["rule"] for f in found) == planted and rule in planted


def test_a4_certificate_issued_to_contract_staff_in_an_imported_history(story: Story) -> None:
    from projections import reports

    s = story
    oid = str(uuid.uuid4())
    lines = [
        json.dumps(
            {
                "aggregate": "officer",
                "id": oid,
                "event": "Registered",
                "occurred_at": t(-100).isoformat(),
                "data": {
                    "name": "合同工",
                    "unit_id": s.unit,
                    "kind": "officer",
                    "employment": "contract",
                    "legal_qualification": False,
                    "reviewer_since": None,
                },
            }
        ),
        json.dumps(
            {
                "aggregate": "officer",
                "id": oid,
                "event": "CertificateIssued",
                "occurred_at": t(-90).isoformat(),
                "data": {
                    "number": "旧证1",
                    "fields": ["MR"],
                    "areas": ["4101"],
                    "valid_from": "2025-01-01",
                    "valid_until": "2028-01-01",
                },
            }
        ),
    ]
    s.app.import_history(SYSTEM, lines, "officers.ndjson")
    s.runner.run_until_head()
    rows = {r["officer_id"]: r for r in reports.officers_page(s.engine, unit_id=s.unit, as_of=t(0), limit=500)["items"]}
    assert [f["rule"] for f in rows[oid]["findings"] if f["rule"] == "A4"] == ["A4"]
    assert not [f for f in rows[s.zhang]["findings"] if f["rule"] == "A4"]


def test_g2_imported_decision_under_an_unpublished_benchmark(story: Story) -> None:
    from scripts.demo import sc_imported_fine

    s = story
    # A new version, in force from before the story but published only in the autumn.
    s.app.publish_benchmark(
        SYSTEM,
        matter_code=s.matter,
        version="2026-1",
        legal_basis="b",
        statutory_min="0",
        statutory_max="200000.00",
        tiers=[{"tier": "一般", "min": "0", "max": "50000.00"}],
        effective_from=date(2026, 1, 1),
        published_at=t(200),
    )
    cid, _ = sc_imported_fine(s, "G2")  # names 2026-1, in force but not yet published
    assert sorted(f["rule"] for f in s.findings(cid, t(80))) == ["G2"]


def test_a_line_whose_field_types_do_not_match_is_refused_and_nothing_is_recorded(story: Story) -> None:
    from domain.errors import InvalidInputError
    from scripts.demo import legacy_draw_line, legacy_line

    s = story
    before = s.app.max_position()
    iid = "00000000-0000-4000-8000-00000000bbbb"
    # A string where the list of a target's officers belongs.
    bad = legacy_draw_line(s, iid, "旧任务", t(0), "ab" * 32, [s.zhang, s.li], {"A": s.zhang})
    with pytest.raises(InvalidInputError) as e:
        s.app.import_history(SYSTEM, [bad], "bad.ndjson")
    assert e.value.field == "line 1" and "is not list" in str(e.value)
    amount = legacy_line("fine", iid, "Imposed", t(0), case_id="c", unit_id=s.unit, decision_no="d",
                         amount_fen="100", bank_code="B", surcharge=False)  # fmt: skip
    with pytest.raises(InvalidInputError, match="is not int"):
        s.app.import_history(SYSTEM, [amount], "bad.ndjson")
    assert s.app.max_position() == before
