"""The indexed reports equal the slow path (tests/oracle.py: every rule body over every history
as recorded by T) over `demo --cases 200`, at a dozen moments: before the first case, inside
and after deadlines, on and across holidays (Qingming, Labour Day, National Day), at the demo's
date and long after. Findings, officers, fines (per fine and per unit) and every unit's
scorecard; on SQLite and PostgreSQL. A rebuild answers the same."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
import psycopg
import pytest
from sqlalchemy.engine import Engine

from domain.application import Oversight
from domain.calendar import CHINA
from domain.facts import iso
from projections import build_runner, reports
from projections.db import make_engine
from scripts.demo import DEMO_AS_OF, load_demo

from .conftest import PG_URL, REQUIRE_PG, _pg_available
from .oracle import Oracle, read_log


def _t(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CHINA)


MOMENTS = [
    _t(2026, 1, 5),  # officers registered, no case yet
    _t(2026, 3, 20),  # the first cases inside their periods
    _t(2026, 4, 5, 23, 59),  # Qingming holiday
    _t(2026, 5, 3),  # inside the Labour Day holiday
    _t(2026, 5, 6, 9),  # the first working morning after it
    _t(2026, 6, 30, 23, 59),  # the last minute of a certificate
    _t(2026, 7, 1, 0, 1),  # and the first minute after it
    _t(2026, 8, 1, 9, 30),  # just after a revocation
    _t(2026, 10, 4),  # inside National Day
    _t(2026, 10, 9, 9),  # the first working day after it
    DEMO_AS_OF,
    _t(2027, 6, 1),  # long after: every period has run
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('eq')}/oversight.db"
    else:
        if not _pg_available():
            if REQUIRE_PG:
                pytest.fail(f"PostgreSQL is required (OVERSIGHT_REQUIRE_POSTGRES=1) but {PG_URL} is unreachable")
            pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
        schema = "t_" + uuid.uuid4().hex[:12]
        url = f"{PG_URL.split('?')[0]}?schema={schema}"
    app = Oversight(url)
    engine = make_engine(app.store)
    try:
        load_demo(app, cases=200)
        build_runner(app.recorder, app.mapper, engine).run_until_head()
        log = read_log(app)
        units = sorted({sid for kind, sid, _ in log if kind == "unit"})
        yield {"app": app, "engine": engine, "log": log, "units": units}
    finally:
        engine.dispose()
        app.close()
        if schema:
            with psycopg.connect(PG_URL.split("?")[0], autocommit=True) as con:
                con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _bag(rows: list[dict[str, Any]]) -> Counter[bytes]:
    return Counter(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in rows)


def _pages(fetch: Any, key: str = "items") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = fetch(cursor)
        out += page[key]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _indexed_findings(engine: Engine, as_of: datetime) -> list[dict[str, Any]]:
    rows = _pages(lambda c: reports.findings_page(engine, as_of=as_of, limit=97, cursor=c))
    now = iso(as_of)
    for r in rows:  # when it became known is the projection's own: it is never after T
        assert r["detected_at"] <= now, r
    return [{k: v for k, v in r.items() if k != "detected_at"} for r in rows]


def _yuan(s: str) -> Decimal:
    return Decimal(s)


@pytest.mark.parametrize("as_of", MOMENTS, ids=[iso(m)[:16] for m in MOMENTS])
def test_indexed_reports_equal_every_body_over_every_history(demo: dict[str, Any], as_of: datetime) -> None:
    engine = demo["engine"]
    oracle = Oracle(demo["log"], as_of)

    # findings: the same bag (a finding may hold twice, for two acts of one kind)
    assert _bag(_indexed_findings(engine, as_of)) == _bag(oracle.findings())

    # officers, a page at a time
    officers = _pages(lambda c: reports.officers_page(engine, unit_id=None, as_of=as_of, limit=7, cursor=c))
    want = oracle.officers()
    now = iso(as_of)
    assert all(f.get("detected_at", "") <= now for r in officers for f in r["findings"])
    strip = lambda rows: [  # noqa: E731
        dict(r, findings=_bag([{k: v for k, v in f.items() if k != "detected_at"} for f in r["findings"]]))
        for r in rows
    ]
    assert [r["officer_id"] for r in officers] == [r["officer_id"] for r in want]
    assert strip(officers) == strip(want)

    # fines, per fine and per unit
    fines = _pages(lambda c: reports.fines_page(engine, unit_id=None, as_of=as_of, limit=13, cursor=c))
    assert fines == oracle.fines()
    totals = {u["unit_id"]: u for u in reports.fines_report(engine, None, as_of, limit=1)["units"]}
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for f in fines:
        by_unit.setdefault(f["unit_id"], []).append(f)
    assert set(totals) == set(by_unit)
    for uid, rows in by_unit.items():
        u = totals[uid]
        assert u["fines"] == len(rows)
        assert _yuan(u["decided"]) == sum(_yuan(r["amount"]) for r in rows)
        assert _yuan(u["paid"]) == sum(_yuan(r["paid"]) for r in rows)
        assert _yuan(u["outstanding"]) == sum(_yuan(r["outstanding"]) for r in rows)
        assert _yuan(u["overdue"]) == sum(_yuan(r["outstanding"]) for r in rows if r["overdue"])
        assert _yuan(u["surcharge"]) == sum(_yuan(r["surcharge"]) for r in rows)
        assert u["separation_breaches"] == sum(len(r["separation_breaches"]) for r in rows)

    # every unit's scorecard
    for uid in demo["units"]:
        card = reports.scorecard_report(engine, uid, as_of, limit=11)
        cases = _pages(lambda c, uid=uid: reports.scorecard_report(engine, uid, as_of, limit=11, cursor=c), "cases")
        want_card = oracle.scorecard(uid)
        assert [c["case_id"] for c in cases] == [c["case_id"] for c in want_card["cases"]]
        assert cases == want_card["cases"]
        assert (card["count"], card["average"], card["failed"]) == (
            want_card["count"],
            want_card["average"],
            want_card["failed"],
        )


def test_the_moments_see_findings_come_and_go(demo: dict[str, Any]) -> None:
    """The moments are not empty: findings appear with the cases and some end (a late step,
    a certificate renewed); so equality above says something."""
    counts = [len(Oracle(demo["log"], m).found) for m in MOMENTS]
    assert counts[0] < counts[1] < counts[-2]
    assert len(set(counts)) >= 8


def _answers(engine: Engine, as_of: datetime, units: list[str]) -> list[Any]:
    return [
        _bag(_indexed_findings(engine, as_of)),
        _pages(lambda c: reports.officers_page(engine, unit_id=None, as_of=as_of, limit=50, cursor=c)),
        reports.fines_report(engine, None, as_of, limit=10_000),
        [reports.scorecard_report(engine, u, as_of, limit=10_000) for u in units],
    ]


def test_a_rebuild_in_small_pages_answers_the_same(demo: dict[str, Any], tmp_path: Any) -> None:
    """The projection judges some entries at page boundaries (officers' events, page ends):
    rebuilt 37 events a page into a second read store, every report answers as before."""
    engine = demo["engine"]
    before = [_answers(engine, m, demo["units"]) for m in MOMENTS[1::2]]
    with engine.begin() as conn:
        for p in build_runner(demo["app"].recorder, demo["app"].mapper, engine).projections:
            p.drop(conn)
    build_runner(demo["app"].recorder, demo["app"].mapper, engine, page_size=37).run_until_head()
    assert [_answers(engine, m, demo["units"]) for m in MOMENTS[1::2]] == before
