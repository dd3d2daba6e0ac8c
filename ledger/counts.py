"""Row counts and facet counts, kept exact so pages never count a whole table.

A facet is a GROUP BY over the whole table and Datasette counts a table's rows on every page: at a
million claims each takes 50-500 ms. The ledger only grows through inserts, so the numbers can be
kept as it goes, in the same transaction as the rows they count: once per transaction, the rows
that came in (or changed, for a reader row that is replaced) are grouped and their counts added
to the kept ones (:class:`Deltas`). ``facet_counts`` is a derived table like the full-text index:
not part of the chain, rebuilt from the tables it counts.

Rows: ``(tbl, col, value, n)``; ``col = ''`` holds the table's row count. ``decision_counts``
holds the standing decisions by proposer, model and prompt, for acceptance rates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from ledger.rowformat import ENTRIES

# The columns whose values are counted: the default facets of the tables a reader browses.
COUNTED: dict[str, tuple[str, tuple[str, ...]]] = {
    # table: (primary key, columns)
    "current_claims": ("claim_id", ("verdict", "status", "publisher")),
    "stances": ("stance_id", ("stance", "actor", "publisher", "source_id")),
    "proposal_decisions": ("proposal_id", ("decision", "proposer", "model", "anchoring")),
    "model_calls": ("id", ("model", "prompt_name")),
}
LEDGER_TABLES = ("model_calls",)  # their row counts come from the spine's
# Every upsert names its conflict target: SQLite before 3.35 (Debian bullseye, the images
# ``datasette publish`` builds) rejects one that leaves it out.
UPSERT = "ON CONFLICT (tbl, col, value) DO UPDATE SET n = n + excluded.n"
PAIR_UPSERT = "ON CONFLICT (tbl, by_col, by_value, col, value) DO UPDATE SET n = n + excluded.n"
# Acceptance rates group by these; '' stands for NULL so that the key is unique.
DECIDED_BY = ("proposer", "model", "prompt_name", "prompt_hash")
DECIDED_UPSERT = f"ON CONFLICT ({', '.join(DECIDED_BY)}, decision) DO UPDATE SET n = n + excluded.n"


def create(db: Database) -> None:
    """Create ``facet_counts``, ``facet_pair_counts`` and ``decision_counts`` (empty)."""
    db.execute(
        "CREATE TABLE facet_counts (tbl TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, "
        "n INTEGER NOT NULL, PRIMARY KEY (tbl, col, value)) WITHOUT ROWID"
    )
    # Value counts of each counted column among the rows that share one value of another, so a
    # page filtered by one facet value (a click) reads its facets too.
    db.execute(
        "CREATE TABLE facet_pair_counts (tbl TEXT NOT NULL, by_col TEXT NOT NULL, "
        "by_value TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, by_col, by_value, col, value)) WITHOUT ROWID"
    )
    db.execute(
        f"CREATE TABLE decision_counts ({' TEXT NOT NULL, '.join(DECIDED_BY)} TEXT NOT NULL, "
        f"decision TEXT NOT NULL, n INTEGER NOT NULL, "
        f"PRIMARY KEY ({', '.join(DECIDED_BY)}, decision)) WITHOUT ROWID"
    )


def _grouped_by(table: str) -> tuple[str, ...]:
    """The columns a table's counts follow: its counted ones, and the prompt for decisions."""
    cols = COUNTED[table][1]
    if table == "proposal_decisions":
        cols += tuple(c for c in DECIDED_BY if c not in cols)
    return cols


def grouped(table: str, where: str, *, by_rowid: bool = False) -> str:
    """SELECT the counted values of the rows of ``table`` that ``where`` picks, grouped, each
    with how many rows share it (a bulk append's rows share a few). ``by_rowid``: ``where`` is a
    rowid range, which SQLite would otherwise trade for a scan of a facet index in GROUP BY
    order."""
    names = ", ".join(f"[{c}]" for c in _grouped_by(table))
    source = f"[{table}] NOT INDEXED" if by_rowid else f"[{table}]"
    return f"SELECT {names}, count(*) FROM {source} WHERE {where} GROUP BY {names}"


FACET_UPSERT = f"INSERT INTO facet_counts (tbl, col, value, n) VALUES (?, ?, ?, ?) {UPSERT}"
PAIR_UPSERT_ROW = (
    "INSERT INTO facet_pair_counts (tbl, by_col, by_value, col, value, n) "
    f"VALUES (?, ?, ?, ?, ?, ?) {PAIR_UPSERT}"
)
DECIDED_UPSERT_ROW = (
    f"INSERT INTO decision_counts ({', '.join(DECIDED_BY)}, decision, n) "
    f"VALUES (?, ?, ?, ?, ?, ?) {DECIDED_UPSERT}"
)


