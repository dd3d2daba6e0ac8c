"""Named schema migrations, applied once each and recorded in ``_sqlite_migrations``.

Migrations are history: each one runs the literal SQL in ``ledger/schema/NAME.sql``, exactly as
it first ran, so that it keeps its meaning whatever the library code says later. Never edit one;
add a new one. Everything derived (reader tables, kept counts, search index) is installed after
the migrations by ``ledger/derived.py``, at its own version.

Every ledger table carries the chain columns ``seq``, ``prev_hash``, ``hash``, ``recorded_at``
(and, from m007, ``format``), and is append-only: triggers refuse UPDATE, DELETE and an INSERT
that reuses an id or seq, even from the ``sqlite3`` shell. Each ledger row has a row in the
``ledger_entries`` spine (seq, table, id; until m010 also prev_hash and hash), whose primary key
makes a fork of the chain fail loudly across all tables, and which gives the head in O(1). Until
m012 an AFTER INSERT trigger on each ledger table wrote it; since then the Ledger writes the spine
rows of a flush together (``Ledger.flush``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import sqlite3
from collections.abc import Iterator
from importlib import resources

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from ledger import hashing

migrations = Migrations("factledger")
ENTRIES = "ledger_entries"


def statements(name: str) -> Iterator[str]:
    """The statements of ``ledger/schema/NAME.sql``, one complete SQL statement at a time."""
    text = resources.files("ledger").joinpath(f"schema/{name}.sql").read_text("utf-8")
    buf = ""
    for line in text.splitlines(keepends=True):
        if not buf and line.startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf.strip()
            buf = ""
    if buf.strip():
        raise ValueError(f"schema/{name}.sql ends with an incomplete statement")


def run_sql(db: Database, name: str) -> None:
    """Run a migration's literal SQL inside the caller's transaction."""
    for sql in statements(name):
        db.execute(sql)


@migrations()
def m001_ledger_tables(db: Database) -> None:
    """Create every ledger table with its chain columns, indexes and append-only triggers."""
    run_sql(db, "m001_ledger_tables")


@migrations()
def m002_reader_views_and_search(db: Database) -> None:
    """Views a reader needs, and full-text search over claims and quotes (derived indexes)."""
    run_sql(db, "m002_reader_views_and_search")


@migrations()
def m003_reader_tables(db: Database) -> None:
    """Replace the current_claims and stances views with derived tables kept by triggers."""
    run_sql(db, "m003_reader_tables")


@migrations()
def m004_counts_and_proposal_decisions(db: Database) -> None:
    """Exact row and facet counts kept by triggers; proposal_decisions as a reader table."""
    run_sql(db, "m004_counts_and_proposal_decisions")


@migrations()
def m005_reader_page_indexes(db: Database) -> None:
    """Index reader-table filters and facet pairs with the newest-first order pages use."""
    run_sql(db, "m005_reader_page_indexes")


@migrations()
def m006_refuse_replace(db: Database) -> None:
    """Refuse a row whose id or seq is already taken, so INSERT OR REPLACE, REPLACE and upserts
    cannot swap a ledger row: REPLACE deletes the old row without firing the DELETE trigger."""
    run_sql(db, "m006_refuse_replace")


# What format 1 left out of the hash, as this migration attests it (the contract's
# FORMAT_1_LEFT_OUT at the time, spelled out so the migration keeps its meaning).
M007_LEFT_OUT: dict[str, tuple[str, ...]] = {"claim_versions": ("text",)}


@migrations()
def m007_row_format_2(db: Database) -> None:
    """Each row records its hash format (NULL: format 1); an attestation entry covers what
    format 1 left out of the hash for every row written so far, without rewriting any row."""
    run_sql(db, "m007_row_format_2")
    # As it first ran, on the spine of its time (which held each entry's hash).
    head = db.execute(f"SELECT seq, hash FROM {ENTRIES} ORDER BY seq DESC LIMIT 1").fetchone()
    if head is None:
        return  # an empty ledger: nothing was written under format 1
    attest(db, head[0], head[1], M007_LEFT_OUT)


@migrations()
def m008_checkpoints_links_pages(db: Database) -> None:
    """Signed checkpoints as ledger rows; proposals.stance_on; sources.language and .pages."""
    run_sql(db, "m008_checkpoints_links_pages")


@migrations()
def m009_team_review(db: Database) -> None:
    """Team review: assignments, votes, settlements, settings, holds and confirmations."""
    run_sql(db, "m009_team_review")


@migrations()
def m010_slim_spine(db: Database) -> None:
    """The spine keeps seq, tbl and row_id: each entry's hashes are read from its hashed row."""
    run_sql(db, "m010_slim_spine")


