"""Reports: officers (A6, A8), an officer's acts, the fine ledger (D8), public disclosure (G5),
CSV, and who may read what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import orjson
from fastapi.testclient import TestClient

from domain.application import Oversight
from domain.calendar import CHINA
from domain.principal import SYSTEM
from projections import reports

from .conftest import World, at, day
from .story import Story, t


def test_officer_report_shows_certificate_states_training_and_expiry(story: Story) -> None:
    s = story
    s.app.record_training(SYSTEM, s.zhang, on=date(2026, 2, 1), hours=60, topic="行政处罚法")
    s.app.suspend_certificate(SYSTEM, s.li, at=t(-5), reason="暂扣")
    s.runner.run_until_head()
    rows = {r["officer_id"]: r for r in reports.officers_page(s.engine, unit_id=s.unit, as_of=t(0), limit=500)["items"]}
    assert rows[s.zhang]["certificate_status"] == "valid" and rows[s.zhang]["training_hours"] == 60
    assert not [f for f in rows[s.zhang]["findings"] if f["rule"] == "A8"]
    assert rows[s.li]["certificate_status"] == "suspended"
    assert [f["rule"] for f in rows[s.wang]["findings"]] == ["A8"]  # no training this year
    # 30 days before expiry (2028-12-31) the certificate is reported (A6).
    late = {
        r["officer_id"]: r for r in reports.officers_page(s.engine, unit_id=s.unit, as_of=t(1016), limit=500)["items"]
    }
    assert "A6" in [f["rule"] for f in late[s.zhang]["findings"]]


def test_officer_acts_carry_the_certificate_state_at_each_instant(story: Story) -> None:
    s = story
    cid = s.file()
    s.act(cid, t(0, 10), officers=[s.zhang, s.li, s.wang])
    s.at(t(3))
    s.app.suspend_certificate(SYSTEM, s.wang, at=t(1), reason="暂扣")
    s.at(t(4))
    s.app.reinstate_certificate(SYSTEM, s.wang, at=t(4), reason="恢复")
    s.act(cid, t(5, 10), officers=[s.zhang, s.wang])
    s.runner.run_until_head()
    acts = reports.officer_acts_page(s.engine, s.wang, as_of=t(400))
    assert acts is not None
    assert [a["certificate_status"] for a in acts["items"]] == ["valid", "valid"]
    s.at(t(6))
    s.app.suspend_certificate(SYSTEM, s.wang, at=t(5), reason="追溯暂扣")
    s.runner.run_until_head()
    acts = reports.officer_acts_page(s.engine, s.wang, as_of=t(400))
    assert acts is not None and [a["certificate_status"] for a in acts["items"]] == ["valid", "suspended"]


def test_fine_ledger_accrues_the_surcharge_after_the_due_date(story: Story) -> None:
    s = story
    cid = s.file()
    eid = s.investigated(cid)
    s.notice(cid)
    fine = s.decide(cid, eid)["fine_id"]
    s.serve(cid)  # day 15: due on day 30 (15 calendar days)
    s.runner.run_until_head()
    before = reports.fines_report(s.engine, s.unit, t(30))
    assert before["fines"][0]["surcharge"] == "0.00" and not before["fines"][0]["overdue"]
    after = reports.fines_report(s.engine, s.unit, t(32))
    row = after["fines"][0]
    # 3% a day of 20,000 yuan for 2 days = 1,200 yuan.
    assert (row["fine_id"], row["overdue"], row["surcharge"]) == (fine, True, "1200.00")
    capped = reports.fines_report(s.engine, s.unit, t(200))["fines"][0]
    assert capped["surcharge"] == "20000.00"  # capped at the fine
    unit = after["units"][0]
    assert (unit["decided"], unit["paid"], unit["outstanding"], unit["overdue"]) == (
        "20000.00",
        "0.00",
        "20000.00",
        "20000.00",
    )
    assert s.app.get_fine(SYSTEM, fine, t(32))["surcharge"] == "1200.00"  # the same rule


def test_fine_ledger_shows_where_the_money_went_and_the_separation_breaches(story: Story) -> None:
    s = story
    kept, kept_fine = s.served_fine()
    s.pay(kept_fine, 18, remit_after=None)  # the bank keeps it (D9)
    sent, sent_fine = s.served_fine()
    s.pay(sent_fine, 18)  # remitted the same day
    s.runner.run_until_head()
    ledger = reports.fines_report(s.engine, s.unit, t(30))
    rows = {f["fine_id"]: f for f in ledger["fines"]}
    assert (rows[kept_fine]["remitted_to_treasury"], rows[kept_fine]["held_by_bank"]) == ("0.00", "20000.00")
    assert rows[kept_fine]["separation_breaches"] == ["D9"]
    assert (rows[sent_fine]["remitted_to_treasury"], rows[sent_fine]["held_by_bank"]) == ("20000.00", "0.00")
    assert rows[sent_fine]["separation_breaches"] == []
    unit = ledger["units"][0]
    assert (unit["paid"], unit["remitted_to_treasury"], unit["separation_breaches"]) == ("40000.00", "20000.00", 1)


def test_public_disclosure_is_redacted_and_withdrawals_disappear(world: World) -> None:
    w, c = world, world.c
    cid = w.file(
        party={
            "kind": "person",
            "name": "张三丰",
            "id_number": "410102199001011234",
            "address": "郑州市某路1号",
            "phone": "13800000000",
        }
    )
    eid = w.evidence(cid)
    w.notice(cid, amount="5000.00")  # below a person's hearing threshold
    w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid, amount="5000.00"))
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(day(15)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    pos = w.post(f"/v1/cases/{cid}/disclosures", w.officer_h, {"published_at": at(day(16)), "channel": "website"})[
        "position"
    ]
    r = c.get("/v1/public/disclosures", params={"min_position": pos})
    assert r.status_code == 200
    text = r.text
    assert "张**" in text and "张三丰" not in text
    assert "410102199001011234" not in text and "13800000000" not in text and "某路" not in text
    item = r.json()["items"][0]
    assert item["penalties"] == [{"type": "fine", "amount": "5000.00"}]
    pos = w.post(f"/v1/cases/{cid}/disclosure-withdrawals", w.officer_h, {"at": at(day(17)), "reason": "决定被撤销"})[
        "position"
    ]
    assert c.get("/v1/public/disclosures", params={"min_position": pos}).json()["items"] == []


def test_audit_routes_scope_and_csv(client: TestClient, fixed_clock: None) -> None:
    a, b = World(client), World(client, benchmark=False)
    cid = a.file()
    pos = a.post(
        f"/v1/cases/{cid}/interventions",
        a.officer_h,
        {"official": "某领导", "position": "副市长", "occurred_at": at(day(0)), "channel": "phone", "content": "过问"},
    )["position"]
    q = {"min_position": pos, "as_of": at(day(30))}  # a fixed date: officers' deadlines move with "now"
    # Auditors see every unit; a unit head only their own; an officer no audit report.
    found = client.get("/v1/audits/findings", params=q | {"rule": "H1"}, headers=a.auditor_h).json()["items"]
    assert [(f["case_id"], f["rule"]) for f in found] == [(cid, "H1")]
    assert client.get("/v1/audits/findings", params=q | {"unit_id": a.unit_id}, headers=b.head_h).status_code == 403
    assert client.get("/v1/audits/findings", params=q, headers=b.head_h).json()["items"] == []
    assert client.get("/v1/audits/findings", params=q, headers=a.officer_h).status_code == 403
    # CSV of the same list.
    r = client.get("/v1/audits/findings", params=q | {"rule": "H1", "format": "csv"}, headers=a.auditor_h)
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["case_id"], x["rule"]) for x in rows] == [(cid, "H1")]
    # The case audit and the unit's scorecard.
    audit = client.get(f"/v1/audits/cases/{cid}", params=q, headers=a.head_h).json()
    assert audit["stages"][0] == {"stage": "filing", "present": True, "at": audit["stages"][0]["at"], "required": True}
    assert client.get(f"/v1/audits/cases/{cid}", params=q, headers=b.head_h).status_code == 403
    card = client.get(f"/v1/audits/units/{a.unit_id}/scorecard", params=q, headers=a.auditor_h).json()
    assert card["cases"] == []  # no closed case yet
    officers = client.get("/v1/audits/officers", params=q | {"unit_id": a.unit_id}, headers=a.auditor_h).json()
    status = {o["officer_id"]: o["certificate_status"] for o in officers["items"]}
    assert status[a.expired] == "expired" and status[a.suspended] == "suspended" and status[a.zhang] == "valid"
    fines = client.get("/v1/audits/fines", params=q | {"format": "csv"}, headers=a.auditor_h)
    assert fines.status_code == 200 and fines.text.startswith("fine_id,")


def test_officer_level_findings_a6_and_a8_are_in_the_findings_list(story: Story) -> None:
    s = story
    overdue = s.officer("年审逾期", validated=False)  # validated last on issue (2025-01-01)
    expiring = s.officer("月底到期", until=date(2026, 3, 20))
    untrained = s.officer("学时不足", training_hours=24)
    s.runner.run_until_head()

    def officer_findings(as_of: Any) -> dict[str, list[tuple[str, str, str]]]:
        out: dict[str, list[tuple[str, str, str]]] = {}
        for f in reports.findings_all(s.engine, as_of=as_of, unit_id=s.unit):
            if f["case_id"] is None:
                assert f["events"] and all(e["aggregate_id"] == f["officer_id"] for e in f["events"])
                out.setdefault(f["officer_id"], []).append((f["rule"], f["severity"], f["message"]))
        return out

    found = officer_findings(t(0))  # 2026-03-02
    assert found == {
        overdue: [("A6", "major", "yearly validation overdue since 2026-01-01")],
        expiring: [("A6", "minor", f"certificate 证{expiring[:6]} expires on 2026-03-20")],
        untrained: [("A8", "minor", "24 of 60 training hours in 2025")],
    }
    # Satisfied: the officers validated, trained and with a distant expiry yield nothing; the
    # expiring certificate is not reported more than 30 days before; 2026 is not yet complete.
    assert s.zhang not in found and s.li not in found
    early = officer_findings(datetime(2026, 2, 10, tzinfo=CHINA))
    assert expiring not in early
    # A validation falling due within 30 days is reported before it blocks work.
    assert ("A6", "minor", "yearly validation due by 2027-01-10") in officer_findings(
        datetime(2026, 12, 20, tzinfo=CHINA)
    )[s.zhang]
    # Filters apply to officer-level findings too.
    only = reports.findings_all(s.engine, as_of=t(0), rule="A8", officer_id=untrained)
    assert [(f["rule"], f["officer_id"]) for f in only] == [("A8", untrained)]


def test_case_file_score_vetoes_and_deducts_as_rules_k_says() -> None:
    from projections.scorecard import score

    def fd(rule: str, message: str = "x") -> dict[str, Any]:
        return {"rule": rule, "message": message}

    assert score([], True) == {"total": 100, "veto": [], "deductions": [], "grade": "优秀"}
    # A decision served late is a content deduction; one never served vetoes the file.
    late = score([fd("C13", "served 9 working days after the decision")], True)
    assert (late["total"], late["veto"]) == (90, [])
    never = score([fd("C13", "decision not served by 2026-03-25")], True)
    assert (never["total"], never["veto"], never["grade"]) == (0, ["C13"], "不合格")
    # The benchmark not applied (C11) and a fine collected by the wrong hands (D1) deduct.
    both = score([fd("C11"), fd("D1")], True)
    assert (both["total"], [d["rule"] for d in both["deductions"]]) == (90, ["C11", "D1"])
    assert score([], False)["veto"] == ["POWERS"]


def test_the_command_line_officers_csv_neutralises_cells_that_begin_like_a_formula(oversight: Oversight) -> None:
    import subprocess
    import sys

    unit = oversight.register_unit(SYSTEM, code="CSV-1", name="n", region="410100", matters=[], banks=[])["id"]
    names = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "张伟"]
    for name in names:
        oversight.register_officer(
            SYSTEM, name=name, unit_id=unit, kind="officer", employment="established", legal_qualification=False
        )
    cmd = [sys.executable, "-m", "scripts.cli", "report", "officers", "--format", "csv", "--db", oversight.store.url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    cells = {row["name"] for row in csv.DictReader(io.StringIO(out.stdout))}
    assert cells == {"'" + n for n in names[:4]} | {"张伟"}


def test_the_unit_fine_totals_as_of_now_follow_every_new_payment(story: Any) -> None:
    """The totals as of now are kept per projected position and day: a payment recorded
    after a first read shows in the next one."""
    from api.main import create_app

    s = story
    _, fid = s.served_fine()
    token = s.app.grant_principal(SYSTEM, name="审计", role="auditor")["token"]
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(oversight=s.app)) as c:

        def mine() -> dict[str, Any]:
            r = c.get(f"/v1/audits/fines?min_position={s.app.max_position()}", headers=h)
            assert r.status_code == 200, r.text
            return next(u for u in r.json()["units"] if u["unit_id"] == s.unit)

        before = mine()
        assert before == mine()  # the same position and day: the same totals
        assert before["outstanding"] == "20000.00" and before["paid"] == "0.00"
        s.pay(fid, remit_after=None)
        after = mine()
        assert after["paid"] == "20000.00" and after["outstanding"] == "0.00"


def _as_cell(v: Any) -> str:
    """A JSON item's value as the CSV writes it (formula-like text neutralised)."""
    if v is None:
        return ""
    if isinstance(v, (list, dict)):
        return orjson.dumps(v).decode()
    if isinstance(v, str):
        return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
    return str(v)


