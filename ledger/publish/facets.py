"""Facets and table counts read from the counts the ledger keeps (``ledger/counts.py``).

Datasette counts a facet with a GROUP BY over the table, and every table on the index and
database pages with ``count(*)``, on every request: at a million claims that is most of a
second a page. The ledger keeps those numbers exact in ``facet_counts``, so an unfiltered page
reads them instead. Filtered pages still count live, within ``facet_time_limit_ms``.
"""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from ledger.counts import COUNTED
from ledger.counts import table_counts as table_counts_of
from ledger.publish.search import MATCHES

COUNT_SQL = "select count(*) from "  # a table page's count, as Datasette writes it
# A row page's "links from other tables": the rows of every table referencing it, counted. For a
# source that is every stance and claim quoting it, a whole index range (about 17 ms for 200,000
# rows); past a facet's time limit Datasette leaves the links out, and the page keeps its budget.
INCOMING_SQL = "select (select count(*) from "
# A live facet of a search page takes about 2.5 µs a matching row at a million claims (a GROUP BY
# over every match, no index to read it from): past this many rows it cannot finish within
# facet_time_limit_ms (25 ms), so it is reported as timed out at once rather than after 25 ms of
# work per facet. (Pages filtered by columns read their facets from indexes, far faster.)
LIVE_FACET_ROWS = 20_000
# The row count this request's table page just counted: ("from ... where ...", n).
PAGE_COUNT: ContextVar[tuple[str, int] | None] = ContextVar("factledger_page_count", default=None)


def one_facet_value(table: str, sql: str, params: Any) -> tuple[str, str] | None:
    """(column, value) when ``sql`` is Datasette's query for ``table`` filtered by exactly one
    counted facet value (``col=value`` or ``col__exact=value``); None for anything else, from
    the filter form, a search or a plugin."""
    if not isinstance(params, dict) or list(params) != ["p0"]:
        return None
    for col in COUNTED.get(table, ("", ()))[1]:
        if sql.rstrip().endswith(f'from {escape_sqlite(table)} where "{col}" = :p0'):
            return col, params["p0"]
    return None


class CountedFacet(ColumnFacet):
    """A column facet (``{"counted": "actor"}`` in metadata) served from the kept counts."""

    type = "counted"
    _only: list[dict[str, Any]] | None = None
    _keys: set[str] | None = None  # the table's foreign key columns

    def get_configs(self) -> list[dict[str, Any]]:
        return self._only or super().get_configs()

    def _unfiltered(self) -> bool:
        return not self.params and self.sql.rstrip().endswith(f"from {escape_sqlite(self.table)}")

    def _counted(self) -> tuple[str, ...]:
        return COUNTED.get(self.table, ("", ()))[1]

    async def _kept(self, column: str, size: int) -> tuple[list[Any], str | None] | None:
        """Rows of (value, count) from the kept counts, and the selected value; None if not kept."""
        db = self.ds.databases.get(self.database)
        kept = getattr(db, "factledger_counts", None)
        if column not in self._counted() or kept is None:
            return None
        if kept.has_counts is None:
            await db.execute_fn(kept.read)
        if not kept.has_counts:  # another database, or a ledger not yet migrated
            return None
        if self._unfiltered():
            sql = "SELECT value, n AS count FROM facet_counts WHERE tbl = ? AND col = ? AND n > 0"
            params: list[Any] = [self.table, column]
            selected = None
        elif one := one_facet_value(self.table, self.sql, self.params):
            by, value = one
            # Datasette marks a value selected when its own column=value is in the query string.
            shown = (column, value) in self.get_querystring_pairs()
            selected = value if shown and by == column else None
            if by == column:  # the filtered column itself: just the chosen value
                sql = "SELECT value, n AS count FROM facet_counts WHERE tbl = ? AND col = ? "
                sql += "AND value = ? AND n > 0"
                params = [self.table, column, value]
            else:
                sql = (
                    "SELECT value, n AS count FROM facet_pair_counts WHERE tbl = ? AND by_col = ? "
                    "AND by_value = ? AND col = ? AND n > 0"
                )
                params = [self.table, by, value, column]
        else:
            return None
        rows = await self.ds.execute(
            self.database, f"{sql} ORDER BY n DESC, value LIMIT ?", [*params, size + 1],
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )  # fmt: skip
        return list(rows), selected

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        size = self.get_facet_size()
        for sc in super().get_configs():
            column = sc["config"].get("column") or sc["config"]["simple"]
            try:
                kept = await self._kept(column, size)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            if kept is None and self._too_many_rows():
                timed_out.append(column)
                continue
            if kept is None:
                self._only = [sc]  # any other filter: Datasette's own live count
                more, late = await super().facet_results()
                self._only = None
                results += more
                timed_out += late
                continue
            rows, selected = kept
            labels = await self._labels(column, [row["value"] for row in rows[:size]])
            results.append(self._result(column, sc["source"], rows, size, selected, labels))
        return results, timed_out

    async def _labels(self, column: str, values: list[Any]) -> dict[tuple[str, Any], Any]:
        """The labels Datasette's own facet shows for a foreign key's values (the row's label
        column: a source's title), by Datasette's own lookup; none for any other column."""
        if self._keys is None:  # once a page, not once a facet
            keys = await self.ds.databases[self.database].foreign_keys_for_table(self.table)
            self._keys = {fk["column"] for fk in keys}
        if column not in self._keys:
            return {}
        return dict(await self.ds.expand_foreign_keys(self.database, self.table, column, values))

    def _too_many_rows(self) -> bool:
        """Whether this is a search page whose own count, just taken, says a live facet would
        time out."""
        counted = PAGE_COUNT.get()
        start = self.sql.find(" from ")
        if not counted or start < 0 or not MATCHES.search(self.sql):
            return False
        return counted[0] == self.sql[start + 1 :].rstrip() and counted[1] > LIVE_FACET_ROWS

    def _result(
        self,
        column: str,
        source: str,
        rows: list[Any],
        size: int,
        selected: str | None,
        labels: dict[tuple[str, Any], Any],
    ) -> dict[str, Any]:
        """The facet in Datasette's own shape, with the same toggle links."""

        def link(path: str) -> str:
            return str(self.ds.absolute_url(self.request, self.ds.urls.path(path)))

        values = []
        for row in rows[:size]:
            chosen = row["value"] == selected
            toggle = (
                path_with_removed_args(
                    self.request, {column: selected, f"{column}__exact": selected}
                )
                if chosen
                else path_with_added_args(self.request, {column: row["value"]})
            )
            label = labels.get((column, row["value"]), row["value"])
            values.append({"value": row["value"], "label": label, "count": row["count"],
                           "toggle_url": link(toggle), "selected": chosen})  # fmt: skip
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(
                path_with_removed_args(self.request, {"_facet": column})
            ),
            "results": values,
            "truncated": len(rows) > size,
        }