@migrations()
def m011_claim_lookup_indexes(db: Database) -> None:
    """Index stance events, verdicts and status changes by (claim_id, seq), the order every read
    by claim takes; drop the stance_events indexes on actor and stance, which no query needs."""
    run_sql(db, "m011_claim_lookup_indexes")


@migrations()
def m012_spine_written_by_the_ledger(db: Database) -> None:
    """Drop the per-row triggers that copied each ledger row into the spine (the Ledger writes
    the spine rows itself, together, in the same transaction); the insert guards look a new
    row's seq up in the spine, so that a fork across tables is still refused."""
    run_sql(db, "m012_spine_written_by_the_ledger")


def attest(db: Database, seq: int, prev_hash: str, left_out: dict[str, tuple[str, ...]]) -> str:
    """Append one attestation covering the ``left_out`` fields of every row up to ``seq``."""
    att_id = f"AT-f1-{seq}"
    streams = [
        (
            (r[0], table, r[1], dict(zip(cols, r[2:], strict=True)))
            for r in db.execute(
                f"SELECT seq, id, {', '.join(f'[{c}]' for c in cols)} FROM [{table}] "
                "WHERE seq <= ? ORDER BY seq",
                [seq],
            )
        )
        for table, cols in left_out.items()
    ]
    digest, rows = hashing.attestation_hasher(), 0
    batch: list[tuple[object, ...]] = []
    sql = "INSERT INTO attested_fields (seq, tbl, row_id, digest, attestation_id) VALUES "
    sql += "(?, ?, ?, ?, ?)"
    for row_seq, table, row_id, fields in heapq.merge(*streams, key=lambda r: r[0]):
        line = hashing.left_out_line(table, {"seq": row_seq, "id": row_id, **fields})
        d = hashing.line_digest(line)
        digest.update(d.encode("ascii"))
        rows += 1
        batch.append((row_seq, table, row_id, d, att_id))
        if len(batch) >= 5000:
            db.conn.executemany(sql, batch)
            batch.clear()
    db.conn.executemany(sql, batch)
    row = {
        "id": att_id,
        "from_format": 1,
        "through_seq": seq,
        "rows": rows,
        "fields": hashing.canonical_json(
            [f"{t}.{c}" for t, cols in left_out.items() for c in cols]
        ).decode(),
        "digest": digest.hexdigest(),
        "seq": seq + 1,
        "prev_hash": prev_hash,
        "recorded_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "format": 2,
    }
    row["hash"] = hashing.row_hash("attestations", row, 2)
    cols = list(row)
    db.execute(
        f"INSERT INTO attestations ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )
    return att_id


def apply(db: Database) -> None:
    """Apply pending migrations (callers hold the write lock)."""
    migrations.apply(db)


def record_problem(conn: sqlite3.Connection) -> str | None:
    """What is wrong with the ``_sqlite_migrations`` record, or None if it is sound.

    A ledger whose record lost rows re-runs those migrations on the next write, which fails.
    """
    known = [m.name for m in migrations._migrations]
    try:
        applied = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
                [migrations.name],
            )
        ]
    except sqlite3.DatabaseError:
        return "_sqlite_migrations is missing: the ledger's record of its migrations was deleted"
    if not applied:
        return "_sqlite_migrations records no migration of this ledger (the record was emptied)"
    for i, name in enumerate(known):
        if name not in applied and any(n in applied for n in known[i + 1 :]):
            return f"_sqlite_migrations: {name} is not recorded although later migrations are"
    if len(set(applied)) != len(applied):
        return "_sqlite_migrations records a migration twice"
    return None
