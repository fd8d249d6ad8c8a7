"""Random inspections (双随机、一公开, I1): a reproducible draw, at least two drawn and certified
inspectors per target, results published; each breach found, a clean task finds nothing. On
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from domain.errors import AlreadyExistsError, InvalidInputError
from domain.inspection import draw
from domain.principal import SYSTEM
from projections import reports
from scripts.demo import COMPANIES, inspection, legacy_draw_line

from .conftest import World, at, day
from .story import Story, t


def i1(s: Story, iid: str, as_of: Any) -> list[dict[str, Any]]:
    s.runner.run_until_head()
    return [f for f in reports.findings_all(s.engine, as_of=as_of, rule="I1") if f["inspection_id"] == iid]


def test_the_draw_is_reproducible_from_its_seed_and_registers(story: Story) -> None:
    s = story
    seed = hashlib.sha256(b"task").hexdigest()
    s.at(t(0))
    res = s.draw("抽查A", [s.zhang, s.li, s.wang], 5, seed=seed)
    assert res["seed"] == seed and len(res["assignments"]) == 5
    assert all(len(team) == 2 for team in res["assignments"].values())
    # Anyone can redo it: the same registers (in any order) and seed give the same assignments.
    assert draw(seed, list(reversed(COMPANIES)), [s.wang, s.li, s.zhang], 5, 2) == res["assignments"]
    assert draw("0" * 64, COMPANIES, [s.zhang, s.li, s.wang], 5, 2) != res["assignments"]
    # Without a seed the system draws one (32 random bytes) and answers it.
    other = s.draw("抽查B", [s.zhang, s.li], 2)
    assert len(other["seed"]) == 64 and other["seed"] != seed
    assert s.app.get_inspection(SYSTEM, res["id"])["assignments"] == res["assignments"]


def test_a_draw_refuses_what_cannot_be_drawn(story: Story) -> None:
    s = story
    kw: dict[str, Any] = dict(
        unit_id=s.unit,
        task="抽查C",
        matter_code=s.matter,
        targets_register=COMPANIES[:3],
        inspectors_register=[s.zhang, s.li],
        targets=2,
        drawn_at=t(0),
    )
    for bad, field in (
        ({"targets": 4}, "targets"),
        ({"inspectors_per_target": 1}, "inspectors_per_target"),
        ({"inspectors_register": [s.zhang]}, "inspectors_register"),
    ):
        with pytest.raises(InvalidInputError) as e:
            s.app.draw_inspection(s.off, **(kw | bad))
        assert e.value.field == field
    s.app.draw_inspection(s.off, **kw)
    with pytest.raises(AlreadyExistsError):
        s.app.draw_inspection(s.off, **kw)


def test_i1_a_clean_inspection_yields_nothing(story: Story) -> None:
    iid = inspection(story, "清洁任务", 0)
    assert i1(story, iid, t(60)) == []


@pytest.mark.parametrize(
    ("breach", "message"),
    [
        ("single", "inspected by fewer than 2 inspectors"),
        ("undrawn", "was not drawn for"),
        ("imported", "the draw is not reproducible from its seed and registers"),
    ],
)
def test_i1_breaches_of_the_draw_and_the_inspection(story: Story, breach: str, message: str) -> None:
    iid = inspection(story, f"任务-{breach}", 0, breach)
    found = i1(story, iid, t(60))
    assert len(found) == 1 and message in found[0]["message"]
    assert found[0]["case_id"] is None and found[0]["events"][0]["aggregate_id"] == iid


def test_i1_results_not_published_within_20_working_days(story: Story) -> None:
    iid = inspection(story, "未公示任务", 0, "unpublished")  # last result on day 4 (2026-03-06)
    assert i1(story, iid, t(30)) == []  # 20 working days after 6 March: 3 April
    found = i1(story, iid, t(33))
    assert [f["message"] for f in found] == ["results not published by 2026-04-03"]
    story.at(t(35))
    story.app.publish_inspection_results(story.off, iid, published_at=t(35), channel="公示系统")
    assert [f["message"] for f in i1(story, iid, t(40))] == ["results published after 2026-04-03"]


def test_i1_an_inspector_without_a_valid_certificate(story: Story) -> None:
    s = story
    s.at(t(1))
    s.app.suspend_certificate(SYSTEM, s.wang, at=t(1), reason="暂扣")
    s.at(t(0))
    res = s.draw("证件任务", [s.zhang, s.wang], 1)
    target, team = next(iter(res["assignments"].items()))
    s.at(t(2))
    s.app.record_inspection_result(
        s.off, res["id"], target=target, inspected_at=t(2), officers=team, outcome="compliant"
    )
    found = i1(s, res["id"], t(3))
    assert [(f["officer_id"], f["message"]) for f in found] == [
        (s.wang, "inspector 王强 had no valid certificate at the inspection")
    ]


def test_an_imported_draw_is_judged_like_any_other(story: Story) -> None:
    s = story
    iid = "00000000-0000-4000-8000-00000000aaaa"
    seed = "ab" * 32
    good = draw(seed, COMPANIES, [s.zhang, s.li], 1, 2)
    line = legacy_draw_line(s, iid, "旧任务", t(0), seed, [s.zhang, s.li], good)
    s.at(t(1))
    s.app.import_history(SYSTEM, [line], "legacy.ndjson")
    assert i1(s, iid, t(2)) == []


def test_inspection_routes(world: World) -> None:
    w, c = world, world.c
    body = {
        "unit_id": w.unit_id,
        "task": "2026年双随机第一批",
        "matter_code": "MR-0101",
        "targets_register": COMPANIES,
        "inspectors_register": [w.zhang, w.li],
        "targets": 2,
        "drawn_at": at(day(0)),
    }
    assert c.post("/v1/inspections", headers=w.bank_h, json=body).status_code == 403
    bad = c.post("/v1/inspections", headers=w.officer_h, json=body | {"inspectors_per_target": 1})
    assert bad.status_code == 422 and "inspectors_per_target" in bad.text
    res = w.post("/v1/inspections", w.officer_h, body, 201)
    assert c.post("/v1/inspections", headers=w.officer_h, json=body).status_code == 409
    target, team = sorted(res["assignments"].items())[0]
    not_drawn = c.post(
        f"/v1/inspections/{res['id']}/results",
        headers=w.officer_h,
        json={"target": "91000000NOTDRAWN", "inspected_at": at(day(2)), "officers": team, "outcome": "compliant"},
    )
    assert not_drawn.status_code == 422 and "target" in not_drawn.text
    w.post(
        f"/v1/inspections/{res['id']}/results",
        w.officer_h,
        {"target": target, "inspected_at": at(day(2)), "officers": team, "outcome": "non_compliant"},
    )
    w.post(
        f"/v1/inspections/{res['id']}/publications", w.officer_h, {"published_at": at(day(5)), "channel": "公示系统"}
    )
    got = c.get(f"/v1/inspections/{res['id']}", headers=w.auditor_h).json()
    assert got["results"][target]["outcome"] == "non_compliant" and got["published_at"]
    other = World(c, benchmark=False)
    assert c.get(f"/v1/inspections/{res['id']}", headers=other.officer_h).status_code == 403
