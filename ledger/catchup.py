"""Derived state kept set-wise: once per transaction, not row by row.

The reader tables, kept counts and search index cover the ledger up to a watermark, the highest
``seq`` they were derived through (``derived_through``). :func:`catch_up` takes every ledger row
after it at once: it names the claims and proposals those rows touch, takes their reader rows'
counts out, derives the rows again with the SELECTs a rebuild uses and counts them back in; new
stance events become stances rows; new claim versions and stance events go into the search
index; the row counts grow by the new entries. Per-row triggers did the same work once for every
row (twice for a claim: its version and its stance each refreshed it); docs/performance.md has
what that cost a bulk append.

The Ledger calls it before each commit, and before a read of derived state inside a transaction
(:func:`reads_derived`), so a reader always sees the whole chain. A row written behind the
Ledger's back (the sqlite3 shell) is not derived until the next write through the Ledger;
``verify`` names what differs and ``factledger rebuild`` derives everything again.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from ledger import counts, readers, rowformat

WATERMARK = "derived_through"
# The search index: each indexed table and its columns (FTS5 with the table as content).
FTS = {"claim_versions": ("text", "quote"), "stance_events": ("actor", "quote")}
# The kept tables (reader tables first: the counts are derived from them).
TABLES = (
    "current_claims",
    "stances",
    "proposal_decisions",
    "facet_counts",
    "facet_pair_counts",
    "decision_counts",
)
# A read that names one of these inside a transaction must see the rows appended before it.
DERIVED = (*TABLES, *(f"{t}_fts" for t in FTS))
_AFTER = "seq > :after"
_CLAIMS = "temp.derived_claims"
_PROPOSALS = "temp.derived_proposals"
# Every claim whose current_claims row a new row can change: its versions, stances, verdicts and
# status changes, and an undo (of the decision that made it or added a stance to it).
_TOUCHED_CLAIMS = f"""
    INSERT OR IGNORE INTO {_CLAIMS} (id) SELECT id FROM (
      SELECT id FROM claims WHERE {_AFTER}
      UNION ALL SELECT claim_id FROM claim_versions WHERE {_AFTER}
      UNION ALL SELECT claim_id FROM stance_events WHERE {_AFTER}
      UNION ALL SELECT claim_id FROM verdicts WHERE {_AFTER}
      UNION ALL SELECT claim_id FROM status_changes WHERE {_AFTER}
      UNION ALL SELECT claim_id FROM decisions WHERE {_AFTER} AND action = 'undo'
      UNION ALL SELECT d.claim_id FROM decisions d WHERE d.id IN
        (SELECT reverses FROM decisions WHERE {_AFTER} AND action = 'undo')
    ) WHERE id IS NOT NULL"""
# Every proposal whose proposal_decisions row a new row can change (undo rows name theirs too).
_TOUCHED_PROPOSALS = f"""
    INSERT OR IGNORE INTO {_PROPOSALS} (id) SELECT id FROM (
      SELECT id FROM proposals WHERE {_AFTER}
      UNION ALL SELECT proposal_id FROM decisions WHERE {_AFTER}
    ) WHERE id IS NOT NULL"""


def create(conn: sqlite3.Connection) -> None:
    """Create the watermark at the ledger's head: everything so far is derived (the caller has
    just derived it all)."""
    conn.execute(f"CREATE TABLE {WATERMARK} (seq INTEGER NOT NULL)")
    conn.execute(f"INSERT INTO {WATERMARK} (seq) VALUES (?)", [_head(conn)])


def through(conn: sqlite3.Connection) -> int:
    """The highest ``seq`` derived state covers. OperationalError if not installed."""
    row = conn.execute(f"SELECT seq FROM {WATERMARK}").fetchone()
    return int(row[0]) if row else 0


def lag(conn: sqlite3.Connection) -> str | None:
    """One line if derived state does not cover the ledger's head, else None."""
    try:
        covered, head = through(conn), _head(conn)
    except sqlite3.OperationalError as e:
        return f"{WATERMARK}: cannot be read ({e}); run 'factledger rebuild'"
    if covered == head:
        return None
    return (
        f"{WATERMARK}: derived state covers entries through {covered}, the ledger has {head}; "
        "run 'factledger rebuild'"
    )


def reads_derived(sql: str) -> bool:
    """Whether a query names a derived table (and so needs catching up inside a transaction)."""
    return any(name in sql for name in DERIVED)


def _head(conn: sqlite3.Connection) -> int:
    return int(conn.execute(f"SELECT coalesce(max(seq), 0) FROM {rowformat.ENTRIES}").fetchone()[0])


# The ledger tables whose new rows can change a current_claims or proposal_decisions row.
_CLAIM_TABLES = {"claims", "claim_versions", "stance_events", "verdicts", "status_changes"}
_PROPOSAL_TABLES = {"proposals", "decisions"}


