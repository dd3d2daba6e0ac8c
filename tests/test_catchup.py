"""Derived state kept set-wise at commit: right after a many-row transaction, after one decision,
inside an open transaction, after a rollback; no derived triggers left; a lag is named."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from ledger import catchup, derived, rowformat
from ledger.claims import add_stance, create_claim, edit_claim, retract, set_verdict
from ledger.propose import propose
from ledger.review.decisions import decide, pending, undo_last
from ledger.store import Ledger
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, span_in
from tests.test_counts import kept_counts, live_counts, live_pairs

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v0.1.db"


def _pairs(conn):
    return {r[:5]: r[5] for r in conn.execute("SELECT * FROM facet_pair_counts WHERE n != 0")}


def _matches_a_rebuild(conn):
    """Derived state equals what the chain gives, compared with and without verify's code."""
    assert derived.first_difference(conn) is None
    assert kept_counts(conn) == {k: n for k, n in live_counts(conn).items() if n}
    assert _pairs(conn) == live_pairs(conn)
    assert (
        catchup.through(conn) == conn.execute("SELECT max(seq) FROM ledger_entries").fetchone()[0]
    )


def test_a_many_row_transaction_is_derived_at_commit(ledger):
    nato, kremlin = span_in(ledger, NATO_QUOTE), span_in(ledger, KREMLIN_QUOTE)
    with ledger.transaction():
        ids = [
            create_claim(
                ledger,
                nato,
                claim=f"Claim {i} about troops.",
                actor="NATO",
                stance="unconfirmed",
                reviewer="r",
            )  # fmt: skip
            for i in range(30)
        ]
        set_verdict(ledger, ids[0], "refuted", reviewer="r")
        set_verdict(ledger, ids[0], "mixed", reviewer="r")  # replaces the first, in one commit
        add_stance(
            ledger, ids[1], source=nato.source_id, quote=KREMLIN_QUOTE, actor="Kremlin", stance="denied",
            reviewer="r",
        )  # fmt: skip
        edit_claim(ledger, ids[2], reviewer="r", reason="clearer", text="Claim two, reworded.")
        retract(ledger, ids[3], reason="wrong", reviewer="r")
        create_claim(
            ledger, kremlin, claim="Reports are fake.", actor="Kremlin", stance="denied",
            reviewer="r", verdict="misleading",
        )  # fmt: skip
    conn = ledger.conn
    _matches_a_rebuild(conn)
    rows = {r["claim_id"]: r for r in ledger.all("SELECT * FROM current_claims")}
    assert len(rows) == 31
    assert rows[ids[0]]["verdict"] == "mixed"
    assert rows[ids[1]]["stance_summary"] == "unconfirmed by NATO; denied by Kremlin"
    assert (rows[ids[2]]["version"], rows[ids[2]]["claim"]) == (2, "Claim two, reworded.")
    assert rows[ids[3]]["status"] == "retracted"
    counted = {(c, v): n for (t, c, v), n in kept_counts(conn).items() if t == "current_claims"}
    assert counted[("verdict", "mixed")] == 1 and ("verdict", "refuted") not in counted
    assert counted[("", "")] == 31
    hits = ledger.all(
        "SELECT rowid FROM claim_versions_fts WHERE claim_versions_fts MATCH 'reworded'"
    )
    assert len(hits) == 1


def test_one_decision_and_its_undo_are_derived(ledger):
    propose(ledger, [], all_sources=True)
    first = pending(ledger)[0]
    out = decide(ledger, first["id"], "accept", reviewer="r", confirm_quote=True)
    conn = ledger.conn
    _matches_a_rebuild(conn)
    row = ledger.one("SELECT * FROM proposal_decisions WHERE proposal_id = ?", [first["id"]])
    assert row is not None and (row["decision"], row["claim_id"]) == ("accept", out.claim_id)
    decided = conn.execute("SELECT decision, n FROM decision_counts WHERE n != 0").fetchall()
    assert decided == [("accept", 1)]
    undo_last(ledger, reviewer="r")
    _matches_a_rebuild(conn)
    row = ledger.one("SELECT * FROM proposal_decisions WHERE proposal_id = ?", [first["id"]])
    assert row is not None and row["decision"] is None
    claim = ledger.one("SELECT * FROM current_claims WHERE claim_id = ?", [out.claim_id])
    assert claim is not None and claim["status"] == "retracted"
    assert conn.execute("SELECT count(*) FROM decision_counts WHERE n != 0").fetchone()[0] == 0