def test_the_findings_and_fines_csv_exports_are_the_json_items_cell_by_cell(story: Any) -> None:
    """The exports write rows from lists of values, a chunk at a time: each line is the API's
    item, with formula-like text neutralised and lists as JSON."""
    from api.main import create_app

    s = story
    cid = s.file()
    eid = s.investigated(cid)
    s.notice(cid)
    formula = s.decide(cid, eid, decision_no="=HYPERLINK(1)")["fine_id"]
    s.serve(cid)
    _, kept = s.served_fine()
    s.pay(kept, 18, remit_after=None)  # the bank keeps it (D9)
    s.served_fine()
    token = s.app.grant_principal(SYSTEM, name="审计", role="auditor")["token"]
    h = {"Authorization": f"Bearer {token}"}
    q = {"min_position": s.app.max_position(), "as_of": t(40).isoformat()}
    exported: dict[str, list[dict[str, str]]] = {}
    with TestClient(create_app(oversight=s.app)) as c:
        for path, key in (("/v1/audits/fines", "fines"), ("/v1/audits/findings", "items")):
            items = c.get(path, params=q, headers=h).json()[key]
            r = c.get(path, params=q | {"format": "csv"}, headers=h)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
            lines = list(csv.DictReader(io.StringIO(r.text)))
            assert len(lines) == len(items) > 0
            assert lines == [{k: _as_cell(v) for k, v in it.items()} for it in items]
            exported[key] = lines
    fines = {x["fine_id"]: x for x in exported["fines"]}
    assert fines[formula]["decision_no"] == "'=HYPERLINK(1)"
    assert fines[kept]["separation_breaches"] == '["D9"]' and fines[kept]["overdue"] == "False"
    assert {x["rule"] for x in exported["items"]} >= {"D9"}


