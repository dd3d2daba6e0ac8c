"""Migrations: an empty database migrates once, a 0.1 ledger upgrades in place, the schema grows.

Expected schemas are literal (as in llm's tests/test_migrate.py), never derived from the code.
"""

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from ledger import appends, counts, rowformat
from ledger import migrations as migrations_module
from ledger.migrations import migrations
from ledger.rowformat import TABLES
from ledger.store import Ledger
from tests.conftest import add_kremlin, add_nato


def test_migrate_empty_database(tmp_path):
    path = tmp_path / "empty.db"
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    applied = [m.name for m in migrations.applied(db)]
    assert applied == [m.name for m in migrations._migrations]
    for table, columns in TABLES.items():
        cols = set(db[table].columns_dict)
        assert set(columns) | {"seq", "prev_hash", "hash", "recorded_at"} <= cols
    triggers = {t.name for t in db.triggers}
    assert {f"{t}_no_update" for t in TABLES} <= triggers
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "again.db"
    Ledger(path).close()
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    names = [m.name for m in migrations.applied(db)]
    assert len(names) == len(set(names))


def test_every_upsert_names_its_conflict_target(tmp_path):
    """SQLite before 3.35 (the images `datasette publish` builds) rejects a bare ON CONFLICT: in
    the schema it cannot open the database at all. Counts are kept by statements at commit now,
    so no trigger upserts, and every statement that does names its target."""
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    schema = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE sql NOTNULL")]
    assert not [s for s in schema if "ON CONFLICT" in s]
    statements = (counts.FACET_UPSERT, counts.PAIR_UPSERT_ROW, counts.DECIDED_UPSERT_ROW)
    for sql in statements:
        assert "ON CONFLICT (" in sql and "ON CONFLICT DO" not in sql, sql


# ---- History, upgrade and growth, on a ledger written by factledger 0.1 ----------------------

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v0.1.db"

# Literal, not derived from the code under test: the proposals table after m007, after m008
# added the nullable stance_on column, and after a later (test-only) migration adds another.
PROPOSALS_V2 = {
    "id": str,
    "run_id": str,
    "source_id": str,
    "start": int,
    "end": int,
    "quote": str,
    "prefix": str,
    "suffix": str,
    "claim": str,
    "actor": str,
    "stance": str,
    "stated_on": str,
    "rationale": str,
    "anchoring": str,
    "anchor_score": float,
    "proposer": str,
    "proposer_version": str,
    "model": str,
    "prompt_name": str,
    "prompt_hash": str,
    "params": str,
    "model_call_id": str,
    "seq": int,
    "prev_hash": str,
    "hash": str,
    "recorded_at": str,
    "format": int,
}
PROPOSALS_V3 = {**PROPOSALS_V2, "stance_on": str, "checkable": int}
PROPOSALS_GROWN = {**PROPOSALS_V3, "review_hint": str}
ATTESTATIONS = {
    "id": str,
    "from_format": int,
    "through_seq": int,
    "rows": int,
    "fields": str,
    "digest": str,
    "seq": int,
    "prev_hash": str,
    "hash": str,
    "recorded_at": str,
    "format": int,
}
# The spine from m010 on: no hash columns (they are in the hashed rows), no index but its key.
LEDGER_ENTRIES_V2 = {"seq": int, "tbl": str, "row_id": str}
SPINE_TRIGGERS = {
    "ledger_entries_no_update",
    "ledger_entries_no_delete",
    "ledger_entries_no_replace",
}
# A ledger table's triggers from m012 on: the append-only guards; the Ledger writes the spine.
CLAIMS_TRIGGERS = {"claims_no_update", "claims_no_delete", "claims_no_replace"}
LEDGER_TABLES_V2 = {
    "sources",
    "model_calls",
    "proposals",
    "claims",
    "claim_versions",
    "stance_events",
    "verdicts",
    "status_changes",
    "decisions",
    "attestations",
    "attested_fields",
    "ledger_entries",
}


