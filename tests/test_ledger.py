"""Append-only, tamper evidence and concurrent writers, driven through the CLI and sqlite3."""

import json
import re
import sqlite3
import subprocess
import sys

import pytest

from ledger.rowformat import TABLES
from tests.conftest import SEED_A, add_kremlin, add_nato


@pytest.fixture
def ledger_with_claims(seeded):
    add_nato(seeded)
    cid = add_nato(seeded).output.strip()
    add_kremlin(seeded, cid, actor="Kremlin")
    seeded("verdict", cid, "unverified")
    return seeded


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("statement", ["UPDATE [{t}] SET id = id", "DELETE FROM [{t}]"])
def test_update_and_delete_fail_on_every_table(ledger_with_claims, raw_db, table, statement):
    from ledger.store import Ledger

    # An empty table fires no row trigger, so give each table a row to refuse.
    with Ledger("ledger.db") as ledger, ledger.transaction():
        if ledger.count(table) == 0:
            ledger.append(table, {"id": f"probe-{table}"})
    conn = raw_db()
    before = conn.execute(f"SELECT count(*), group_concat(hash) FROM [{table}]").fetchone()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(statement.format(t=table))
    assert conn.execute(f"SELECT count(*), group_concat(hash) FROM [{table}]").fetchone() == before


def test_sqlite3_shell_cannot_update_or_delete(ledger_with_claims, workspace):
    for sql in ("UPDATE claim_versions SET text = 'changed'", "DELETE FROM stance_events"):
        proc = subprocess.run(["sqlite3", "ledger.db", sql], capture_output=True, text=True)
        assert proc.returncode != 0 and "append-only" in proc.stderr
    assert ledger_with_claims("verify").exit_code == 0


REPLACING = [
    "INSERT OR REPLACE INTO [{t}] SELECT * FROM [{t}] WHERE seq = {seq}",
    "REPLACE INTO [{t}] SELECT * FROM [{t}] WHERE seq = {seq}",
    "INSERT INTO [{t}] SELECT * FROM [{t}] WHERE seq = {seq} "
    "ON CONFLICT (id) DO UPDATE SET recorded_at = 'changed'",
    "INSERT OR IGNORE INTO [{t}] SELECT * FROM [{t}] WHERE seq = {seq}",
]


@pytest.mark.parametrize("table", [*TABLES, "ledger_entries"])
@pytest.mark.parametrize("statement", REPLACING)
def test_replace_fails_on_every_ledger_table(ledger_with_claims, raw_db, table, statement):
    """REPLACE deletes the old row without firing its DELETE trigger: a guard refuses it first."""
    from ledger.store import Ledger

    with Ledger("ledger.db") as ledger, ledger.transaction():
        if table != "ledger_entries" and ledger.count(table) == 0:
            ledger.append(table, {"id": f"probe-{table}"})
    conn = raw_db()
    seq = conn.execute(f"SELECT max(seq) FROM [{table}]").fetchone()[0]
    if table == "ledger_entries":
        statement = statement.replace("(id) DO UPDATE SET recorded_at", "(seq) DO UPDATE SET tbl")
    before = conn.execute(f"SELECT * FROM [{table}] ORDER BY seq").fetchall()
    with pytest.raises(sqlite3.DatabaseError, match="already holds this"):
        conn.execute(statement.format(t=table, seq=seq))
    assert conn.execute(f"SELECT * FROM [{table}] ORDER BY seq").fetchall() == before


def test_sqlite3_shell_cannot_replace_a_claim_wording(ledger_with_claims, workspace):
    """The issue's reproduction without DROP TRIGGER: INSERT OR REPLACE from the shell."""
    sql = (
        "INSERT OR REPLACE INTO claim_versions (id, claim_id, version, text, source_id, start, "
        "[end], quote, prefix, suffix, reviewer, reason, proposal_id, decision_id, seq, "
        "prev_hash, hash, recorded_at) SELECT id, claim_id, version, 'North Korean soldiers are "
        "NOT in Russia.', source_id, start, [end], quote, prefix, suffix, reviewer, reason, "
        "proposal_id, decision_id, seq, prev_hash, hash, recorded_at FROM claim_versions "
        "ORDER BY seq LIMIT 1"
    )
    proc = subprocess.run(["sqlite3", "ledger.db", sql], capture_output=True, text=True)
    assert proc.returncode != 0 and "append-only" in proc.stderr
    claims = json.loads(ledger_with_claims("claims", "--json").output)
    assert all("NOT in Russia" not in c["text"] for c in claims)
    assert ledger_with_claims("verify").exit_code == 0