def test_counts_as_of_now_are_kept_only_until_a_finding_starts_to_hold(story: Story) -> None:
    """The counts as of now are kept per projected position, and only until the next moment a
    finding starts or ends to hold: a deadline that passes with no new event shows at once."""
    s = story
    cid = s.file()
    eid = s.investigated(cid)
    s.notice(cid)
    s.decide(cid, eid)  # day 14, never served: C13 once the period for service has run
    s.runner.run_until_head()
    view = s.runner.projection("audit").view

    def counts(n: float) -> dict[str, int]:
        return reports.counts_by_rule(s.engine, as_of=t(n), current=view, unit_id=s.unit)

    exact = reports.counts_by_rule(s.engine, as_of=t(60), unit_id=s.unit)
    assert exact.get("C13") == 1
    before = counts(14.5)
    assert "C13" not in before
    assert counts(14.5) == before  # kept: the same position, before the next change
    assert counts(60) == exact  # the deadline passed: counted again, the same as uncached
    other = s.file()  # a second unserved decision: the projection moves, the key with it
    s.notice(other)
    s.decide(other, s.investigated(other))
    s.runner.run_until_head()
    assert counts(60).get("C13") == 2


def test_the_scorecard_totals_as_of_now_follow_a_new_closed_case(story: Story) -> None:
    """The unit's score totals as of now are kept per projected position until a score row
    starts or ends: a case closed after a first read is counted in the next one."""
    s = story
    view = s.runner.projection("audit").view

    def card(n: float) -> dict[str, Any]:
        return reports.scorecard_report(s.engine, s.unit, t(n), current=view)

    cid, _ = s.clean_fined_case()
    s.runner.run_until_head()
    first = card(60)
    assert first["count"] == 1 and card(60) == first
    s.clean_fined_case()
    s.runner.run_until_head()
    again = card(60)
    assert again["count"] == 2 == reports.scorecard_report(s.engine, s.unit, t(60))["count"]
    assert card(0)["count"] == 0  # before any case was closed: not the answer kept for day 60