@pytest.fixture
def old_ledger(workspace):
    """A copy of the fixture ledger (factledger 0.1) as ./ledger.db."""
    shutil.copy(FIXTURE, workspace / "ledger.db")
    return workspace / "ledger.db"


def _schema(conn):
    return sorted(
        conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE '%sqlite_migrations%'"
        ).fetchall()
    )


def test_migrations_up_to_0_1_make_the_schema_0_1_made():
    """The literal migrations m001-m005 build, byte for byte, the schema 0.1's code built."""
    conn = sqlite3.connect(":memory:")
    db = sqlite_utils.Database(conn)
    for m in migrations._migrations[:5]:
        m.fn(db)
    assert _schema(conn) == _schema(sqlite3.connect(FIXTURE))


def test_new_ledger_schema(tmp_path):
    Ledger(tmp_path / "new.db").close()
    db = sqlite_utils.Database(tmp_path / "new.db")
    assert db["proposals"].columns_dict == PROPOSALS_V3
    assert db["attestations"].columns_dict == ATTESTATIONS
    assert LEDGER_TABLES_V2 <= set(db.table_names())
    assert db.execute("SELECT count(*) FROM attestations").fetchone()[0] == 0  # nothing to attest
    assert db["ledger_entries"].columns_dict == LEDGER_ENTRIES_V2
    assert db["ledger_entries"].indexes == []
    assert {t.name for t in db["ledger_entries"].triggers} == SPINE_TRIGGERS
    assert {t.name for t in db["claims"].triggers} == CLAIMS_TRIGGERS


# The indexes of the tables read by claim, from m011 on: (claim_id, seq), no actor or stance index.
CLAIM_LOOKUP_INDEXES = {
    ("stance_events", "idx_stance_events_claim_id_seq", "claim_id, seq"),
    ("stance_events", "idx_stance_events_seq", '"seq"'),
    ("verdicts", "idx_verdicts_claim_id_seq", "claim_id, seq"),
    ("verdicts", "idx_verdicts_seq", '"seq"'),
    ("status_changes", "idx_status_changes_claim_id_seq", "claim_id, seq"),
    ("status_changes", "idx_status_changes_seq", '"seq"'),
    ("status_changes", "idx_status_changes_successor_id", '"successor_id"'),
}


def _claim_lookup_indexes(conn):
    rows = conn.execute(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql NOTNULL "
        "AND tbl_name IN ('stance_events', 'verdicts', 'status_changes')"
    )
    return {(t, n, sql.split("(", 1)[1].rsplit(")", 1)[0].strip()) for t, n, sql in rows}


