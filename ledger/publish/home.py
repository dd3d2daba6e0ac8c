"""The home page for readers, and the style every page shares.

Datasette's home page lists databases and tables: the machinery. A reader wants to know what the
ledger holds: how many claims and sources, the latest claims with who said what about them and
the reviewers' verdict, a search box and the questions it can answer (the canned queries). The
template is ``templates/index.html``; this module gives it its numbers (``extra_template_vars``)
and adds the shared style sheet to every page (``extra_css_urls``, served by ``style``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from ledger.publish.metadata import READER_TABLES
from ledger.readers import source_of

LATEST = 10
STYLE = Path(__file__).resolve().parent / "static" / "factledger.css"
STYLE_PATH = "/-/factledger.css"


async def _ledger(datasette: Any) -> Any:
    """The database served that is a ledger (has the chain's spine), or None."""
    for db in datasette.databases.values():
        if not db.is_memory and await db.table_exists("ledger_entries"):
            return db
    return None


async def home(datasette: Any, request: Any) -> dict[str, Any] | None:
    """What the home page shows of the ledger; None when no ledger is served."""
    from ledger.store import Ledger

    db = await _ledger(datasette)
    if db is None:
        return None
    counts = await db.table_counts(limit=50)  # the kept counts (publish/facets.py)
    latest = await db.execute(
        "SELECT c.claim_id, c.claim, c.status, c.verdict, c.stance_summary, "
        f"src.title AS source_title, c.publisher FROM current_claims c {source_of('c')} "
        f"ORDER BY c.search_rowid DESC LIMIT {LATEST}"
    )
    head = await db.execute_fn(lambda conn: Ledger.reading(conn).head())
    queries = await datasette.get_canned_queries(db.name, request.actor if request else None)
    tables = [
        {
            "name": name,
            # source_list is a view of sources: the same rows.
            "count": counts.get("sources" if name == "source_list" else name),
            "description": datasette.metadata("description", database=db.name, table=name),
        }
        for name in READER_TABLES
    ]
    return {
        "database": db.name,
        "claims": counts.get("current_claims") or 0,
        "sources": counts.get("sources") or 0,
        "stances": counts.get("stances") or 0,
        "latest": [dict(row) for row in latest.rows],
        "queries": [{"name": name, **q} for name, q in queries.items()],
        "tables": tables,
        "head": {"entries": head.count, "hash": head.hash},
    }


@hookimpl
def extra_template_vars(view_name: str, datasette: Any, request: Any) -> Any:
    """``factledger`` for the home page (``index.html``)."""
    if view_name != "index":
        return {}

    async def inner() -> dict[str, Any]:
        return {"factledger": await home(datasette, request)}

    return inner


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path(STYLE_PATH)]


VERIFY_JS = STYLE.with_name("verify-proof.js")
VERIFY_PATH = "/-/factledger-verify.js"


async def verify_script(request: Any) -> Response:
    """The claim page's proof checker (runs in the reader's browser)."""
    return Response(
        VERIFY_JS.read_text(encoding="utf-8"),
        content_type="application/javascript; charset=utf-8",
        headers={"cache-control": "max-age=3600"},
    )


async def style(request: Any) -> Response:
    """The shared style sheet: reader pages that fit 1280 px and narrower screens."""
    return Response(
        STYLE.read_text(encoding="utf-8"),
        content_type="text/css; charset=utf-8",
        headers={"cache-control": "max-age=3600"},
    )