class Deltas:
    """Changes to the kept counts gathered over one catch-up and written at once: a reader row
    that is replaced is taken out (``-1``) before and put back (``+1``) after, and what did not
    change nets out before anything is written."""

    def __init__(self) -> None:
        self.facets: Counter[tuple[Any, ...]] = Counter()
        self.pairs: Counter[tuple[Any, ...]] = Counter()
        self.decided: Counter[tuple[Any, ...]] = Counter()

    def rows(self, table: str, n: int) -> None:
        """``n`` more rows in ``table`` (a ledger table, or the spine)."""
        self.facets[(table, "", "")] += n

    def add(self, table: str, groups: Iterable[tuple[Any, ...]], sign: int) -> None:
        """Count ``sign`` times the rows of ``table`` in ``groups`` (:func:`grouped`'s rows)."""
        cols = _grouped_by(table)
        counted = COUNTED[table][1]
        for *values, k in groups:
            k *= sign
            row = dict(zip(cols, values, strict=True))
            if table not in LEDGER_TABLES:
                self.facets[(table, "", "")] += k
            present = [(c, row[c]) for c in counted if row[c] is not None]
            for c, v in present:
                self.facets[(table, c, v)] += k
            for b, bv in present:
                for c, v in present:
                    if b != c:
                        self.pairs[(table, b, bv, c, v)] += k
            if table == "proposal_decisions" and row["decision"] is not None:
                keys = tuple("" if row[c] is None else row[c] for c in DECIDED_BY)
                self.decided[(*keys, row["decision"])] += k

    def write(self, conn: Any) -> None:
        """Add the gathered changes to the kept counts."""
        for sql, changes in (
            (FACET_UPSERT, self.facets),
            (PAIR_UPSERT_ROW, self.pairs),
            (DECIDED_UPSERT_ROW, self.decided),
        ):
            conn.executemany(sql, [(*key, n) for key, n in changes.items() if n])


# Standing decisions by proposer, model and prompt: how many accepted, edited, rejected.
ACCEPTANCE_SQL = (
    "SELECT nullif(proposer, '') AS proposer, nullif(model, '') AS model, "
    "nullif(prompt_name, '') AS prompt_name, nullif(prompt_hash, '') AS prompt_hash, "
    "sum(n) AS decided, "
    + "".join(
        f"sum(CASE WHEN decision = '{d}' THEN n ELSE 0 END) AS {name}, "
        for d, name in (
            ("accept", "accepted"),
            ("edit", "edited"),
            ("merge", "merged"),
            ("reject", "rejected"),
        )
    )  # fmt: skip
    + "round(1.0 * sum(CASE WHEN decision != 'reject' THEN n ELSE 0 END) / sum(n), 3) "
    "AS acceptance_rate FROM decision_counts WHERE n > 0 "
    "GROUP BY proposer, model, prompt_name, prompt_hash ORDER BY decided DESC, proposer, model"
)


def facet_counts_sql() -> str:
    """SELECT (tbl, col, value, n) counting everything again from the tables themselves."""
    arms = [
        f"SELECT tbl, '', '', count(*) FROM {ENTRIES} GROUP BY tbl",
        f"SELECT '{ENTRIES}', '', '', count(*) FROM {ENTRIES}",
    ]
    for table, (_, cols) in COUNTED.items():
        if table not in LEDGER_TABLES:
            arms.append(f"SELECT '{table}', '', '', count(*) FROM {table}")
        arms += [
            f"SELECT '{table}', '{c}', [{c}], count(*) FROM {table} WHERE [{c}] IS NOT NULL "
            f"GROUP BY [{c}]"
            for c in cols
        ]
    return " UNION ALL ".join(arms)


def decision_counts_sql() -> str:
    """SELECT the decision_counts rows again from proposal_decisions."""
    keys = ", ".join(f"coalesce({c}, '')" for c in DECIDED_BY)
    return (
        f"SELECT {keys}, decision, count(*) FROM proposal_decisions "
        f"WHERE decision NOTNULL GROUP BY {keys}, decision"
    )


def rebuild(db: Database) -> None:
    """Count everything again from the tables themselves (after creating, or to repair)."""
    db.execute("DELETE FROM facet_counts")
    db.execute(f"INSERT INTO facet_counts {facet_counts_sql()}")
    db.execute("DELETE FROM decision_counts")
    db.execute(f"INSERT INTO decision_counts {decision_counts_sql()}")
    rebuild_pairs(db)


def facet_pair_counts_sql() -> str:
    """SELECT the facet_pair_counts rows again from the tables themselves."""
    return " UNION ALL ".join(
        f"SELECT '{table}', '{b}', [{b}], '{c}', [{c}], count(*) FROM {table} "
        f"WHERE [{b}] NOTNULL AND [{c}] NOTNULL GROUP BY [{b}], [{c}]"
        for table, (_, cols) in COUNTED.items()
        for b in cols
        for c in cols
        if b != c
    )


def rebuild_pairs(db: Database) -> None:
    """Count the pairs again from the tables themselves."""
    db.execute("DELETE FROM facet_pair_counts")
    db.execute(f"INSERT INTO facet_pair_counts {facet_pair_counts_sql()}")


FTS_SUFFIXES = ("_fts", "_fts_docsize")  # one row per indexed row of the table they index


def table_counts(conn: Any) -> dict[str, int] | None:
    """Row counts of every table: kept ones where the ledger keeps them, else ``count(*)``.

    The tables left to count (full-text index segments, migrations, the counts themselves) stay
    small. ``None`` for a database that is not a ledger.
    """
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if "facet_counts" not in names:
        return None
    kept = dict(conn.execute("SELECT tbl, n FROM facet_counts WHERE col = ''").fetchall())
    out = {}
    for name in names:
        base = next((name[: -len(s)] for s in FTS_SUFFIXES if name.endswith(s)), name)
        if base in kept:
            out[name] = kept[base]
        else:
            out[name] = conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
    return out
