"""Everything derived from the chain: reader tables, kept counts, the search index.

None of it is chained; all of it is what a reader is shown. It is installed at one version
(``PRAGMA user_version``) after the migrations, rebuilt from the ledger by ``factledger rebuild``
(:func:`install` with ``force``), and checked by ``verify`` (:func:`first_difference`), which
derives every row again from the ledger tables and compares. Triggers on ledger tables other than
the append-only guards belong to derived state: an install drops and recreates them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlite_utils import Database

from ledger import counts, readers, rowformat, tree

# Bump when a derived table, trigger or index changes: the next write reinstalls and refills.
VERSION = 2

TABLES = (
    "current_claims",
    "stances",
    "proposal_decisions",
    "facet_counts",
    "facet_pair_counts",
    "decision_counts",
)
FTS = {"claim_versions": ("text", "quote"), "stance_events": ("actor", "quote")}
SOURCE_LIST = (
    "SELECT id, title, publisher, author, url, published, retrieved, media_type, path,\n"
    "          size_bytes, raw_sha256, text_sha256, replaces, ingested_by, recorded_at\n"
    "        FROM sources"
)
GUARDS = ("_no_update", "_no_delete", "_no_replace", "_entry")


def installed_version(conn: sqlite3.Connection) -> int:
    """The derived state's version recorded in the database (0: never installed by us)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def install(db: Database, *, force: bool = False) -> bool:
    """Create and fill every derived object at :data:`VERSION` unless already there; with
    ``force``, drop and rebuild it all from the ledger. Returns whether it (re)built anything.

    Idempotent; the caller holds the write transaction."""
    if not force and installed_version(db.conn) == VERSION:
        return False
    _drop(db)
    db.create_view("source_list", SOURCE_LIST)
    for table, cols in FTS.items():
        db[table].enable_fts(list(cols), create_triggers=True)  # type: ignore[union-attr]
    readers.create(db)
    readers.rebuild(db)
    readers.create_proposal_decisions(db)
    readers.rebuild_proposal_decisions(db)
    counts.create(db)
    counts.rebuild(db)
    readers.index_pages(db)
    db.execute(tree.CREATE)
    tree.catch_up(db.conn)
    db.execute(f"PRAGMA user_version = {VERSION}")
    return True


def _drop(db: Database) -> None:
    ledger_tables = {*rowformat.TABLES, rowformat.ENTRIES}
    for name, tbl in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"):
        if tbl in ledger_tables and not name.endswith(GUARDS):
            db.execute(f"DROP TRIGGER [{name}]")
    names = {"source_list", tree.NODES, *TABLES, *(f"{t}_fts" for t in FTS)}
    kinds = db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    for name, kind in list(kinds):
        if name in names:  # before m003 some reader tables were views
            db.execute(f"DROP {kind.upper()} [{name}]")


# Each kept table: its key columns, all its columns, and the SELECT deriving it. Reader tables
# first: the counts are derived from them, so once they match, the counts' derivation is sound.
def _derivations() -> dict[str, tuple[tuple[str, ...], str, str, str]]:
    out: dict[str, tuple[tuple[str, ...], str, str, str]] = {
        table: ((key,), cols, sql, "") for table, (key, cols, sql) in readers.derivations().items()
    }
    kept = "WHERE n != 0"  # a value whose rows all went keeps a zero; a rebuild has none
    facet_key = ("tbl", "col", "value")
    out["facet_counts"] = (facet_key, "tbl, col, value, n", counts.facet_counts_sql(), kept)
    pair_cols = "tbl, by_col, by_value, col, value, n"
    out["facet_pair_counts"] = (
        ("tbl", "by_col", "by_value", "col", "value"),
        pair_cols,
        counts.facet_pair_counts_sql(),
        kept,
    )
    keys = (*counts.DECIDED_BY, "decision")
    out["decision_counts"] = (keys, f"{', '.join(keys)}, n", counts.decision_counts_sql(), kept)
    return out


def first_difference(conn: sqlite3.Connection) -> str | None:
    """The first derived row that differs from what the ledger says, as one line naming the
    table, the row and what to do; None when every derived table matches the ledger."""
    for table, (key, cols, derive, where) in _derivations().items():
        # Both sides as CTEs with the table's column names: ``chain`` derived from the ledger,
        # ``kept`` what the table holds.
        ctes = f"WITH chain({cols}) AS ({derive}), kept AS (SELECT {cols} FROM [{table}]) "
        sides = {s: f"SELECT {cols} FROM {s} {where}" for s in ("chain", "kept")}
        try:
            for a, b in (("chain", "kept"), ("kept", "chain")):
                sql = f"{ctes} SELECT * FROM ({sides[a]} EXCEPT {sides[b]}) LIMIT 1"
                row = conn.execute(sql).fetchone()
                if row is not None:
                    return _describe(conn, table, key, cols, ctes, sides[b], row, a)
        except sqlite3.DatabaseError as e:
            return f"{table}: cannot be read ({e}); run 'factledger rebuild'"
    return tree.difference(conn)


def _describe(
    conn: sqlite3.Connection,
    table: str,
    key: tuple[str, ...],
    cols: str,
    ctes: str,
    other_side: str,
    row: tuple[Any, ...],
    side: str,
) -> str:
    """Name the row (by its key) and the columns that differ from the ledger."""
    names = [c.strip() for c in cols.split(",")]
    values = dict(zip(names, row, strict=True))
    label = "/".join(str(values[k]) for k in key)
    match = " AND ".join(f"{k} IS ?" for k in key)
    other = conn.execute(
        f"{ctes} SELECT * FROM ({other_side}) WHERE {match} LIMIT 1", [values[k] for k in key]
    ).fetchone()
    fix = "run 'factledger rebuild'"
    if other is None:
        what = "missing (the ledger has it)" if side == "chain" else "not in the ledger"
        return f"{table} {label}: {what}; {fix}"
    theirs = dict(zip(names, other, strict=True))
    differing = [c for c in names if values[c] != theirs[c]] or names
    return f"{table} {label}: {', '.join(differing)} differs from the ledger; {fix}"