def test_claim_lookups_are_indexed_in_ledger_order(tmp_path):
    """m011: every read by claim takes its rows in seq order, straight from the index: the
    stance summary, a claim's latest verdict and status, the claim filter's stance test."""
    Ledger(tmp_path / "new.db").close()
    conn = sqlite3.connect(tmp_path / "new.db")
    assert _claim_lookup_indexes(conn) == CLAIM_LOOKUP_INDEXES
    plans = {
        "SELECT verdict FROM verdicts WHERE claim_id = 'FL-X' ORDER BY seq DESC LIMIT 1": (
            "SEARCH verdicts USING INDEX idx_verdicts_claim_id_seq (claim_id=?)"
        ),
        "SELECT status FROM status_changes WHERE claim_id = 'FL-X' ORDER BY seq DESC LIMIT 1": (
            "SEARCH status_changes USING INDEX idx_status_changes_claim_id_seq (claim_id=?)"
        ),
        "SELECT 1 FROM stance_events e WHERE e.claim_id = 'FL-X' AND e.stance = 'denied'": (
            "SEARCH e USING INDEX idx_stance_events_claim_id_seq (claim_id=?)"
        ),
    }
    for sql, plan in plans.items():
        assert [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")] == [plan], sql


def _hashes(conn):
    """(seq, tbl, row_id, hash) of every entry: the hash as the spine held it before m010."""
    return conn.execute("SELECT seq, tbl, row_id, hash FROM ledger_entries ORDER BY seq").fetchall()


def _row_hashes(conn):
    """(seq, tbl, row_id, hash) of every entry, the hash read from the row the spine points at."""
    out = []
    for seq, tbl, row_id in conn.execute(
        "SELECT seq, tbl, row_id FROM ledger_entries ORDER BY seq"
    ):
        found = conn.execute(f"SELECT id, hash FROM [{tbl}] WHERE seq = ?", [seq]).fetchall()
        assert len(found) == 1 and found[0][0] == row_id, (seq, tbl, row_id, found)
        out.append((seq, tbl, row_id, found[0][1]))
    return out


def test_a_0_1_ledger_upgrades_in_place_and_then_catches_a_changed_wording(old_ledger, run):
    before = _hashes(sqlite3.connect(old_ledger))
    old_head = before[-1][3]
    # Read-only, not upgraded yet: the chain verifies (its wording not yet attested); its
    # derived tables are 0.1's, which this version cannot check, and verify says to rebuild.
    r = run("verify", "--quick")
    assert r.exit_code == 0 and "not yet attested" in r.output
    r = run("verify")
    assert r.exit_code == 1 and "at derived version 0;" in r.output
    assert "run 'factledger rebuild', then verify again" in r.output
    assert run("rebuild").exit_code == 0  # any write upgrades
    conn = sqlite3.connect(old_ledger)
    after = _row_hashes(conn)
    assert after[: len(before)] == before  # no row rewritten, the spine lists them as it did
    assert sqlite_utils.Database(conn)["ledger_entries"].columns_dict == LEDGER_ENTRIES_V2
    assert after[len(before) :] == [
        (len(before) + 1, "attestations", f"AT-f1-{len(before)}", after[-1][3])
    ]
    assert sqlite_utils.Database(conn)["proposals"].columns_dict == PROPOSALS_V3
    assert _claim_lookup_indexes(conn) == CLAIM_LOOKUP_INDEXES
    assert {t.name for t in sqlite_utils.Database(conn)["claims"].triggers} == CLAIMS_TRIGGERS
    entry_triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_entry'"
    assert conn.execute(entry_triggers).fetchall() == []
    attested = conn.execute("SELECT rows, fields, through_seq FROM attestations").fetchone()
    assert attested == (5, '["claim_versions.text"]', len(before))
    r = run("verify", "--head", old_head)
    assert r.exit_code == 0 and "not yet attested" not in r.output
    # New rows are written with the newest format.
    cid = run("claims", "--json").output.split('"id": "')[1].split('"')[0]
    assert run("verdict", cid, "supported").exit_code == 0
    assert conn.execute("SELECT format FROM verdicts ORDER BY seq DESC LIMIT 1").fetchone() == (3,)
    assert run("verify").exit_code == 0
    # The tamper on an old row, after the upgrade: caught, naming the row.
    seq, vid = conn.execute("SELECT seq, id FROM claim_versions ORDER BY seq LIMIT 1").fetchone()
    conn.execute("DROP TRIGGER claim_versions_no_update")
    conn.execute(
        "UPDATE claim_versions SET text = 'North Korean soldiers are NOT in Russia.' WHERE id = ?",
        [vid],
    )
    conn.commit()
    r = run("verify")
    assert r.exit_code == 1
    assert (
        f"seq {seq} (claim_versions {vid}): claim_versions.text differs from what the upgrade attested"
        in r.output
    )


def test_attested_fields_cannot_be_rewritten_to_match(old_ledger, run):
    assert run("rebuild").exit_code == 0
    conn = sqlite3.connect(old_ledger)
    seq, vid = conn.execute("SELECT seq, id FROM claim_versions ORDER BY seq LIMIT 1").fetchone()
    for t in ("claim_versions", "attested_fields"):
        conn.execute(f"DROP TRIGGER {t}_no_update")
    conn.execute("UPDATE claim_versions SET text = 'changed' WHERE id = ?", [vid])
    from ledger.hashing import left_out_line, line_digest

    d = line_digest(left_out_line("claim_versions", {"seq": seq, "id": vid, "text": "changed"}))
    conn.execute("UPDATE attested_fields SET digest = ? WHERE seq = ?", [d, seq])
    conn.commit()
    r = run("verify")
    assert r.exit_code == 1 and "attested_fields differ from what it attested" in r.output
    assert "(attestations AT-f1-" in r.output


def test_a_later_nullable_column_keeps_old_rows_verifying(old_ledger, run, monkeypatch):
    """A new migration adds proposals.review_hint to a ledger holding rows of every format."""
    assert run("rebuild").exit_code == 0  # upgrade to the newest format
    newest, grown_format = rowformat.FORMAT, rowformat.FORMAT + 1

    def copy_a_proposal(ledger, **changes):
        row = ledger.one("SELECT * FROM proposals ORDER BY seq LIMIT 1")
        chain = ("seq", "prev_hash", "hash", "recorded_at", "format")
        ledger.append(
            "proposals", {**{c: row[c] for c in PROPOSALS_V2 if c not in chain}, **changes}
        )

    with Ledger(old_ledger) as ledger, ledger.transaction():
        copy_a_proposal(ledger, id="P-format-now")
    grown = Migrations("factledger")
    grown._migrations = list(migrations._migrations)

    @grown()
    def m900_proposals_review_hint(db):
        db.execute("ALTER TABLE proposals ADD COLUMN review_hint TEXT")

    monkeypatch.setattr(migrations_module, "migrations", grown)
    proposals = {
        **rowformat.TABLES["proposals"],
        "review_hint": rowformat.Column("TEXT", since=grown_format),
    }
    monkeypatch.setitem(rowformat.TABLES, "proposals", proposals)
    monkeypatch.setattr(rowformat, "FORMAT", grown_format)
    monkeypatch.setattr(rowformat, "FORMATS", tuple(range(1, grown_format + 1)))

    with Ledger(old_ledger) as ledger, ledger.transaction():
        copy_a_proposal(ledger, id="P-review-hint", review_hint="check the figure")
    conn = sqlite3.connect(old_ledger)
    assert sqlite_utils.Database(conn)["proposals"].columns_dict == PROPOSALS_GROWN
    formats = dict(conn.execute("SELECT coalesce(format, 1), count(*) FROM proposals GROUP BY 1"))
    assert set(formats) == {1, newest, grown_format} and formats[grown_format] == 1
    assert run("verify").exit_code == 0
    # The new column is covered in the new row...
    conn.execute("DROP TRIGGER proposals_no_update")
    conn.execute("UPDATE proposals SET review_hint = 'changed' WHERE id = 'P-review-hint'")
    conn.commit()
    r = run("verify", "--quick")
    assert r.exit_code == 1 and "(proposals P-review-hint): hash does not match" in r.output
    conn.execute("UPDATE proposals SET review_hint = 'check the figure' WHERE id = 'P-review-hint'")
    # ...and an older row, written without it, cannot gain a value for it.
    old_id = "P-format-now"
    conn.execute("UPDATE proposals SET review_hint = 'changed' WHERE id = ?", [old_id])
    conn.commit()
    r = run("verify", "--quick")
    assert r.exit_code == 1
    assert (
        f"(proposals {old_id}): review_hint holds a value, but row format {newest} has no "
        "review_hint" in r.output
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            "DELETE FROM _sqlite_migrations WHERE name = 'm003_reader_tables'",
            "m003_reader_tables is not recorded",
        ),
        ("DELETE FROM _sqlite_migrations", "records no migration"),
        ("DROP TABLE _sqlite_migrations", "_sqlite_migrations is missing"),
    ],
)
def test_a_damaged_migrations_record_is_reported(seeded, raw_db, damage, message):
    raw_db().execute(damage)
    r = seeded("verify")
    assert r.exit_code == 1 and message in r.output and "Traceback" not in r.output


