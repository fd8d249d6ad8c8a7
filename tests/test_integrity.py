"""Tamper evidence, on SQLite and PostgreSQL: an intruder with database rights edits,
deletes, swaps and truncates stored events; verification finds and locates each. Proofs are
checked against the independent RFC reference in tests/rfc6962.py."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.application import Oversight
from domain.principal import SYSTEM
from projections.db import make_engine
from projections.merkle import Frontier, leaf_hash
from projections.runner import Runner
from projections.seal import (
    Checkpoint,
    Seal,
    consistency,
    inclusion,
    latest_checkpoint,
    leaves,
    load_signing_key,
    verify,
)
from scripts.demo import load_demo

from . import rfc6962 as rfc
from .conftest import intrude

# Certificate Transparency's published test vectors: roots of the trees over these leaves.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_reference_and_the_incremental_tree_give_ct_known_answers() -> None:
    leaves = [bytes.fromhex(x) for x in CT_LEAVES]
    f = Frontier()
    for n, (leaf, root) in enumerate(zip(leaves, CT_ROOTS, strict=True), start=1):
        assert rfc.MTH(leaves[:n]).hex() == root
        f.append(leaf_hash(leaf))
        assert f.root().hex() == root


class Sealed:
    """A demo store sealed with small stored-node blocks (node_level 2), so proofs use the
    stored nodes as well as leaf blocks."""

    def __init__(self, app: Oversight) -> None:
        self.app = app
        self.cfg = app.store
        self.engine = make_engine(app.store)
        self.seal = Seal(self.engine, node_level=2, every_events=25)
        self.runner = Runner(app.recorder, app.mapper, self.engine, [self.seal], page_size=10)
        self.runner.run_until_head()
        self.public = load_signing_key().public_key()

    def sql(self, *statements: str) -> None:
        intrude(self.cfg, *statements)

    def raw_entries(self) -> list[tuple[int, bytes]]:
        """(position, entry bytes) read straight from the table, encoded per the README."""
        t = self.cfg.events_table
        if self.cfg.kind == "sqlite":
            con = sqlite3.connect(self.cfg.sqlite_path)
            rows = con.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {t} ORDER BY rowid"
            ).fetchall()
            con.close()
            rows = [(p, bytes.fromhex(o), v, tp, s) for p, o, v, tp, s in rows]
        else:
            with psycopg.connect(self.cfg.pg_conninfo()) as con:
                con.execute(f'SET search_path TO "{self.cfg.pg_schema}"')
                rows = [
                    (p, o.bytes, v, tp, bytes(s))
                    for p, o, v, tp, s in con.execute(
                        f"SELECT notification_id, originator_id, originator_version, topic, state "
                        f"FROM {t} ORDER BY notification_id"
                    ).fetchall()
                ]

        def enc(*parts: bytes) -> bytes:
            return b"".join(len(p).to_bytes(4, "big") + p for p in parts)

        return [(p, enc(o, str(v).encode(), tp.encode(), s)) for p, o, v, tp, s in rows]

    def verify(self, **kw: Any) -> dict[str, Any]:
        return verify(self.app.recorder, self.engine, self.public, **kw)


@pytest.fixture
def sealed(oversight: Oversight) -> Iterator[Sealed]:
    load_demo(oversight, cases=6)
    s = Sealed(oversight)
    yield s
    s.engine.dispose()


def test_an_untouched_log_verifies(sealed: Sealed) -> None:
    r = sealed.verify()
    assert r["ok"] and r["first_bad_position"] is None
    # Every event is re-hashed; the latest checkpoint (every 25 events here) covers most of them.
    with sealed.engine.connect() as conn:
        latest = latest_checkpoint(conn)
    assert latest is not None and r["size"] == latest.size > sealed.app.max_position() - 35
    assert r["checked"] == sealed.app.max_position()


def test_an_edited_event_is_found_at_its_position(sealed: Sealed) -> None:
    sealed.sql("UPDATE {t} SET topic = topic || ' ' WHERE {pos} = 40")
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 40


def test_edited_state_bytes_are_found(sealed: Sealed) -> None:
    sealed.sql("UPDATE {t} SET state = (SELECT state FROM {t} WHERE {pos} = 2) WHERE {pos} = 57")
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 57


def test_a_deleted_event_is_found_at_its_position(sealed: Sealed) -> None:
    sealed.sql("DELETE FROM {t} WHERE {pos} = 33")
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 33


def test_two_swapped_events_are_found_at_the_first(sealed: Sealed) -> None:
    sealed.sql(
        "UPDATE {t} SET state = CASE {pos} WHEN 30 THEN (SELECT state FROM {t} WHERE {pos} = 60) "
        "ELSE (SELECT state FROM {t} WHERE {pos} = 30) END WHERE {pos} IN (30, 60)"
    )
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 30


def test_a_truncated_log_is_found_where_it_ends(sealed: Sealed) -> None:
    sealed.sql("DELETE FROM {t} WHERE {pos} >= 70")
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 70
    sealed.sql("DELETE FROM {t}")
    r = sealed.verify()
    assert not r["ok"] and r["first_bad_position"] == 1


def test_rewriting_the_sealed_leaves_too_is_caught_by_the_signed_checkpoints(sealed: Sealed) -> None:
    # The intruder edits event 40 and recomputes its stored leaf, but cannot re-sign roots.
    sealed.sql("UPDATE {t} SET topic = topic || ' ' WHERE {pos} = 40")
    entries = dict(sealed.raw_entries())
    with sealed.engine.begin() as conn:
        conn.execute(leaves.update().where(leaves.c.position == 40).values(hash=leaf_hash(entries[40])))
    r = sealed.verify()
    assert not r["ok"]
    # Located within the span between the last good checkpoint and the first bad one.
    assert r["first_bad_position"] is not None and r["first_bad_position"] <= 40


def test_a_saved_checkpoint_is_extended_by_the_current_log(sealed: Sealed) -> None:
    with sealed.engine.connect() as conn:
        saved = latest_checkpoint(conn)
    assert saved is not None
    # More events arrive and are sealed; the old checkpoint still verifies against the log.
    sealed.app.register_unit(SYSTEM, code="LATER", name="n", region="1", matters=[], banks=[])
    sealed.runner.run_until_head()
    assert sealed.verify(against=Checkpoint.from_view(saved.view()))["ok"]
    forged = Checkpoint.from_view(saved.view() | {"root": "00" * 32})
    assert not sealed.verify(against=forged)["ok"]


def test_inclusion_and_consistency_proofs_match_the_rfc_for_sizes_1_to_17(sealed: Sealed) -> None:
    entries = sealed.raw_entries()
    D = [e for _, e in entries]
    with sealed.engine.connect() as conn:
        for n in range(1, 18):
            root = rfc.MTH(D[:n])
            for m in range(n):
                p = inclusion(conn, sealed.seal.node_level, entries[m][0], n)
                path = [bytes.fromhex(h) for h in p["audit_path"]]
                assert path == rfc.PATH(m, D[:n])  # known answer from the reference
                assert bytes.fromhex(p["root"]) == root
                assert rfc.verify_inclusion(m, n, rfc.H(b"\x00" + D[m]), path, root)
            for m in range(1, n + 1):
                c = consistency(conn, sealed.seal.node_level, m, n)
                proof = [bytes.fromhex(h) for h in c["proof"]]
                assert proof == rfc.PROOF(m, D[:n])
                assert rfc.verify_consistency(m, n, rfc.MTH(D[:m]), root, proof)
        # And for the whole log (stored nodes from level 2 up are used).
        N = len(D)
        c = consistency(conn, sealed.seal.node_level, 37, N)
        assert rfc.verify_consistency(37, N, rfc.MTH(D[:37]), rfc.MTH(D), [bytes.fromhex(h) for h in c["proof"]])


def test_integrity_routes(client: TestClient, oversight: Oversight) -> None:
    from .conftest import ADMIN

    admin = {"Authorization": f"Bearer {ADMIN}"}
    auditor = client.post("/v1/principals", json={"name": "a", "role": "auditor"}, headers=admin).json()["token"]
    h = {"Authorization": f"Bearer {auditor}"}
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert runner.wait(oversight.max_position())
    cp = client.get("/v1/integrity/checkpoint").json()
    # The first sealed page is checkpointed at once; later ones every N events or T seconds.
    assert 1 <= cp["size"] <= oversight.max_position() and len(cp["root"]) == 64
    assert client.get("/v1/integrity/public-key").json()["algorithm"] == "Ed25519"
    assert client.get("/v1/integrity/verify", headers=h).json()["ok"] is True
    assert client.get("/v1/integrity/verify", headers={"Authorization": "Bearer x"}).status_code == 401
    r = client.get("/v1/integrity/inclusion", params={"position": 1, "size": cp["size"]}, headers=h)
    assert r.status_code == 200 and r.json()["root"] == cp["root"]
    r = client.get("/v1/integrity/consistency", params={"from": 1, "to": cp["size"]}, headers=h)
    assert r.status_code == 200 and r.json()["to_root"] == cp["root"]
    bad = client.get("/v1/integrity/consistency", params={"from": 5, "to": 10**6}, headers=h)
    assert bad.status_code == 422


def test_a_checkpoint_covers_an_event_recorded_a_second_ago(world: Any, oversight: Oversight) -> None:
    """API.md: a checkpoint is at most ~1 s behind the sealed head (OVERSIGHT_CHECKPOINT_SECONDS)."""
    from .conftest import D0, at

    w, c = world, world.c
    cid = w.file()
    # A burst of events, then silence: the last ones arrive within a second of the first.
    for n in range(20):
        body = {"official": f"某{n}", "position": "p", "occurred_at": at(D0, 15), "channel": "c", "content": "x"}
        last = w.post(f"/v1/cases/{cid}/interventions", w.officer_h, body)["position"]
    recorded = time.monotonic()
    # Within about a second (plus a poll), a signed checkpoint covers the last event …
    proof = None
    while time.monotonic() - recorded < 3.0:
        cp = c.get("/v1/integrity/checkpoint").json()
        r = c.get("/v1/integrity/inclusion", params={"position": last, "size": cp["size"]}, headers=w.auditor_h)
        if r.status_code == 200:
            proof = r.json()
            break
        time.sleep(0.1)
    assert proof is not None, f"no checkpoint covered position {last} within 3 s (latest size {cp['size']})"
    # … and its proof leads to the checkpoint's signed root.
    assert proof["root"] == cp["root"]
    leaf = bytes.fromhex(proof["leaf_hash"])
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    assert rfc.verify_inclusion(proof["leaf_index"], cp["size"], leaf, path, bytes.fromhex(cp["root"]))