@cache
def _sql(tables: tuple[str, ...]) -> dict[str, str]:
    """Every statement of a catch-up, built once (``tables``: the ledger tables there are)."""
    claims = f"IN (SELECT id FROM {_CLAIMS})"
    proposals = f"IN (SELECT id FROM {_PROPOSALS})"
    arms = [f"SELECT '{t}', count(*) FROM [{t}] WHERE {_AFTER}" for t in tables]
    arms.append(f"SELECT '{rowformat.ENTRIES}', count(*) FROM {rowformat.ENTRIES} WHERE {_AFTER}")
    out = {
        "new": " UNION ALL ".join(arms),
        "claims_rows": counts.grouped("current_claims", f"claim_id {claims}"),
        # A replaced row takes a rowid after every row there was (SQLite's rule for a row
        # inserted without one): the refreshed rows are the ones after the last, one range.
        "claims_new": counts.grouped("current_claims", "rowid > :last", by_rowid=True),
        "claims": readers.refresh_claims(f"SELECT id FROM {_CLAIMS}"),
        "claims_any": f"SELECT EXISTS (SELECT 1 FROM current_claims WHERE claim_id {claims})",
        "proposals_rows": counts.grouped("proposal_decisions", f"proposal_id {proposals}"),
        "proposals_new": counts.grouped("proposal_decisions", "rowid > :last", by_rowid=True),
        "proposals": readers.refresh_proposals(f"p.id {proposals}"),
        "proposals_any": (
            f"SELECT EXISTS (SELECT 1 FROM proposal_decisions WHERE proposal_id {proposals})"
        ),
        "stances": readers.insert_stances(f"e.{_AFTER}"),
        # New stances rows take the rowids after the last one: counted by rowid, one range.
        "stances_new": counts.grouped("stances", "rowid > :last", by_rowid=True),
        "model_calls_new": counts.grouped("model_calls", _AFTER),
    }
    for table, cols in FTS.items():
        names = ", ".join(f"[{c}]" for c in cols)
        out[f"{table}_fts"] = (
            f"INSERT INTO [{table}_fts] (rowid, {names}) "
            f"SELECT rowid, {names} FROM [{table}] WHERE {_AFTER}"
        )
    return out


def catch_up(conn: sqlite3.Connection) -> int:
    """Derive the state of every ledger row after the watermark and move it to the head; returns
    how many entries were taken. The caller holds the write transaction. A database whose derived
    state is not installed yet (mid-migration) has nothing to keep: nothing to do."""
    try:
        after = through(conn)
    except sqlite3.OperationalError:
        return 0
    head = _head(conn)
    if head <= after:
        return 0
    p = {"after": after}
    sql = _sql(tuple(_ledger_tables(conn)))
    new = {t: n for t, n in conn.execute(sql["new"], p) if n}
    deltas = counts.Deltas()
    for table, n in new.items():
        deltas.rows(table, n)
    for temp in (_CLAIMS, _PROPOSALS):
        conn.execute(f"CREATE TABLE IF NOT EXISTS {temp} (id TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute(f"DELETE FROM {temp}")
    if new.keys() & (_CLAIM_TABLES | {"decisions"}) and conn.execute(_TOUCHED_CLAIMS, p).rowcount:
        _refresh(conn, deltas, "current_claims", sql, "claims")
    if new.keys() & _PROPOSAL_TABLES and conn.execute(_TOUCHED_PROPOSALS, p).rowcount:
        _refresh(conn, deltas, "proposal_decisions", sql, "proposals")
    if "stance_events" in new:
        last = conn.execute("SELECT coalesce(max(rowid), 0) FROM stances").fetchone()[0]
        conn.execute(sql["stances"], p)
        deltas.add("stances", conn.execute(sql["stances_new"], {"last": last}), 1)
    if "model_calls" in new:
        deltas.add("model_calls", conn.execute(sql["model_calls_new"], p), 1)
    deltas.write(conn)
    for table in FTS:
        if table in new:
            conn.execute(sql[f"{table}_fts"], p)
    conn.execute(f"UPDATE {WATERMARK} SET seq = ?", [head])
    return head - after


def _refresh(
    conn: sqlite3.Connection, deltas: counts.Deltas, table: str, sql: dict[str, str], name: str
) -> None:
    """Derive again the touched rows of ``table``, their counts following: the old rows' counts
    out (if there were old rows), the new rows' in."""
    if conn.execute(sql[f"{name}_any"]).fetchone()[0]:
        deltas.add(table, conn.execute(sql[f"{name}_rows"]), -1)
    last = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
    conn.execute(sql[name])
    deltas.add(table, conn.execute(sql[f"{name}_new"], {"last": last}), 1)


def _ledger_tables(conn: sqlite3.Connection) -> list[str]:
    """The ledger tables this database has (a ledger mid-upgrade may lack the newest)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in rowformat.TABLES if t in have]
