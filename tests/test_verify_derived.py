"""The derived half of verify: the comparison inside SQLite must see every difference the
reference (``derived.first_difference``) sees, and the check beside the chain must read the same
snapshot as the chain or not run at all."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from ledger import derived, merkle, readers, tree, verify_derived
from ledger import verify as chain
from ledger.cli import cli
from ledger.store import Ledger
from ledger.verify import verify
from ledger.verify_derived import Beside
from tests import test_tamper as tamper
from tests.conftest import NATO_QUOTE, SEED_A
from tests.test_tamper import (
    DERIVED,
    _changed,
    _derived_columns,
    _open,
    _pk,
    _verify,
    change_derived_column,
)

template = tamper.template  # the tamper tests' ledger: every table, every row format


@pytest.fixture
def ledger_copy(template, workspace):
    shutil.copy(template, workspace / "ledger.db")
    return workspace / "ledger.db"


def _matches(path, table: str) -> bool:
    conn = sqlite3.connect(path)
    try:
        spec = derived._derivations()[table]
        if table in readers.derivations():
            return verify_derived._table_matches(conn, table, spec)
        return verify_derived._rows_match(conn, table, spec)
    finally:
        conn.close()


# The stance summary as derived versions 1-3 derived it (a GROUP BY and an ORDER BY a claim),
# literal: the summary without a sort must give the same rows.
GROUPED_SUMMARY = (
    "(SELECT group_concat(s, '; ') FROM (SELECT e.stance || ' by ' || e.actor AS s, "
    "min(e.seq) AS first FROM stance_events e WHERE e.claim_id = c.id AND "
    "(e.decision_id IS NULL OR e.decision_id NOT IN "
    "(SELECT reverses FROM decisions WHERE action = 'undo')) GROUP BY s ORDER BY first))"
)


def test_the_stance_summary_without_a_sort_derives_the_rows_the_grouped_one_did(ledger_copy):
    conn = _open(ledger_copy)
    conn.execute(
        "INSERT INTO decisions (id, action, reverses, seq, prev_hash, hash, recorded_at) "
        "VALUES ('DE-u', 'undo', 'DE-undone', 999999, 'p', 'h', 'now')"
    )
    # A claim with one stance event whose review decision was undone: its summary is NULL.
    lone, eid = conn.execute(
        "SELECT claim_id, min(id) FROM stance_events GROUP BY claim_id HAVING count(*) = 1"
    ).fetchone()
    conn.execute("UPDATE stance_events SET decision_id = 'DE-undone' WHERE id = ?", [eid])
    # Another, given events that repeat, one undone before its standing repeat, one without an
    # actor, and two whose words meet only once joined ("x" by "y by z", "x by y" by "z").
    busy = conn.execute(
        "SELECT claim_id FROM stance_events WHERE claim_id != ? LIMIT 1", [lone]
    ).fetchone()[0]
    events = [
        ("denied", "A", "DE-undone"),
        ("asserted", "B", None),
        ("denied", "A", None),
        ("asserted", "B", None),
        ("asserted", None, None),
        ("x", "y by z", None),
        ("x by y", "z", None),
    ]
    for i, (stance, actor, decision) in enumerate(events):
        conn.execute(
            "INSERT INTO stance_events (id, claim_id, stance, actor, decision_id, seq, prev_hash, "
            "hash, recorded_at) VALUES (?, ?, ?, ?, ?, ?, 'p', 'h', 'now')",
            [f"se-test{i}", busy, stance, actor, decision, 900000 + i],
        )
    key, cols, derive, _ = derived._derivations()["current_claims"]
    summary = readers._summary("c.id")
    assert summary in derive and GROUPED_SUMMARY not in derive
    grouped = derive.replace(summary, GROUPED_SUMMARY)
    rows = [f"WITH chain({cols}) AS ({sql}) SELECT * FROM chain ORDER BY claim_id"
            for sql in (derive, grouped)]  # fmt: skip
    many = conn.execute("SELECT count(*) FROM stance_events GROUP BY claim_id HAVING count(*) > 1")
    assert many.fetchone() is not None  # claims with none, one and several events
    new, old = (conn.execute(sql).fetchall() for sql in rows)
    assert new == old
    summaries = {r[0]: r[6] for r in new}
    assert summaries[lone] is None
    assert summaries[busy].endswith("; asserted by B; denied by A; x by y by z")


def test_an_untouched_ledger_matches_inside_sqlite(ledger_copy):
    # Otherwise every verify would fall back to the slow reference.
    for table in DERIVED:
        assert _matches(ledger_copy, table), table
    assert verify_derived.difference(sqlite3.connect(ledger_copy)) is None


@pytest.mark.parametrize(("table", "column"), _derived_columns())
def test_a_changed_derived_column_is_seen_inside_sqlite(ledger_copy, table, column):
    change_derived_column(_open(ledger_copy), table, column)
    assert not _matches(ledger_copy, table)


@pytest.mark.parametrize("table", DERIVED)
def test_a_deleted_or_added_derived_row_is_seen_inside_sqlite(ledger_copy, table):
    conn = _open(ledger_copy)
    keys = ", ".join(_pk(conn, table))
    where = "WHERE n > 0" if table.endswith("_counts") else ""
    first = conn.execute(f"SELECT * FROM [{table}] {where} ORDER BY {keys} LIMIT 1").fetchone()
    conn.execute(
        f"DELETE FROM [{table}] WHERE ({keys}) = (SELECT {keys} FROM [{table}] {where} "
        f"ORDER BY {keys} LIMIT 1)"
    )
    assert not _matches(ledger_copy, table)
    placeholders = ", ".join("?" for _ in first)
    conn.execute(f"INSERT INTO [{table}] VALUES ({placeholders})", first)
    assert _matches(ledger_copy, table)
    extra = [_changed(v) if i == 0 else v for i, v in enumerate(first)]
    conn.execute(f"INSERT INTO [{table}] VALUES ({placeholders})", extra)
    assert not _matches(ledger_copy, table)


@pytest.mark.parametrize("table", ["current_claims", "stances", "facet_counts"])
def test_a_duplicated_row_in_a_table_rebuilt_without_its_key_is_named(ledger_copy, table):
    """Equal rows once in the ledger and twice in the table: counts, not keys, tell them apart."""
    conn = _open(ledger_copy)
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
    where = "WHERE n > 0" if table.endswith("_counts") else ""
    conn.execute(f"CREATE TABLE copy AS SELECT * FROM [{table}]")
    conn.execute(f"DROP TABLE [{table}]")
    conn.execute(f"CREATE TABLE [{table}] ({', '.join(cols)})")
    conn.execute(f"INSERT INTO [{table}] SELECT * FROM copy")
    conn.execute(f"INSERT INTO [{table}] SELECT * FROM copy {where} LIMIT 1")
    conn.execute("DROP TABLE copy")
    assert not _matches(ledger_copy, table)
    assert "not in the ledger" in _verify()


def test_a_value_of_another_type_with_the_same_bytes_is_named(ledger_copy):
    conn = _open(ledger_copy)
    cid = conn.execute("SELECT claim_id FROM current_claims ORDER BY claim_id LIMIT 1").fetchone()
    conn.execute("UPDATE current_claims SET claim = CAST(claim AS BLOB) WHERE claim_id = ?", cid)
    assert not _matches(ledger_copy, "current_claims")
    assert f"current_claims {cid[0]}: claim differs from the ledger" in _verify()


def test_the_check_beside_reads_the_chains_snapshot_or_does_not_start(ledger_copy):
    with Ledger(ledger_copy, readonly=True) as reader:
        reader.conn.execute("BEGIN")
        reader.conn.execute("SELECT count(*) FROM ledger_entries").fetchone()
        side = Beside.start(str(ledger_copy), reader.conn)
        assert side is not None and side.result() is True
        # A writer commits after the chain's read transaction began: a new connection would
        # read a later state than the chain, so the check is not run beside it.
        CliRunner().invoke(cli, ["add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE,
                                 "--claim", "A later claim.", "--actor", "NATO",
                                 "--stance", "asserted"], catch_exceptions=False)  # fmt: skip
        assert Beside.start(str(ledger_copy), reader.conn) is None
        reader.conn.execute("COMMIT")
        assert Beside.start("", reader.conn) is None  # e.g. Datasette's own connection


def test_verify_in_sequence_and_beside_agree(ledger_copy):
    conn = _open(ledger_copy)
    conn.execute("UPDATE stances SET actor = actor || 'x' WHERE stance_id = "
                 "(SELECT min(stance_id) FROM stances)")  # fmt: skip
    beside = _verify()
    reader = Ledger.reading(sqlite3.connect(ledger_copy, isolation_level=None))  # no path
    with pytest.raises(Exception) as sequential:
        verify(reader)
    assert str(sequential.value) in beside


def test_a_chain_failure_is_named_first_while_the_check_beside_runs(ledger_copy):
    conn = _open(ledger_copy)
    seq, rid = conn.execute(
        "SELECT seq, id FROM claim_versions ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    # The claim's wording changes its hash and its current_claims row; the chain names it.
    conn.execute("UPDATE claim_versions SET text = text || '!' WHERE seq = ?", [seq])
    out = _verify()
    assert f"(claim_versions {rid})" in out and "current_claims" not in out


def test_the_quick_chain_pass_accepts_what_the_naming_pass_accepts(ledger_copy):
    # The template holds format 1 rows with their attestation, and rows of every later format.
    conn = sqlite3.connect(ledger_copy)
    assert chain._quick_chain(conn, None) == chain._naming_chain(conn, None)
    head = chain._naming_chain(conn, None)[0]
    assert chain._quick_chain(conn, head.hash[:32])[0] == head


@pytest.mark.parametrize(("table", "column"), tamper.LEDGER_COLUMNS)
def test_the_quick_chain_pass_sees_a_changed_ledger_column(ledger_copy, table, column):
    conn = _open(ledger_copy)
    seq, value = conn.execute(
        f"SELECT seq, [{column}] FROM [{table}] ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    conn.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE seq = ?", [_changed(value), seq])
    with pytest.raises(Exception):  # noqa: B017 (any exception sends verify to the naming pass)
        chain._quick_chain(conn, None)


@pytest.mark.parametrize(
    "change",
    [
        "DELETE FROM merkle_nodes WHERE level = 4 AND idx = 0",
        "INSERT INTO merkle_nodes VALUES (4, 999, zeroblob(32))",
        "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0",
        "UPDATE merkle_nodes SET hash = lower(hex(hash)) WHERE level = 4 AND idx = 0",
    ],
)
def test_a_stored_subtree_missing_added_or_changed_is_named(ledger_copy, change):
    conn = _open(ledger_copy)
    assert conn.execute("SELECT count(*) FROM merkle_nodes").fetchone()[0] > 0
    conn.execute(change)
    assert "merkle_nodes: the stored tree differs from the ledger" in _verify()


@pytest.mark.parametrize(
    "change",
    [
        None,
        "DELETE FROM merkle_nodes WHERE level = 4 AND idx = 0",
        "DELETE FROM merkle_nodes WHERE level = (SELECT max(level) FROM merkle_nodes)",
        "INSERT INTO merkle_nodes VALUES (9, 0, zeroblob(32))",
        "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 5 AND idx = 0",
        "DROP TABLE merkle_nodes",
    ],
)
def test_the_tree_check_fed_by_the_chain_pass_says_what_the_tree_says(ledger_copy, change):
    conn = _open(ledger_copy)
    if change:
        conn.execute(change)
    check = tree.Check(conn)
    chain._quick_chain(conn, None, check)
    assert check.result() == tree.difference(conn)
    assert (check.result() is None) == (change is None or change.startswith("DROP"))


def test_a_block_root_is_the_merkle_root_of_its_entries():
    import hashlib

    from ledger import merkle

    hexes = [hashlib.sha256(bytes([i])).hexdigest() for i in range(16)]
    size, root = merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for h in hexes)
    assert (size, tree.block_root(hexes)) == (16, root)
    assert tree.block_root(hexes[:1]) == merkle.leaf_hash(bytes.fromhex(hexes[0]))


@pytest.mark.parametrize("flush_rows", [7, 5000])
def test_the_tree_kept_from_the_hashes_a_transaction_wrote_is_the_chains(
    workspace, monkeypatch, flush_rows
):
    from ledger import appends
    from ledger.claims import create_claim
    from ledger.corpus import ingest_document, read_document
    from ledger.spans import find_span

    monkeypatch.setattr(appends, "FLUSH_ROWS", flush_rows)  # many flushes inside one transaction
    shutil.copy(f"corpus/{SEED_A}", workspace / "a.txt")
    with Ledger(workspace / "t.db") as ledger:
        src = ingest_document(ledger, read_document(workspace / "a.txt"), ingested_by="t")
        text = ledger.one("SELECT text FROM sources")["text"]
        span = find_span(src.source_id, text, NATO_QUOTE)
        for size in (5, 40):  # a tree part-covered before the transaction, then grown
            with ledger.transaction():
                for i in range(size):
                    create_claim(ledger, span, claim=f"Claim {i}.", actor="NATO",
                                 stance="unconfirmed", reviewer="t")  # fmt: skip
                    ledger.one("SELECT count(*) AS n FROM current_claims")  # reads flush
        conn = ledger.conn
        assert tree.covered(conn) == ledger.head().count // 16 * 16 > 100
        assert tree.difference(conn) is None
        size, root = tree.recomputed_root(conn, tree.covered(conn))
        assert root == merkle.root(size, tree.node_reader(conn))
