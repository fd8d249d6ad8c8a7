"""The demo at scale: over `demo --cases 200`, every planted breach is found and nothing else,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict

from domain.application import Oversight
from domain.rules import RULES
from projections import build_runner, reports
from projections.db import make_engine
from scripts.demo import load_demo

# Every audit rule the audit projection judges is planted by the demo at least once.
JUDGED = {
    "A1",
    "A2",
    "A3",
    "A5",
    "A7",
    "B1",
    "B2",
    "B3",
    "B4",
    "B5",
    "B6",
    "C1",
    "C2",
    "C3",
    "C4",
    "C5",
    "C6",
    "C7",
    "C8",
    "C9",
    "C12",
    "C13",
    "C17",
    "D2",
    "D6",
    "E3",
    "E7",
    "E8",
    "F2",
    "G3",
    "H1",
    "J1",
    "F1",
    "G4",
    "A10",
    "C10",
    "C16",
    "J2",
    "F3",
    "D3",
    "D4",
    "D5",
    "D7",
    "E2",
    "D1",
    "A9",
    "C14",
    "C11",
    "D10",
    "D8",
    "D9",
    "E1",
    "E4",
}
# Officer-level rules (findings without a case).
JUDGED_OFFICERS = {"A4", "A6", "A8"}
# Random inspections (I1) are planted in their own tasks (findings with an inspection_id).


def test_every_audit_rule_and_every_gate_rule_is_planted_in_the_demo() -> None:
    """Every audit rule of RULES.md, and every gate rule re-checked for imported histories, is
    planted by the demo, but two: G5 holds by construction (the public view has only allowed
    fields), and G2 (tests/test_import.py) would need a benchmark version published late, which
    would change the benchmark in force for every other demo decision of that matter."""
    planted = JUDGED | JUDGED_OFFICERS | {"I1"}
    assert {r.id for r in RULES.values() if r.kind == "audit"} <= planted
    assert {r.id for r in RULES.values() if r.kind == "gate"} - planted == {"G2", "G5"}


def test_demo_200_planted_breaches_are_all_found_and_nothing_else(oversight: Oversight) -> None:
    demo = load_demo(oversight, cases=200)
    planted = demo["planted"]
    assert len(planted) == 200
    assert {r for rules in planted.values() for r in rules} == JUDGED
    engine = make_engine(oversight.store)
    try:
        build_runner(oversight.recorder, oversight.mapper, engine).run_until_head()
        found: dict[str, list[str]] = defaultdict(list)
        by_officer: dict[str, list[str]] = defaultdict(list)
        by_inspection: dict[str, list[str]] = defaultdict(list)
        for f in reports.findings_all(engine, as_of=demo["as_of"]):
            if f.get("inspection_id"):
                by_inspection[f["inspection_id"]].append(f["rule"])
            elif f["case_id"] is None:
                by_officer[f["officer_id"]].append(f["rule"])
            else:
                found[f["case_id"]].append(f["rule"])
    finally:
        engine.dispose()
    assert {cid: sorted(rules) for cid, rules in found.items()} == {
        cid: rules for cid, rules in planted.items() if rules
    }
    assert {r for rules in demo["planted_officers"].values() for r in rules} == JUDGED_OFFICERS
    assert dict(by_officer) == demo["planted_officers"]
    assert dict(by_inspection) == {i: rules for i, rules in demo["planted_inspections"].items() if rules}
    assert len(demo["planted_inspections"]) > len(by_inspection)  # and a clean one