def test_fork_across_tables_refused(ledger_with_claims, raw_db):
    conn = raw_db()
    row = conn.execute("SELECT seq, prev_hash FROM claims ORDER BY seq DESC LIMIT 1").fetchone()
    with pytest.raises(sqlite3.DatabaseError, match="or ledger_entries this seq"):
        conn.execute(
            "INSERT INTO verdicts (id, claim_id, verdict, seq, prev_hash, hash, recorded_at) "
            "VALUES ('x', 'y', 'supported', ?, ?, 'h', 'now')",
            row,
        )


def _tamper(raw_db, *statements):
    conn = raw_db()
    for t in [*TABLES, "ledger_entries"]:
        conn.execute(f"DROP TRIGGER IF EXISTS [{t}_no_update]")
        conn.execute(f"DROP TRIGGER IF EXISTS [{t}_no_delete]")
    for sql, params in statements:
        conn.execute(sql, params)
    conn.close()


def _seq_of(raw_db, table, where="1=1"):
    return (
        raw_db()
        .execute(f"SELECT seq, id FROM [{table}] WHERE {where} ORDER BY seq LIMIT 1")
        .fetchone()
    )


def test_changed_quote_caught(ledger_with_claims, raw_db):
    seq, rid = _seq_of(raw_db, "stance_events", "actor = 'Kremlin'")
    _tamper(
        raw_db,
        ("UPDATE stance_events SET quote = 'Kremlin spokesman confirmed' WHERE id = ?", [rid]),
    )
    r = ledger_with_claims("verify")
    assert r.exit_code == 1
    assert f"seq {seq} (stance_events {rid})" in r.output and "altered" in r.output


def test_changed_quote_with_rehash_still_caught_by_span_check(ledger_with_claims, raw_db):
    """Someone who edits a quote and recomputes that row's hash breaks the next link."""
    seq, rid = _seq_of(raw_db, "stance_events", "actor = 'Kremlin'")
    _tamper(raw_db, ("UPDATE stance_events SET quote = 'x' || quote WHERE id = ?", [rid]))
    from ledger.hashing import row_hash
    from ledger.rowformat import columns

    conn = raw_db()
    cols = columns("stance_events")
    row = dict(
        zip(
            cols,
            conn.execute(
                f"SELECT {', '.join('[' + c + ']' for c in cols)} FROM stance_events WHERE id = ?",
                [rid],
            ).fetchone(),
            strict=True,
        )
    )
    conn.execute(
        "UPDATE stance_events SET hash = ? WHERE id = ?",
        [row_hash("stance_events", row, row["format"]), rid],
    )
    r = ledger_with_claims("verify")
    assert r.exit_code == 1 and f"seq {seq} (stance_events {rid})" in r.output
    assert "quote does not match source text" in r.output


def test_changed_source_byte_caught(ledger_with_claims, raw_db):
    seq, sid = _seq_of(raw_db, "sources")
    _tamper(
        raw_db, ("UPDATE sources SET text = replace(text, '11,000', '12,000') WHERE id = ?", [sid])
    )
    r = ledger_with_claims("verify")
    assert r.exit_code == 1
    assert f"seq {seq} (sources {sid})" in r.output and "text_sha256" in r.output


def test_changed_raw_byte_caught(ledger_with_claims, raw_db):
    seq, sid = _seq_of(raw_db, "sources")
    _tamper(
        raw_db,
        (
            "UPDATE sources SET raw = CAST(replace(CAST(raw AS TEXT), 'NATO', 'NAT0') AS BLOB) "
            "WHERE id = ?",
            [sid],
        ),
    )
    r = ledger_with_claims("verify")
    assert (
        r.exit_code == 1 and f"seq {seq} (sources {sid})" in r.output and "raw_sha256" in r.output
    )


def test_deleted_middle_row_caught(ledger_with_claims, raw_db):
    seq, cid = _seq_of(raw_db, "claim_versions")
    _tamper(raw_db, ("DELETE FROM claim_versions WHERE id = ?", [cid]))
    r = ledger_with_claims("verify")
    assert r.exit_code == 1
    assert f"seq {seq} (claim_versions {cid}): missing from claim_versions" in r.output


