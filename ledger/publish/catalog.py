"""Table details Datasette asks for on every page, read once per schema version.

Datasette 0.65 builds the database page by asking, for each of the ledger's 37 tables, for its
columns, primary keys and search table, and by checking the reader may see it (a name lookup in
``sqlite_master`` and a walk over a deep copy of all metadata). Each ask is a trip to a
database thread: about 150 of them, 45 ms a page at any ledger size. None of these answers can
change without the schema changing, and Datasette itself reads ``PRAGMA schema_version`` at the
start of every page, so the answers are kept until that number moves. (Datasette skips that read
when another page is reading it: a page served while the schema changes may show the old
columns once. The schema of a ledger changes only when a new factledger migrates it.)
"""

from __future__ import annotations

import functools
from typing import Any

from datasette.database import Results

# Datasette's permission check asks SQLite for a table's own spelling, one trip per table.
NAME_SQL = (
    "select name from sqlite_master where type in ('table', 'view') and name = ? collate nocase"
)
SCHEMA_SQL = "PRAGMA schema_version"
NAMES = ("names", "")  # where the names themselves are kept among the answers
# SQLite's NOCASE folds ASCII letters only (not str.lower(), which folds all of Unicode).
ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Catalog:
    """One database's table details, dropped whenever its schema version moves."""

    def __init__(self, execute: Any) -> None:
        self.execute = execute
        self.version: int | None = None  # the schema version Datasette last read
        self.answers: dict[tuple[str, str], Any] = {}

    def saw_version(self, version: int) -> None:
        if version != self.version:
            # One assignment each: pages on other threads see an old or a new dict, never half.
            self.answers = {}
            self.version = version

    async def names(self) -> dict[str, str]:
        """Every table and view name, by its ASCII-folded spelling."""
        if self.version is None:
            self.saw_version((await self.execute(SCHEMA_SQL)).first()[0])
        answers = self.answers
        if NAMES not in answers:
            rows = await self.execute(
                "select name from sqlite_master where type in ('table', 'view')"
            )
            answers[NAMES] = {r[0].translate(ASCII_FOLD): r[0] for r in rows.rows}
        return answers[NAMES]

    async def ask(self, kind: str, table: str, compute: Any) -> Any:
        """``compute()``'s answer about ``table``, kept while the schema stays the same. Only
        tables that exist are kept: a visitor asking for made-up names fills no memory."""
        if (await self.names()).get(table.translate(ASCII_FOLD)) != table:
            return await compute()
        answers, key = self.answers, (kind, table)
        if key not in answers:
            answers[key] = await compute()
        return answers[key]


def install(db: Any, execute: Any) -> Any:
    """Wrap ``db``'s per-table lookups in a Catalog; return the ``execute`` to use for SQL."""
    catalog = db.factledger_catalog = Catalog(execute)
    for kind in ("table_columns", "primary_keys", "fts_table"):
        lookup = getattr(db, kind)

        async def cached(table: str, kind: str = kind, lookup: Any = lookup) -> Any:
            return await catalog.ask(kind, table, lambda: lookup(table))

        setattr(db, kind, cached)

    async def execute_cataloged(sql: str, *args: Any, **kwargs: Any) -> Any:
        if sql == SCHEMA_SQL:
            results = await execute(sql, *args, **kwargs)
            catalog.saw_version(results.first()[0])
            return results
        if sql == NAME_SQL and args:
            (name,) = args[0]
            found = (await catalog.names()).get(str(name).translate(ASCII_FOLD))
            return Results([(found,)] if found else [], False, [("name",)])
        return await execute(sql, *args, **kwargs)

    return execute_cataloged


def remember_table_permissions(datasette: Any) -> None:
    """Keep Datasette's per-table permission metadata once worked out for each table.

    Datasette works it out from every metadata source on each check, deep-copying the whole
    metadata each time. The answer depends on metadata alone, so it is kept, unless a plugin
    supplies metadata through the ``get_metadata`` hook (which may change from call to call).
    """
    # Imported here: datasette.plugins imports this package while it loads plugins.
    from datasette.plugins import pm

    dynamic = pm.hook.get_metadata.get_hookimpls()
    if dynamic or not hasattr(datasette, "_table_permission_allows"):
        return
    # Bounded: Datasette checks a table's permission before it knows the table exists, so a
    # visitor asking for made-up names would otherwise grow this without end.
    datasette._table_permission_allows = functools.lru_cache(maxsize=4096)(
        datasette._table_permission_allows
    )