def test_a_read_inside_a_transaction_sees_what_it_appended(ledger):
    nato = span_in(ledger, NATO_QUOTE)
    with ledger.transaction():
        cid = create_claim(
            ledger, nato, claim="Soldiers fight.", actor="NATO", stance="unconfirmed", reviewer="r"
        )
        row = ledger.one(
            "SELECT verdict, stance_summary FROM current_claims WHERE claim_id = ?", [cid]
        )
        assert row == {"verdict": "unreviewed", "stance_summary": "unconfirmed by NATO"}
        set_verdict(ledger, cid, "supported", reviewer="r")
        assert ledger.one("SELECT verdict FROM current_claims WHERE claim_id = ?", [cid]) == {
            "verdict": "supported"
        }
        found = ledger.all(
            "SELECT rowid FROM claim_versions_fts WHERE claim_versions_fts MATCH 'fight'"
        )
        assert len(found) == 1
        assert ledger.count("stances") == 1
    # Caught up twice inside the transaction and once at commit: nothing counted twice.
    _matches_a_rebuild(ledger.conn)


def test_a_rolled_back_transaction_leaves_derived_state_as_it_was(ledger):
    nato = span_in(ledger, NATO_QUOTE)
    create_claim(
        ledger, nato, claim="Kept claim.", actor="NATO", stance="unconfirmed", reviewer="r"
    )
    before = catchup.through(ledger.conn)
    with pytest.raises(RuntimeError), ledger.transaction():
        create_claim(ledger, nato, claim="Lost claim.", actor="NATO", stance="denied", reviewer="r")
        assert ledger.count("current_claims") == 2  # derived inside, then rolled back
        raise RuntimeError("abandon")
    assert catchup.through(ledger.conn) == before
    assert ledger.count("current_claims") == 1
    _matches_a_rebuild(ledger.conn)


def test_no_trigger_keeps_derived_state(ledger):
    """Only the append-only guards fire on an insert: derived state costs nothing per row."""
    names = [
        r[0] for r in ledger.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    ]
    assert {f"{t}_no_replace" for t in rowformat.TABLES} <= set(names)
    assert [n for n in names if not n.endswith(derived.GUARDS)] == []