def test_a_page_of_fines_as_of_a_recent_moment_is_the_same_fines_read_from_the_current_rows(
    story: Story, monkeypatch: Any
) -> None:
    """As of a recent moment a page of fines reads the current rows and the rows that ended
    after it, merged in id order; further back, every fine's history in id order. Page by page
    (a cursor across parts), filtered or not, both give the same fines."""
    from datetime import timedelta

    from projections.reports import fines as fr

    s = story
    fids = []
    for _ in range(4):
        fids.append(s.served_fine()[1])
    s.pay(fids[0], 18)
    s.pay(fids[1], 40, remit_after=None)  # late, and kept by the bank
    s.runner.run_until_head()

    def pages(as_of: datetime, **kw: Any) -> list[dict[str, Any]]:
        out, cursor = [], None
        while True:
            page = reports.fines_page(s.engine, as_of=as_of, limit=1, cursor=cursor, **kw)
            out += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return out

    def both(as_of: datetime, **kw: Any) -> list[dict[str, Any]]:
        monkeypatch.setattr(fr, "RECENT", timedelta(days=100_000))  # always the two parts
        parts = pages(as_of, **kw)
        monkeypatch.setattr(fr, "RECENT", timedelta(days=-100_000))  # always one scan
        scan = pages(as_of, **kw)
        assert parts == scan, as_of
        return parts

    # day 20: the first payment's row holds; the second fine's row of day 15 ends on day 40
    mid = both(t(20), unit_id=None)
    assert {f["fine_id"] for f in mid} == set(fids)
    assert {f["fine_id"]: f["paid"] for f in mid}[fids[1]] == "0.00"
    assert [f["fine_id"] for f in mid] == sorted(fids)
    for n in (14.5, 16, 31, 41, 200):
        both(t(n), unit_id=s.unit)
        both(t(n), unit_id=None, show="outstanding")
    late = {f["fine_id"]: f for f in both(t(200), unit_id=None)}
    assert late[fids[1]]["paid"] == "20000.00" and late[fids[1]]["separation_breaches"] == ["D9"]
    assert both(t(200), unit_id=None, show="breaches") == [late[fids[1]]]


