"""Search results read from the search index in page order, so a common word costs one page.

Datasette finds a table's search matches with ``pk in (select rowid from fts where fts match
...)``. SQLite builds the whole list of matches before it can sort and cut a page from it: 15 ms
for a word in one claim in twelve at a million claims, 60 ms for a word in a third of the
quotes. Our reader tables list newest first in the index's own rowid order (``search_rowid``,
``stance_rowid``), so the page is among the newest matches of the index: the query asks the
index for only that many (FTS5 reads its matches in rowid order and stops), and asks again for
more only when filters or a later page need them. The rows are exactly those of Datasette's own
query: only the number of matches read changes.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from datasette.utils import escape_sqlite

NAME = r"(?:\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_]*)"  # a name as datasette.utils.escape_sqlite writes it
# Datasette's clause for ?_search= or ?_search_COLUMN= (datasette/filters.py, search_filters).
MATCHES = re.compile(
    rf"(?P<pk>{NAME}) in \(select rowid from (?P<fts>{NAME}) where (?P<col>{NAME}) match "
    r"(?P<query>escape_fts\(:search(?:_\d+)?\)|:search(?:_\d+)?)\)"
)
# Set for a request with ?_search_COLUMN=: only then is "rowid in" Datasette's own clause.
COLUMN_SEARCH: ContextVar[bool] = ContextVar("factledger_column_search", default=False)
# A table page's query (datasette/views/table.py): plain columns of one table, conditions joined
# by "and", "order by SORT [desc][, pk ...] limit N". Only a query of exactly this shape is read
# in index order, whoever wrote it: for it, the rows are provably the same.
PAGE = re.compile(
    rf"select {NAME}(?:, {NAME})* from {NAME} where (?P<where>.+) order by (?P<sort>{NAME})"
    rf"(?P<desc> desc)?(?:, {NAME}(?: desc)?)* limit (?P<n>\d+)",
    re.S,
)
LITERAL = re.compile(r"'[^']*'")
MORE = 16  # each retry reads this many times more matches
MOST = 1 << 16  # past this many matches, Datasette's own query is as quick


@dataclass(frozen=True)
class SearchPage:
    """A table page of search results whose sort column is the search index's rowid."""

    sql: str
    clause: re.Match[str]
    size: int
    order: str

    def reading(self, matches: int) -> str:
        """The page's query, reading only the first ``matches`` matches in page order."""
        start, end = self.clause.span()
        bounded = self.clause.group()[:-1] + f" order by rowid {self.order} limit {matches})"
        return self.sql[:start] + bounded + self.sql[end:]

    def beyond(self, matches: int) -> str:
        """A query that finds a match after the first ``matches``, if there is one."""
        fts, col, query = self.clause.group("fts", "col", "query")
        return (
            f"select rowid from {fts} where {col} match {query} "
            f"order by rowid {self.order} limit 1 offset {matches}"
        )


def search_page(sql: str) -> SearchPage | None:
    """The page when ``sql`` is Datasette's page of ?_search= results sorted by the index's
    rowid (newest or oldest first); None for any other query, which runs as written."""
    clauses = list(MATCHES.finditer(sql))  # first: most queries have none, and this is quick
    if len(clauses) != 1:
        return None
    page = PAGE.fullmatch(sql)
    if page is None or not _a_condition(page, clauses[0]):
        return None
    if page.group("sort") != clauses[0].group("pk"):
        return None  # sorted by another column: every match is needed to sort
    return SearchPage(sql, clauses[0], int(page.group("n")), "desc" if page["desc"] else "asc")


def _a_condition(page: re.Match[str], clause: re.Match[str]) -> bool:
    """Whether ``clause`` is one of the conditions the page's WHERE joins with "and" (not
    negated, nor inside parentheses or an "or")."""
    where_start, where_end = page.span("where")
    start, end = clause.span()
    if not where_start <= start < end <= where_end:
        return False
    before, after = page.string[where_start:start], page.string[end:where_end]
    if before and not before.endswith(" and ") or after and not after.startswith(" and "):
        return False
    outside = LITERAL.sub("''", before)  # parentheses inside quoted text do not nest
    return outside.count("(") == outside.count(")")


def by_search_key(sql: str, keys: dict[str, tuple[str, str]]) -> str:
    """``sql`` with Datasette's column search on a table whose search key is not its rowid
    (``fts_pk`` in metadata) matched on that key: Datasette 0.65 matches ``rowid`` there,
    which on our reader tables names other rows."""
    for table, (fts, pk) in keys.items():
        if f" from {table} where " in sql:
            clause = f"rowid in (select rowid from {fts} where "
            fixed = f"{pk} in (select rowid from {fts} where "
            sql = sql.replace(f" {clause}", f" {fixed}").replace(f"({clause}", f"({fixed}")
    return sql


def search_keys(tables: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each table with a search key other than its rowid, from Datasette table metadata."""
    return {
        escape_sqlite(name): (escape_sqlite(meta["fts_table"]), escape_sqlite(meta["fts_pk"]))
        for name, meta in tables.items()
        if meta.get("fts_table") and meta.get("fts_pk", "rowid") != "rowid"
    }


def install(execute: Any, keys: dict[str, tuple[str, str]]) -> Any:
    """An ``execute`` that reads search pages from the index in page order, and matches
    column searches on ``keys`` (``search_keys``)."""

    async def execute_searching(sql: str, *args: Any, **kwargs: Any) -> Any:
        if COLUMN_SEARCH.get():
            sql = by_search_key(sql, keys)
        page = search_page(sql)
        if page is None:
            return await execute(sql, *args, **kwargs)
        params = args[0] if args else kwargs.get("params")
        matches = page.size
        while matches <= MOST:
            results = await execute(page.reading(matches), *args, **kwargs)
            if len(results.rows) >= page.size:
                return results  # a full page: every later match sorts after these rows
            if not (await execute(page.beyond(matches), params)).rows:
                return results  # every match was read
            matches *= MORE  # filters, or a later page, passed over some of them
        return await execute(sql, *args, **kwargs)

    return execute_searching
