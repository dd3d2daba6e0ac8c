"""What the plugin sets up when Datasette starts: the ledger's pages at a million claims.

Datasette 0.65 has no hooks for a table page's counts, its search query or the per-table
details of the database page, so each ledger database's ``execute`` is wrapped, innermost
first: the catalog (``catalog.py``), search pages in index order (``search.py``), and counts
from the kept counts (``facets.py``). Each recognises only the queries it answers exactly; any
other query runs as written.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from ledger.publish import catalog, facets, search
from ledger.publish.metadata import share_table_entries


@hookimpl
def startup(datasette: Any) -> None:
    """Wrap every file database's lookups (in-memory ones keep Datasette's own)."""
    # Datasette prints a traceback with its locals for every 404 or 400 when rich is installed:
    # a reader's mistyped address is not a server fault. A server error still prints its own.
    from datasette import handle_exception  # here: it imports the plugins being loaded

    handle_exception.rich = None
    # Datasette keeps the metadata it was given (argument or metadata.json) here in 0.65.
    given = getattr(datasette, "_metadata_local", None) or {}
    share_table_entries(given)
    catalog.remember_table_permissions(datasette)
    for db in datasette.databases.values():
        if db.is_memory:
            continue
        tables = ((given.get("databases") or {}).get(db.name) or {}).get("tables") or {}
        execute = catalog.install(db, db.execute)
        execute = search.install(execute, search.search_keys(tables))
        db.execute = facets.install(db, execute)
