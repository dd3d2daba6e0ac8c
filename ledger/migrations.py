"""Named schema migrations, applied once each and recorded in ``_sqlite_migrations``.

Every ledger table carries the chain columns ``seq``, ``prev_hash``, ``hash`` and
``recorded_at``, and is append-only: triggers refuse UPDATE and DELETE, even from the
``sqlite3`` shell. An AFTER INSERT trigger on each ledger table also records the row in
``ledger_entries`` (seq, table, id, prev_hash, hash), whose primary key and UNIQUE constraints
make a fork of the chain fail loudly across all tables, and which gives the head in O(1).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("factledger")

CHAIN = {"seq": int, "prev_hash": str, "hash": str, "recorded_at": str}
SPAN = {
    "source_id": str,
    "start": int,
    "end": int,
    "quote": str,
    "prefix": str,
    "suffix": str,
}

# The ledger tables, in the order they were introduced. Columns after the chain columns.
TABLES: dict[str, dict[str, type]] = {
    "sources": {
        "id": str,
        "path": str,
        "title": str,
        "publisher": str,
        "author": str,
        "url": str,
        "published": str,
        "retrieved": str,
        "media_type": str,
        "size_bytes": int,
        "raw_sha256": str,
        "text_sha256": str,
        "replaces": str,
        "ingested_by": str,
        "text": str,
        "raw": bytes,
    },
    "model_calls": {
        "id": str,
        "model": str,
        "resolved_model": str,
        "api_base": str,
        "prompt_name": str,
        "prompt_hash": str,
        "cache_key": str,
        "request": str,
        "response": str,
        "input_tokens": int,
        "output_tokens": int,
        "cost": float,
        "duration_ms": int,
        "error": str,
    },
    "proposals": {
        "id": str,
        "run_id": str,
        **SPAN,
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
    },
    "claims": {
        "id": str,
        "created_by": str,
        "proposal_id": str,
    },
    "claim_versions": {
        "id": str,
        "claim_id": str,
        "version": int,
        "text": str,
        **SPAN,
        "reviewer": str,
        "reason": str,
        "proposal_id": str,
        "decision_id": str,
    },
    "stance_events": {
        "id": str,
        "claim_id": str,
        "stance": str,
        "actor": str,
        **SPAN,
        "stated_on": str,
        "reviewer": str,
        "note": str,
        "proposal_id": str,
        "decision_id": str,
    },
    "verdicts": {
        "id": str,
        "claim_id": str,
        "verdict": str,
        "note": str,
        "reviewer": str,
    },
    "status_changes": {
        "id": str,
        "claim_id": str,
        "status": str,
        "successor_id": str,
        "reason": str,
        "reviewer": str,
    },
    "decisions": {
        "id": str,
        "proposal_id": str,
        "action": str,
        "reviewer": str,
        "reason": str,
        "changes": str,
        "claim_id": str,
        "reverses": str,
    },
}

SPAN_TABLES = ("claim_versions", "stance_events")

INDEXES: dict[str, list[list[str]]] = {
    "sources": [["path"], ["raw_sha256"]],
    "model_calls": [["cache_key"]],
    "proposals": [["source_id"], ["model_call_id"]],
    "claim_versions": [["claim_id", "version"]],
    "stance_events": [["claim_id"], ["actor"], ["stance"]],
    "verdicts": [["claim_id"]],
    "status_changes": [["claim_id"], ["successor_id"]],
    "decisions": [["proposal_id"], ["claim_id"]],
}
UNIQUE_INDEXES: dict[str, list[list[str]]] = {"claim_versions": [["claim_id", "version"]]}


ENTRIES = "ledger_entries"


def protect(db: Database, table: str) -> None:
    """Make ``table`` append-only and record its rows in the ledger_entries spine."""
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER [{table}_no_{action.lower()}] BEFORE {action} ON [{table}] "
            f"BEGIN SELECT RAISE(ABORT, 'factledger: {table} is append-only; "
            f"corrections are new rows'); END"
        )
    if table != ENTRIES:
        db.execute(
            f"CREATE TRIGGER [{table}_entry] AFTER INSERT ON [{table}] BEGIN "
            f"INSERT INTO {ENTRIES} (seq, tbl, row_id, prev_hash, hash) "
            f"VALUES (NEW.seq, '{table}', NEW.id, NEW.prev_hash, NEW.hash); END"
        )


@migrations()
def m001_ledger_tables(db: Database) -> None:
    """Create every ledger table with its chain columns, indexes and append-only triggers."""
    # The spine: one row per appended row, across all tables. Its constraints are the fork check.
    db.execute(
        f"CREATE TABLE {ENTRIES} (seq INTEGER PRIMARY KEY CHECK (seq > 0), tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE)"
    )
    protect(db, ENTRIES)
    for table, columns in TABLES.items():
        db[table].create(  # type: ignore[union-attr]
            {**columns, **CHAIN},
            pk="id",
            not_null={"id", "seq", "prev_hash", "hash", "recorded_at"},
        )
        db[table].create_index(["seq"], unique=True)  # type: ignore[union-attr]
        for cols in INDEXES.get(table, []):
            unique = cols in UNIQUE_INDEXES.get(table, [])
            db[table].create_index(cols, unique=unique)  # type: ignore[union-attr]
        protect(db, table)


def apply(db: Database) -> None:
    """Apply pending migrations (callers hold the write lock)."""
    migrations.apply(db)


READER_VIEWS = {
    "current_claims": """
        SELECT c.id AS claim_id, v.version, v.text AS claim,
          coalesce((SELECT status FROM status_changes s WHERE s.claim_id = c.id
                    ORDER BY s.seq DESC LIMIT 1), 'active') AS status,
          (SELECT successor_id FROM status_changes s WHERE s.claim_id = c.id
           ORDER BY s.seq DESC LIMIT 1) AS superseded_by,
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed') AS verdict,
          (SELECT group_concat(stance || ' by ' || actor, '; ') FROM stance_events e
           WHERE e.claim_id = c.id) AS stance_summary,
          v.source_id, src.title AS source_title, src.publisher, v.quote,
          c.created_by, c.recorded_at AS created_at, v.rowid AS search_rowid
        FROM claims c
        JOIN claim_versions v ON v.claim_id = c.id
          AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)
        JOIN sources src ON src.id = v.source_id""",
    "stances": """
        SELECT e.id AS stance_id, e.claim_id, e.stance, e.actor,
          e.stance || ' by ' || e.actor AS status, e.quote, e.stated_on,
          e.source_id, src.title AS source_title, src.publisher, e.reviewer, e.proposal_id,
          e.recorded_at, e.rowid AS stance_rowid
        FROM stance_events e JOIN sources src ON src.id = e.source_id""",
    "source_list": """
        SELECT id, title, publisher, author, url, published, retrieved, media_type, path,
          size_bytes, raw_sha256, text_sha256, replaces, ingested_by, recorded_at
        FROM sources""",
    "proposal_decisions": """
        SELECT p.id AS proposal_id, p.source_id, p.claim, p.actor, p.stance, p.quote, p.anchoring,
          p.anchor_score, p.proposer, p.model, p.prompt_name, p.model_call_id,
          d.action AS decision, d.reviewer, d.reason, d.claim_id, d.recorded_at AS decided_at
        FROM proposals p LEFT JOIN decisions d ON d.id = (
          SELECT x.id FROM decisions x WHERE x.proposal_id = p.id AND x.action != 'undo'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.reverses = x.id)
          ORDER BY x.seq DESC LIMIT 1)""",
}


@migrations()
def m002_reader_views_and_search(db: Database) -> None:
    """Views a reader needs, and full-text search over claims and quotes (derived indexes)."""
    for name, sql in READER_VIEWS.items():
        db.create_view(name, sql.strip())
    # FTS tables are derived from ledger rows, kept in sync by insert triggers; they are not
    # ledger tables and `verify` does not cover them (they can be rebuilt from the ledger).
    db["claim_versions"].enable_fts(["text", "quote"], create_triggers=True)  # type: ignore[union-attr]
    db["stance_events"].enable_fts(["actor", "quote"], create_triggers=True)  # type: ignore[union-attr]


@migrations()
def m003_reader_tables(db: Database) -> None:
    """Replace the current_claims and stances views with derived tables kept by triggers."""
    from ledger import readers

    db.execute("DROP VIEW current_claims")
    db.execute("DROP VIEW stances")
    readers.create(db)
    readers.rebuild(db)


@migrations()
def m004_counts_and_proposal_decisions(db: Database) -> None:
    """Exact row and facet counts kept by triggers; proposal_decisions as a reader table."""
    from ledger import counts, readers

    # "Is this decision undone?" is asked on every decision and reader refresh: without this
    # index each one read the whole decisions table.
    db.execute("CREATE INDEX idx_decisions_undo ON decisions (action, reverses)")
    # count(*) walks the narrowest index: without one, the spine's page counted its wide rows.
    db.execute(f"CREATE INDEX idx_{ENTRIES}_tbl ON {ENTRIES} (tbl)")
    db.execute("DROP VIEW proposal_decisions")
    readers.create_proposal_decisions(db)
    readers.rebuild_proposal_decisions(db)
    counts.create(db)
    counts.rebuild(db)


@migrations()
def m005_reader_page_indexes(db: Database) -> None:
    """Index reader-table filters and facet pairs with the newest-first order pages use."""
    from ledger import readers

    readers.index_pages(db)


# The ledger tables as of m006, spelled out: a migration keeps its meaning if TABLES changes.
M006_TABLES = (
    "sources",
    "model_calls",
    "proposals",
    "claims",
    "claim_versions",
    "stance_events",
    "verdicts",
    "status_changes",
    "decisions",
)
NO_REPLACE = (
    "CREATE TRIGGER [{t}_no_replace] BEFORE INSERT ON [{t}] WHEN {when} BEGIN SELECT "
    "RAISE(ABORT, 'factledger: {t} already holds this {what}; the ledger is append-only, "
    "corrections are new rows'); END"
)


@migrations()
def m006_refuse_replace(db: Database) -> None:
    """Refuse a row whose id or seq is already taken, so INSERT OR REPLACE, REPLACE and upserts
    cannot swap a ledger row: REPLACE deletes the old row without firing the DELETE trigger."""
    for t in M006_TABLES:
        when = (
            f"EXISTS (SELECT 1 FROM [{t}] WHERE id = NEW.id) "
            f"OR EXISTS (SELECT 1 FROM [{t}] WHERE seq = NEW.seq)"
        )
        what = "id or seq"
        if t == "claim_versions":
            when += (
                " OR EXISTS (SELECT 1 FROM claim_versions "
                "WHERE claim_id = NEW.claim_id AND version = NEW.version)"
            )
            what = "id, seq or claim version"
        db.execute(NO_REPLACE.format(t=t, when=when, what=what))
    when = (
        "EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq) "
        "OR EXISTS (SELECT 1 FROM ledger_entries WHERE prev_hash = NEW.prev_hash) "
        "OR EXISTS (SELECT 1 FROM ledger_entries WHERE hash = NEW.hash)"
    )
    db.execute(NO_REPLACE.format(t="ledger_entries", when=when, what="seq or hash"))