def test_an_older_ledger_reinstalls_without_triggers_and_stays_derived(workspace, run):
    shutil.copy(FIXTURE, workspace / "ledger.db")
    with sqlite3.connect(workspace / "ledger.db") as old:
        assert old.execute(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_readers'"
        ).fetchone()[0]
    with Ledger(workspace / "ledger.db") as led:
        assert derived.installed_version(led.conn) == derived.VERSION
        triggers = [
            r[0] for r in led.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
        assert all(name.endswith(derived.GUARDS) for name in triggers)
        _matches_a_rebuild(led.conn)
    r = run("verify")
    assert r.exit_code == 0, r.output


def test_a_lagging_watermark_is_named_and_rebuild_repairs_it(ledger, workspace, run):
    nato = span_in(ledger, NATO_QUOTE)
    create_claim(
        ledger, nato, claim="Soldiers fight.", actor="NATO", stance="unconfirmed", reviewer="r"
    )
    head = ledger.head().count
    ledger.close()
    raw = sqlite3.connect(workspace / "ledger.db", isolation_level=None)
    raw.execute(f"UPDATE {catchup.WATERMARK} SET seq = seq - 2")
    raw.close()
    r = run("verify")
    assert r.exit_code == 1
    assert f"derived state covers entries through {head - 2}, the ledger has {head}" in r.output
    assert "run 'factledger rebuild'" in r.output
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0


def _shell_verdict(path, claim_id, verdict):
    """Append a correctly chained verdict row, and its spine row, the way the sqlite3 shell
    would: no Ledger (only to read the head it chains onto)."""
    from ledger.hashing import row_hash

    with Ledger(path) as led:
        seq, prev = led.head().count, led.head().hash
    raw = sqlite3.connect(path, isolation_level=None)
    row = {
        "id": f"vd-shell-{verdict}",
        "claim_id": claim_id,
        "verdict": verdict,
        "note": None,
        "reviewer": "sh",
    }
    row |= {"seq": seq + 1, "prev_hash": prev, "hash": None, "recorded_at": "2026-12-02T00:00:00Z"}
    row["format"] = rowformat.FORMAT
    row["hash"] = row_hash("verdicts", row, rowformat.FORMAT)
    cols = rowformat.columns("verdicts")
    raw.execute(
        f"INSERT INTO verdicts ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )
    raw.execute(
        "INSERT INTO ledger_entries (seq, tbl, row_id) VALUES (?, 'verdicts', ?)",
        [row["seq"], row["id"]],
    )
    raw.close()


def test_a_row_from_the_shell_is_named_until_rebuilt_or_caught_up(ledger, workspace, run):
    nato = span_in(ledger, NATO_QUOTE)
    cid = create_claim(
        ledger, nato, claim="Soldiers fight.", actor="NATO", stance="unconfirmed", reviewer="r"
    )
    ledger.close()
    _shell_verdict(workspace / "ledger.db", cid, "refuted")
    r = run("verify")
    assert r.exit_code == 1
    assert f"current_claims {cid}: verdict differs from the ledger; run 'factledger rebuild'" in (
        r.output
    )
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0
    # Without a rebuild, the next write through the ledger derives the shell's row too.
    _shell_verdict(workspace / "ledger.db", cid, "mixed")
    with Ledger(workspace / "ledger.db") as led:
        set_verdict(led, cid, "supported", reviewer="r")
        _matches_a_rebuild(led.conn)
    assert run("verify").exit_code == 0


def test_a_search_index_missing_a_row_is_named_and_rebuild_repairs_it(ledger, workspace, run):
    nato = span_in(ledger, NATO_QUOTE)
    kept = create_claim(
        ledger, nato, claim="Soldiers fight.", actor="NATO", stance="unconfirmed", reviewer="r"
    )
    create_claim(
        ledger, nato, claim="Troops moved.", actor="NATO", stance="unconfirmed", reviewer="r"
    )
    ledger.close()
    raw = sqlite3.connect(workspace / "ledger.db", isolation_level=None)
    row = raw.execute(
        "SELECT rowid, id, text, quote FROM claim_versions WHERE claim_id = ?", [kept]
    ).fetchone()
    raw.execute(
        "INSERT INTO claim_versions_fts (claim_versions_fts, rowid, text, quote) "
        "VALUES ('delete', ?, ?, ?)",
        [row[0], row[2], row[3]],
    )
    raw.close()
    for args in (["verify"], ["verify", "--quick"]):
        r = run(*args)
        if args == ["verify", "--quick"]:
            assert r.exit_code == 0  # documented: --quick skips the derived state
            continue
        assert r.exit_code == 1, r.output
        assert f"claim_versions {row[1]} is missing from the search index" in r.output
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0
    raw = sqlite3.connect(workspace / "ledger.db", isolation_level=None)
    raw.execute("INSERT INTO stance_events_fts (stance_events_fts) VALUES ('delete-all')")
    raw.close()
    r = run("verify")
    assert r.exit_code == 1
    assert "stance_events_fts: stance_events " in r.output and "search index" in r.output