def test_tail_truncation_caught_by_verify_head(ledger_with_claims, raw_db):
    quoted = json.loads(ledger_with_claims("head", "--json").output)
    last = quoted["entries"]
    table = next(
        t
        for t in TABLES
        if raw_db().execute(f"SELECT 1 FROM [{t}] WHERE seq = ?", [last]).fetchone()
    )
    _tamper(raw_db, (f"DELETE FROM [{table}] WHERE seq = ?", [last]))
    only_table = ledger_with_claims("verify")  # the spine still lists the row
    assert only_table.exit_code == 1 and f"seq {last} ({table}" in only_table.output
    # The head's hash is in the deleted row: nothing is chained onto a hash that is gone.
    cid = json.loads(ledger_with_claims("claims", "--json").output)[0]["id"]
    refused = ledger_with_claims("verdict", cid, "supported")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert f"seq {last} ({table} " in refused.output and "missing from" in refused.output
    assert raw_db().execute("SELECT max(seq) FROM ledger_entries").fetchone() == (last,)
    _tamper(raw_db, ("DELETE FROM ledger_entries WHERE seq = ?", [last]))
    # A clean prefix is a valid chain, but the reader tables still show the deleted row...
    assert ledger_with_claims("verify", "--quick").exit_code == 0
    derived = ledger_with_claims("verify")
    assert derived.exit_code == 1 and "differs from the ledger; run 'factledger rebuild'" in (
        derived.output
    )
    assert ledger_with_claims("rebuild").exit_code == 0
    assert ledger_with_claims("verify").exit_code == 0
    r = ledger_with_claims("verify", "--head", quoted["head"])
    assert r.exit_code == 1 and "truncated or rewritten" in r.output  # ...but not the one we quoted
    assert f"{last - 1} entries" in ledger_with_claims("head").output


def test_verify_head_accepts_an_earlier_head(ledger_with_claims):
    earlier = json.loads(ledger_with_claims("head", "--json").output)["head"]
    add_nato(ledger_with_claims)
    r = ledger_with_claims("verify", "--head", f"sha256:{earlier}")
    assert r.exit_code == 0 and r.output.startswith("ok: ")


def test_verify_head_accepts_the_head_a_citation_quotes(ledger_with_claims, workspace):
    """`cite` prints a head's first 32 characters: that is what a reader checks later."""
    cid = json.loads(ledger_with_claims("claims", "--json").output)[0]["id"]
    cited = ledger_with_claims("cite", cid).output
    quoted = re.search(r"ledger head \d+ ([0-9a-f]{32})\)", cited).group(1)
    add_nato(ledger_with_claims)
    assert ledger_with_claims("verify", "--head", quoted).exit_code == 0
    assert ledger_with_claims("verify", "--head", quoted.upper()).exit_code == 0
    r = ledger_with_claims("verify", "--head", "0123456789abcdef" * 2)  # in no ledger
    assert r.exit_code == 1 and "truncated or rewritten" in r.output
    # Shorter heads could be forged by grinding a new entry: they are refused, clearly.
    for bad in (quoted[:16], "not-a-hash-at-all"):
        r = ledger_with_claims("verify", "--head", bad)
        assert r.exit_code != 0 and "Traceback" not in r.output
        assert "at least its first 32" in r.output and len(r.output.strip().splitlines()) == 1


WORKER = """
import sys
from click.testing import CliRunner
from ledger.cli import cli
runner = CliRunner()
for i in range(50):
    r = runner.invoke(cli, ["add", "--source", sys.argv[1], "--quote", sys.argv[2],
                            "--claim", f"Worker {sys.argv[3]} claim {i} about the troops.",
                            "--actor", "NATO", "--stance", "unconfirmed"])
    if r.exit_code != 0:
        print("FAIL", r.output, file=sys.stderr)
        sys.exit(1)
"""


def test_four_writers_fifty_adds_each(seeded, workspace):
    from tests.conftest import NATO_QUOTE

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, f"corpus/{SEED_A}", NATO_QUOTE, str(n)],
            cwd=workspace,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    claims = json.loads(seeded("claims", "--json").output)
    assert len(claims) == 200 and len({c["id"] for c in claims}) == 200
    r = seeded("verify")
    assert r.exit_code == 0 and r.output.startswith("ok: ")
