"""A bulk flush lifts the insert guards inside its own write transaction and puts them back as
they were; nobody can write while they are lifted; the spine is written by the Ledger, and a row
written behind its back is named by verify."""

import sqlite3

import pytest

from ledger import guards, rowformat
from ledger.claims import create_claim
from ledger.verify import verify
from tests.conftest import span_in

# One claim is three entries (claim, version, stance event): enough claims for one lifted flush.
BULK = guards.LIFT_ROWS // 3 + 10


def _claims(ledger, n, start=0):
    span = span_in(ledger)
    for i in range(start, start + n):
        create_claim(ledger, span, claim=f"Claim {i}.", actor="NATO", stance="unconfirmed",
                     reviewer="r")  # fmt: skip


def _triggers(conn):
    return sorted(
        conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    )


def _other(workspace, timeout=0.0):
    conn = sqlite3.connect(workspace / "ledger.db", timeout=timeout)
    conn.isolation_level = None
    return conn


REPLACE_A_CLAIM = (
    "INSERT OR REPLACE INTO claims (id, created_by, proposal_id, seq, prev_hash, hash, "
    "recorded_at, format) SELECT id, 'mallory', proposal_id, seq, prev_hash, hash, recorded_at, "
    "format FROM claims ORDER BY seq LIMIT 1"
)


def test_a_bulk_append_puts_every_guard_back_as_it_was(ledger, workspace):
    before = _triggers(ledger.conn)
    assert {f"{t}{guards.SUFFIX}" for t in (*rowformat.TABLES, rowformat.ENTRIES)} <= {
        name for name, _, _ in before
    }
    with ledger.transaction():
        _claims(ledger, BULK)
    assert _triggers(_other(workspace)) == before
    with pytest.raises(
        sqlite3.IntegrityError, match="claims already holds this id, or ledger_entries this seq"
    ):
        _other(workspace).execute(REPLACE_A_CLAIM)
    assert verify(ledger).head == ledger.head()  # raises, naming the row, if anything is off


def test_nobody_writes_while_the_guards_are_lifted(ledger, workspace):
    with ledger.transaction():
        _claims(ledger, BULK)
        ledger.flush()
        lifted = {name for name, _, _ in _triggers(ledger.conn)}
        assert "claims_no_replace" not in lifted  # this transaction's own view: lifted
        # Another connection reads the committed ledger, guards and all, and cannot write.
        assert "claims_no_replace" in {name for name, _, _ in _triggers(_other(workspace))}
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _other(workspace).execute(REPLACE_A_CLAIM)
        _claims(ledger, 2, start=BULK)
    assert "claims_no_replace" in {name for name, _, _ in _triggers(ledger.conn)}


def test_a_rolled_back_bulk_append_leaves_the_guards_and_the_rows(ledger, workspace):
    before, count = _triggers(ledger.conn), ledger.count("claims")
    with pytest.raises(RuntimeError), ledger.transaction():
        _claims(ledger, BULK)
        ledger.flush()
        raise RuntimeError("abandon")
    assert _triggers(ledger.conn) == before
    assert ledger.count("claims") == count


def test_a_review_sized_write_keeps_the_guards(ledger, workspace):
    """A few rows are not worth a schema change: the guards stay, and other connections need
    not read the schema again."""
    version = ledger.conn.execute("PRAGMA schema_version").fetchone()[0]
    with ledger.transaction():
        _claims(ledger, 3)
    assert ledger.conn.execute("PRAGMA schema_version").fetchone()[0] == version


def test_every_entry_has_its_spine_row(ledger):
    with ledger.transaction():
        _claims(ledger, BULK)
    spine = ledger.conn.execute("SELECT seq, tbl, row_id FROM ledger_entries ORDER BY seq")
    rows = ledger.conn.execute(
        " UNION ALL ".join(f"SELECT seq, '{t}', id FROM [{t}]" for t in rowformat.TABLES)
        + " ORDER BY seq"
    )
    assert spine.fetchall() == rows.fetchall()


def test_a_row_written_behind_the_ledgers_back_is_named(ledger, workspace, run):
    """No trigger copies a shell-inserted row into the spine any more: verify names the row."""
    with ledger.transaction():
        _claims(ledger, 1)
    seq, prev = ledger.conn.execute("SELECT seq, hash FROM stance_events").fetchone()
    _other(workspace).execute(
        "INSERT INTO claims (id, created_by, seq, prev_hash, hash, recorded_at, format) "
        "VALUES ('FL-FORGED', 'mallory', ?, ?, 'x', '2026-01-01T00:00:00Z', 3)",
        [seq + 1, prev],
    )
    r = run("verify")
    assert r.exit_code == 1
    assert f"seq {seq + 1} (claims FL-FORGED)" in r.output