# Before m012 a trigger a row wrote the spine (at m009 with each entry's hashes): today's Ledger,
# writing on that schema, leaves the spine to them and writes no spine row of its own.
M009_SPINE_INSERT = "INSERT INTO ledger_entries (seq, tbl, row_id) SELECT ?, ?, ? WHERE 0"


def test_a_ledger_before_m010_slims_its_spine_and_keeps_every_entry(run, workspace, monkeypatch):
    """A ledger written at m009 (the spine storing each hash twice, UNIQUE) with rows in several
    tables upgrades: the spine lists the same entries, the hashes it held are the rows' own,
    the guards and the counts are back, a checkpoint signed before still holds, and the ledger
    verifies and takes new entries."""
    monkeypatch.setenv("FACTLEDGER_ORIGIN", "factcheck.example.org/ledger")
    before_m010 = Migrations("factledger")
    before_m010._migrations = [m for m in migrations._migrations if m.name < "m010"]
    with monkeypatch.context() as mp:
        mp.setattr(migrations_module, "migrations", before_m010)
        mp.setattr(appends, "SPINE_INSERT", M009_SPINE_INSERT)
        assert run("ingest", "corpus/").exit_code == 0
        cid = add_nato(run).output.strip()
        assert add_kremlin(run, cid).exit_code == 0
        assert run("verdict", cid, "unverified").exit_code == 0
        assert run("keygen", "factcheck.example.org", "-o", "key.txt").exit_code == 0
        r = run("checkpoint", "--key", "key.txt")
        assert r.exit_code == 0, r.output
        (workspace / "cp1.txt").write_text(r.output)
    conn = sqlite3.connect("ledger.db")
    old = sqlite_utils.Database(conn)
    assert set(old["ledger_entries"].columns_dict) == {"seq", "tbl", "row_id", "prev_hash", "hash"}
    before = _hashes(conn)
    assert {t for _, t, _, _ in before} >= {"sources", "claims", "stance_events", "checkpoints"}
    assert run("verify").exit_code == 0  # read-only: verifies the m009 spine as it is
    conn.close()

    assert run("verdict", cid, "supported").exit_code == 0  # any write upgrades first
    conn = sqlite3.connect("ledger.db")
    db = sqlite_utils.Database(conn)
    assert "m010_slim_spine" in {m.name for m in migrations.applied(db)}
    assert db["ledger_entries"].columns_dict == LEDGER_ENTRIES_V2
    assert db["ledger_entries"].indexes == []
    assert {t.name for t in db["ledger_entries"].triggers} == SPINE_TRIGGERS
    after = _row_hashes(conn)
    assert after[: len(before)] == before
    assert after[-1][:2] == (len(before) + 1, "verdicts")
    assert "ledger_entries_m010" not in db.table_names()
    r = run("verify", "--checkpoint", "cp1.txt", "--head", before[-1][3])
    assert r.exit_code == 0 and r.output.startswith("ok: "), r.output
    n = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
    kept = "SELECT n FROM facet_counts WHERE tbl = 'ledger_entries' AND col = ''"
    assert n == len(before) + 1 and conn.execute(kept).fetchone() == (n,)
    # The guards hold on the new spine: no second entry at a seq, no update, no delete.
    for sql in (
        f"INSERT INTO ledger_entries VALUES ({n}, 'claims', 'x')",
        f"INSERT OR REPLACE INTO ledger_entries VALUES ({n}, 'claims', 'x')",
        f"UPDATE ledger_entries SET row_id = 'x' WHERE seq = {n}",
        f"DELETE FROM ledger_entries WHERE seq = {n}",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="factledger: ledger_entries"):
            conn.execute(sql)
