"""Kept counts and reader tables stay exact through review: accept, reject, undo, edit, verdicts."""

import asyncio
import json
import sqlite3

import pytest

from ledger import counts, readers
from ledger.publish.serve import make_datasette
from tests.conftest import add_nato


def live_counts(conn: sqlite3.Connection) -> dict[tuple[str, str, str], int]:
    """What facet_counts should hold, counted the slow way."""
    want: dict[tuple[str, str, str], int] = {}
    tables = [r[0] for r in conn.execute("SELECT DISTINCT tbl FROM ledger_entries")]
    for table in [*tables, "ledger_entries", "current_claims", "stances", "proposal_decisions"]:
        want[(table, "", "")] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    for table, (_, cols) in counts.COUNTED.items():
        for col in cols:
            for value, n in conn.execute(
                f"SELECT {col}, count(*) FROM {table} WHERE {col} IS NOT NULL GROUP BY {col}"
            ):
                want[(table, col, value)] = n
    return want


def kept_counts(conn: sqlite3.Connection) -> dict[tuple[str, str, str], int]:
    rows = conn.execute("SELECT tbl, col, value, n FROM facet_counts WHERE n != 0")
    return {(t, c, v): n for t, c, v, n in rows}


def kept_decisions(conn: sqlite3.Connection) -> list[tuple]:
    return list(conn.execute("SELECT * FROM decision_counts WHERE n != 0 ORDER BY 1, 2, 3, 4, 5"))


@pytest.fixture
def reviewed(seeded, raw_db):
    """A ledger after proposing, a review with accepts, a reject and an undo, and later edits."""
    assert seeded("propose", "--all").exit_code == 0
    r = seeded("review", "--all", input="a\nr\nwrong\nu\na\nu\nr\nno\nq\n")
    assert r.exit_code == 0, r.output
    nato = add_nato(seeded).output.strip()
    assert seeded("verdict", nato, "unverified").exit_code == 0
    assert seeded("verdict", nato, "refuted").exit_code == 0
    assert (
        seeded("edit", nato, "--claim", "North Korean soldiers fight.", "--reason", "x").exit_code
        == 0
    )
    assert seeded("retract", nato, "--reason", "wrong").exit_code == 0
    return raw_db()


def live_pairs(conn: sqlite3.Connection) -> dict[tuple[str, ...], int]:
    want = {}
    for table, (_, cols) in counts.COUNTED.items():
        for b in cols:
            for c in cols:
                if b != c:
                    for bv, v, n in conn.execute(
                        f"SELECT {b}, {c}, count(*) FROM {table} "
                        f"WHERE {b} NOTNULL AND {c} NOTNULL GROUP BY 1, 2"
                    ):
                        want[(table, b, bv, c, v)] = n
    return want


def test_pair_counts_match_a_full_count_after_review(reviewed):
    rows = reviewed.execute("SELECT * FROM facet_pair_counts WHERE n != 0")
    kept = {r[:5]: r[5] for r in rows}
    assert kept == live_pairs(reviewed)
    assert kept[("current_claims", "status", "retracted", "verdict", "refuted")] == 1


def test_kept_counts_match_a_full_count_after_review(reviewed):
    conn = reviewed
    decisions = dict(conn.execute("SELECT action, count(*) FROM decisions GROUP BY action"))
    assert decisions == {"accept": 2, "reject": 2, "undo": 2}
    kept = kept_counts(conn)
    assert kept == live_counts(conn)
    assert kept[("current_claims", "verdict", "refuted")] == 1
    assert ("current_claims", "verdict", "unverified") not in kept  # replaced, not added
    # NATO's claim, and the claim whose accept was undone.
    assert kept[("current_claims", "status", "retracted")] == 2


def test_rebuilding_reader_tables_and_counts_changes_nothing(reviewed):
    conn = reviewed
    before = [
        list(conn.execute(f"SELECT * FROM {t} ORDER BY 1"))
        for t in ("current_claims", "stances", "proposal_decisions")
    ]
    kept = kept_counts(conn)
    decided = kept_decisions(conn)
    pairs = list(
        conn.execute("SELECT * FROM facet_pair_counts WHERE n != 0 ORDER BY 1, 2, 3, 4, 5")
    )
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    with conn:
        conn.execute("BEGIN")
        readers.rebuild(db)
        readers.rebuild_proposal_decisions(db)
        counts.rebuild(db)
        counts.rebuild_pairs(db)
    assert kept_decisions(conn) == decided
    assert (
        list(conn.execute("SELECT * FROM facet_pair_counts WHERE n != 0 ORDER BY 1, 2, 3, 4, 5"))
        == pairs
    )
    after = [
        list(conn.execute(f"SELECT * FROM {t} ORDER BY 1"))
        for t in ("current_claims", "stances", "proposal_decisions")
    ]
    assert after == before
    assert kept_counts(conn) == kept


def test_proposal_decisions_follow_undo(reviewed):
    conn = reviewed
    actions = [r[0] for r in conn.execute("SELECT action FROM decisions ORDER BY seq")]
    assert actions == ["accept", "reject", "undo", "accept", "undo", "reject"]
    first, second = [
        r[0]
        for r in conn.execute(
            "SELECT proposal_id FROM decisions GROUP BY proposal_id ORDER BY min(seq)"
        )
    ]
    decision = dict(conn.execute("SELECT proposal_id, decision FROM proposal_decisions"))
    # The second was rejected, undone, accepted, undone and rejected again: only that stands.
    assert decision[first] == "accept" and decision[second] == "reject"
    assert sum(d is None for d in decision.values()) == len(decision) - 2


def test_acceptance_rates_count_standing_decisions_only(reviewed, seeded, workspace):
    rates = json.loads(seeded("acceptance", "--json").output)
    assert [(r["decided"], r["accepted"], r["rejected"], r["acceptance_rate"]) for r in rates] == [
        (2, 1, 1, 0.5)
    ]
    assert rates[0]["proposer"] == "offline" and rates[0]["model"] is None
    ds = make_datasette(str(workspace / "ledger.db"))
    served = asyncio.run(ds.client.get("/ledger/acceptance_rate.json?_shape=array")).json()
    assert served == rates
    kept = {r[:5]: r[5] for r in reviewed.execute("SELECT * FROM decision_counts WHERE n != 0")}
    live = reviewed.execute(
        "SELECT proposer, coalesce(model, ''), coalesce(prompt_name, ''), "
        "coalesce(prompt_hash, ''), decision, count(*) FROM proposal_decisions "
        "WHERE decision NOTNULL GROUP BY 1, 2, 3, 4, 5"
    )
    assert kept == {r[:5]: r[5] for r in live}
