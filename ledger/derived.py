"""Everything derived from the chain: reader tables, kept counts, the search index.

None of it is chained; all of it is what a reader is shown. It is installed at one version
(``PRAGMA user_version``) after the migrations, rebuilt from the ledger by ``factledger rebuild``
(:func:`install` with ``force``), and checked by ``verify`` (:func:`first_difference`), which
derives every row again from the ledger tables and compares. It is kept set-wise once per
transaction (``ledger/catchup.py``), not by triggers; an install drops any trigger on a ledger
table other than the append-only guards (those of earlier versions kept derived state).
"""

from __future__ import annotations

import sqlite3
from itertools import zip_longest
from typing import Any

from sqlite_utils import Database

from ledger import catchup, counts, readers, rowformat, tree

# Bump when a derived table, index or the way it is kept changes: the next write reinstalls and
# refills. 3: kept set-wise at commit (catchup.py) instead of by triggers. 4: the stance summary
# derived without a sort a claim (the same rows; rebuilt so that the rule is one). 5: the reader
# tables hold the source as source_id, a reference to sources (no copy of its title), and
# stances are counted and indexed by it.
VERSION = 5
WATERMARKED = 3  # from this version on derived state records how far it covers the ledger

TABLES = catchup.TABLES
FTS = catchup.FTS
SOURCE_LIST = (
    "SELECT id, title, publisher, author, url, published, retrieved, media_type, path,\n"
    "          size_bytes, raw_sha256, text_sha256, replaces, ingested_by, recorded_at\n"
    "        FROM sources"
)
GUARDS = ("_no_update", "_no_delete", "_no_replace", "_entry")  # _entry: until m012


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
        db[table].enable_fts(list(cols))  # type: ignore[union-attr]
    readers.create(db)
    readers.rebuild(db)
    readers.create_proposal_decisions(db)
    readers.rebuild_proposal_decisions(db)
    counts.create(db)
    counts.rebuild(db)
    readers.index_pages(db)
    catchup.create(db.conn)
    db.execute(tree.CREATE)
    tree.catch_up(db.conn)
    db.execute(f"PRAGMA user_version = {VERSION}")
    return True


def _drop(db: Database) -> None:
    ledger_tables = {*rowformat.TABLES, rowformat.ENTRIES}
    triggers = db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
    for name, tbl in list(triggers):
        if tbl in ledger_tables and not name.endswith(GUARDS):
            db.execute(f"DROP TRIGGER [{name}]")
    names = {"source_list", tree.NODES, catchup.WATERMARK, *TABLES, *(f"{t}_fts" for t in FTS)}
    kinds = db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    for name, kind in list(kinds):
        if name in names:  # before m003 some reader tables were views
            db.execute(f"DROP {kind.upper()} [{name}]")


FIX = "run 'factledger rebuild'"


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
    table, the row and what to do; None when every derived table matches the ledger.

    Each table is read in key order beside its derivation from the ledger in the same order, and
    the two are compared row by row: one pass over each, memory flat."""
    for table, (key, cols, derive, where) in _derivations().items():
        order = ", ".join(key)
        chain_sql = f"WITH chain({cols}) AS ({derive}) SELECT * FROM chain {where} ORDER BY {order}"
        kept_sql = f"SELECT {cols} FROM [{table}] {where} ORDER BY {order}"
        try:
            pairs = zip_longest(conn.execute(chain_sql), conn.execute(kept_sql))
            for chain, kept in pairs:
                if chain != kept:
                    return _describe(conn, table, key, cols, kept_sql, chain, kept)
        except sqlite3.DatabaseError as e:
            return f"{table}: cannot be read ({e}); run 'factledger rebuild'"
    return search_difference(conn) or lag(conn) or tree.difference(conn)


def search_difference(conn: sqlite3.Connection) -> str | None:
    """One line naming the first row missing from (or left over in) a search index, else None.

    Compares the rows each index holds (its ``_docsize`` rows, one per document) with the rows of
    its table, both in rowid order. FTS5's own 'integrity-check' would also read the tokens, but
    it is an INSERT, refused on the read-only connection verify uses; the tokens are the index's
    own shadow tables, which ``rebuild`` restores."""
    for table in FTS:
        index = f"{table}_fts"
        try:
            rows = conn.execute(f"SELECT rowid, id FROM [{table}] ORDER BY rowid")
            indexed = conn.execute(f"SELECT id FROM [{index}_docsize] ORDER BY id")
            for row, doc in zip_longest(rows, indexed):
                if row is not None and doc is not None and row[0] == doc[0]:
                    continue
                if row is not None and (doc is None or row[0] < doc[0]):
                    return f"{index}: {table} {row[1]} is missing from the search index; {FIX}"
                return f"{index}: row {doc[0]} is not in {table}; {FIX}"
        except sqlite3.DatabaseError as e:
            return f"{index}: cannot be read ({e}); {FIX}"
    return None


def lag(conn: sqlite3.Connection) -> str | None:
    """One line when the watermark is not at the head (rows derived state never took in), else
    None. Earlier versions were kept by triggers and have no watermark (a 0.1 ledger not
    upgraded)."""
    return catchup.lag(conn) if installed_version(conn) >= WATERMARKED else None


def _describe(
    conn: sqlite3.Connection,
    table: str,
    key: tuple[str, ...],
    cols: str,
    kept_sql: str,
    chain: tuple[Any, ...] | None,
    kept: tuple[Any, ...] | None,
) -> str:
    """Name the first row that differs (by its key) and its columns that differ."""
    names = [c.strip() for c in cols.split(",")]
    at = [names.index(k) for k in key]
    fix = "run 'factledger rebuild'"

    def label(row: tuple[Any, ...]) -> str:
        return "/".join(str(row[i]) for i in at)

    if chain is not None and kept is not None and [chain[i] for i in at] == [kept[i] for i in at]:
        differing = [n for n, a, b in zip(names, chain, kept, strict=True) if a != b]
        return f"{table} {label(chain)}: {', '.join(differing)} differs from the ledger; {fix}"
    if chain is not None:
        match = " AND ".join(f"{k} IS ?" for k in key)
        found = conn.execute(
            f"SELECT 1 FROM [{table}] WHERE {match}", [chain[i] for i in at]
        ).fetchone()
        if found is None:
            return f"{table} {label(chain)}: missing (the ledger has it); {fix}"
    assert kept is not None
    return f"{table} {label(kept)}: not in the ledger; {fix}"