@hookimpl
def register_facet_classes() -> list[type]:
    return [CountedFacet]


class KeptCounts:
    """One database's table counts, read again only when the ledger head or schema moves."""

    def __init__(self) -> None:
        # (key, counts) swapped in one assignment: Datasette reads from several threads.
        self.cached: tuple[tuple[Any, ...], dict[str, int] | None] | None = None
        self.has_counts: bool | None = None  # None until first read

    def read(self, conn: Any) -> dict[str, int] | None:
        try:
            head = conn.execute("SELECT max(seq) FROM ledger_entries").fetchone()[0]
        except sqlite3.OperationalError:
            self.has_counts = False
            return None  # not a ledger
        key = (head, conn.execute("PRAGMA schema_version").fetchone()[0])
        cached = self.cached
        if cached is None or cached[0] != key:  # every write to a ledger moves its head
            cached = (key, table_counts_of(conn))
            self.cached = cached
        self.has_counts = cached[1] is not None
        return cached[1]


def install(db: Any, execute: Any) -> Any:
    """Answer ``db``'s table counts, and a table page's unfiltered or one-facet-value
    ``select count(*)``, from the kept counts; return the ``execute`` that does so.

    Datasette 0.65 has no hook for counts: an immutable file takes them from inspect data, a
    live one counts every table again on every page (30 ms for the spine at a million claims).
    Anything else runs as written.
    """
    kept = db.factledger_counts = KeptCounts()
    count_live = db.table_counts

    async def table_counts(limit: int = 10) -> Any:
        counts = await db.execute_fn(kept.read)
        return counts if counts is not None else await count_live(limit)

    async def execute_counted(sql: str, *args: Any, **kwargs: Any) -> Any:
        if sql.startswith(INCOMING_SQL) and "custom_time_limit" not in kwargs:
            limit = db.ds.setting("facet_time_limit_ms")
            return await execute(sql, *args, custom_time_limit=limit, **kwargs)
        if not (sql.startswith(COUNT_SQL) and sql.endswith(" ")):
            return await execute(sql, *args, **kwargs)
        results = await count(sql, *args, **kwargs)
        if results.rows:  # for this page's facets (CountedFacet._too_many_rows)
            PAGE_COUNT.set((sql[len("select count(*) ") :].rstrip(), results.rows[0][0]))
        return results

    async def count(sql: str, *args: Any, **kwargs: Any) -> Any:
        counts = await db.execute_fn(kept.read) or {}
        for table, n in counts.items():
            if sql == f"{COUNT_SQL}{escape_sqlite(table)} ":
                return Results([(n,)], False, [("count(*)",)])
        table = sql[len(COUNT_SQL) :].split(" ", 1)[0].strip('[]"')
        params = args[0] if args else kwargs.get("params")
        one = one_facet_value(table, sql, params)
        if one and kept.has_counts:
            rows = await execute(
                "SELECT coalesce((SELECT n FROM facet_counts WHERE tbl = ? AND col = ? "
                "AND value = ?), 0)",
                [table, *one],
            )
            return Results([(rows.rows[0][0],)], False, [("count(*)",)])
        return await execute(sql, *args, **kwargs)

    db.table_counts = table_counts
    return execute_counted