def test_the_csv_text_is_what_the_csv_module_writes() -> None:
    """The exports join a row's cells themselves (faster than ``csv.writer``) and quote only
    what needs it: the text is the writer's, for commas, quotes, line breaks, empty cells and
    non-text values, one column or many."""
    import random

    from projections.reports.csv import FORMULA, stream_values

    cells: list[Any] = ["a", "", None, True, False, 0, 12, 1.5, "x,y", 'q"uote', "line\nbreak", "cr\rx"]
    cells += ["中文，全角", " lead", "=f", "-1.00", "@x", "\t", "\r", '""', ",", "\n", '"', 'a"b,c\nd']
    rng = random.Random(7)
    for width in (1, 2, 7):
        columns = [f"c{i}" for i in range(width)]
        rows = [[rng.choice(cells) for _ in columns] for _ in range(3000)]
        as_json = (width - 1,) if width > 1 else ()
        text = tuple(range(width - 1)) if width > 1 else (0,)
        for r in rows:
            for i in as_json:
                r[i] = rng.choice([[], ["D1", "D9"], {"k": 'v,"'}])
        expected = [list(r) for r in rows]
        for r in expected:
            for i in text:
                if isinstance(r[i], str) and r[i][:1] in FORMULA:
                    r[i] = "'" + r[i]
            for i in as_json:
                r[i] = orjson.dumps(r[i]).decode()
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        w.writerows(expected)
        chunks = [[list(r) for r in rows[:1000]], [], [list(r) for r in rows[1000:]]]
        assert "".join(stream_values(chunks, columns, text=text, as_json=as_json)) == buf.getvalue(), width
