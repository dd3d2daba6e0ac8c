"""Row counts and facet counts, kept exact by triggers so pages never count a whole table.

A facet is a GROUP BY over the whole table and Datasette counts a table's rows on every page: at a
million claims each takes 50-500 ms. The ledger only grows through inserts, so a trigger can keep
the numbers as it goes, in the same transaction as the rows they count. ``facet_counts`` is a
derived table like the full-text index: not part of the chain, rebuilt from the tables it counts.

Rows: ``(tbl, col, value, n)``; ``col = ''`` holds the table's row count. ``decision_counts``
holds the standing decisions by proposer, model and prompt, for acceptance rates.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from ledger.rowformat import ENTRIES

# The columns whose values are counted: the default facets of the tables a reader browses.
COUNTED: dict[str, tuple[str, tuple[str, ...]]] = {
    # table: (primary key, columns)
    "current_claims": ("claim_id", ("verdict", "status", "publisher")),
    "stances": ("stance_id", ("stance", "actor", "publisher", "source_title")),
    "proposal_decisions": ("proposal_id", ("decision", "proposer", "model", "anchoring")),
    "model_calls": ("id", ("model", "prompt_name")),
}
# Reader tables are refreshed with INSERT OR REPLACE, which removes the old row without firing
# DELETE triggers, so a BEFORE INSERT trigger takes the old row's values out first.
REPLACED = ("current_claims", "proposal_decisions")
LEDGER_TABLES = ("model_calls",)
UPSERT = "ON CONFLICT (tbl, col, value) DO UPDATE SET n = n + excluded.n"


def _arms(row: str, cols: tuple[str, ...], *, total: bool, where: str = "") -> str:
    """One SELECT per counted value of ``row`` (NEW, or the old row), joined by UNION ALL."""
    arms = [f"SELECT '' AS col, '' AS value {where}"] if total else []
    arms += [f"SELECT '{c}' AS col, {row}.[{c}] AS value {where}" for c in cols]
    return " UNION ALL ".join(arms)


def create(db: Database) -> None:
    """Create ``facet_counts``, ``facet_pair_counts`` and ``decision_counts`` and the triggers
    that keep them exact.

    Every upsert names its conflict target: SQLite before 3.35 (Debian bullseye, the images
    ``datasette publish`` builds) cannot open a schema whose triggers leave it out.
    """
    create_decision_counts(db)
    create_pairs(db)
    db.execute(
        "CREATE TABLE facet_counts (tbl TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, "
        "n INTEGER NOT NULL, PRIMARY KEY (tbl, col, value)) WITHOUT ROWID"
    )
    # Every ledger table's row count, and the spine's own, from the spine's insert trigger.
    db.execute(
        f"CREATE TRIGGER {ENTRIES}_counts AFTER INSERT ON {ENTRIES} BEGIN "
        f"INSERT INTO facet_counts (tbl, col, value, n) "
        f"SELECT t, '', '', 1 FROM (SELECT NEW.tbl AS t UNION ALL SELECT '{ENTRIES}') "
        f"WHERE true {UPSERT}; END"
    )
    for table, (pk, cols) in COUNTED.items():
        # A ledger table's row count already comes from the spine.
        total = table not in LEDGER_TABLES
        arms = _arms("NEW", cols, total=total)
        db.execute(
            f"CREATE TRIGGER {table}_counts AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO facet_counts (tbl, col, value, n) SELECT '{table}', col, value, 1 "
            f"FROM ({arms}) WHERE value IS NOT NULL {UPSERT}; END"
        )
        if table in REPLACED:
            where = f"FROM {table} old WHERE old.{pk} = NEW.{pk}"
            old = _arms("old", cols, total=total, where=where)
            db.execute(
                f"CREATE TRIGGER {table}_uncount BEFORE INSERT ON {table} BEGIN "
                f"INSERT INTO facet_counts (tbl, col, value, n) SELECT '{table}', col, value, -1 "
                f"FROM ({old}) WHERE value IS NOT NULL {UPSERT}; END"
            )


# Acceptance rates group by these; '' stands for NULL so that the key is unique.
DECIDED_BY = ("proposer", "model", "prompt_name", "prompt_hash")


def _decided(row: str, sign: int, where: str) -> str:
    keys = ", ".join(f"coalesce({row}.{c}, '')" for c in DECIDED_BY)
    return (
        f"INSERT INTO decision_counts ({', '.join(DECIDED_BY)}, decision, n) "
        f"SELECT {keys}, {row}.decision, {sign} {where} "
        f"ON CONFLICT ({', '.join(DECIDED_BY)}, decision) DO UPDATE SET n = n + excluded.n;"
    )


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


def create_decision_counts(db: Database) -> None:
    """``decision_counts`` and the triggers on proposal_decisions that keep it."""
    db.execute(
        f"CREATE TABLE decision_counts ({' TEXT NOT NULL, '.join(DECIDED_BY)} TEXT NOT NULL, "
        f"decision TEXT NOT NULL, n INTEGER NOT NULL, "
        f"PRIMARY KEY ({', '.join(DECIDED_BY)}, decision)) WITHOUT ROWID"
    )
    old = (
        "FROM proposal_decisions old WHERE old.proposal_id = NEW.proposal_id "
        "AND old.decision NOTNULL"
    )
    db.execute(
        "CREATE TRIGGER proposal_decisions_decided AFTER INSERT ON proposal_decisions "
        f"WHEN NEW.decision NOTNULL BEGIN {_decided('NEW', 1, 'WHERE true')} END"
    )
    db.execute(
        "CREATE TRIGGER proposal_decisions_undecided BEFORE INSERT ON proposal_decisions "
        f"BEGIN {_decided('old', -1, old)} END"
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


PAIR_UPSERT = "ON CONFLICT (tbl, by_col, by_value, col, value) DO UPDATE SET n = n + excluded.n"


def _pair_arms(row: str, cols: tuple[str, ...], where: str = "") -> str:
    """One SELECT per ordered pair of counted columns of ``row``, joined by UNION ALL."""
    return " UNION ALL ".join(
        f"SELECT '{b}' AS by_col, {row}.[{b}] AS by_value, '{c}' AS col, {row}.[{c}] AS value "
        f"{where}"
        for b in cols
        for c in cols
        if b != c
    )


def create_pairs(db: Database) -> None:
    """``facet_pair_counts``: value counts of each counted column among the rows that share one
    value of another, so a page filtered by one facet value (a click) reads its facets too."""
    db.execute(
        "CREATE TABLE facet_pair_counts (tbl TEXT NOT NULL, by_col TEXT NOT NULL, "
        "by_value TEXT NOT NULL, col TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, by_col, by_value, col, value)) WITHOUT ROWID"
    )
    into = "INSERT INTO facet_pair_counts (tbl, by_col, by_value, col, value, n)"
    present = "WHERE by_value IS NOT NULL AND value IS NOT NULL"
    for table, (pk, cols) in COUNTED.items():
        db.execute(
            f"CREATE TRIGGER {table}_pair_counts AFTER INSERT ON {table} BEGIN {into} "
            f"SELECT '{table}', by_col, by_value, col, value, 1 FROM ({_pair_arms('NEW', cols)}) "
            f"{present} {PAIR_UPSERT}; END"
        )
        if table in REPLACED:
            old = _pair_arms("old", cols, f"FROM {table} old WHERE old.{pk} = NEW.{pk}")
            db.execute(
                f"CREATE TRIGGER {table}_pair_uncount BEFORE INSERT ON {table} BEGIN {into} "
                f"SELECT '{table}', by_col, by_value, col, value, -1 FROM ({old}) "
                f"{present} {PAIR_UPSERT}; END"
            )


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
