"""Where a span sits in its source as it is now: its PDF page, and whether the source changed.

A source fetched again with different bytes becomes a new source that ``replaces`` the old one;
a claim keeps pointing at the bytes it was recorded from. A reader of the claim should still
learn that the page changed since, and whether the quoted words are still in the new text.
"""

from __future__ import annotations

import bisect
from typing import Any

import orjson

from ledger.store import Ledger


def _latest_replacement(ledger: Ledger, source_id: str) -> dict[str, Any] | None:
    """The newest source in the chain of sources replacing ``source_id``, if any."""
    latest, seen = None, {source_id}
    current = source_id
    while True:
        row = ledger.one(
            "SELECT id, retrieved, recorded_at FROM sources WHERE replaces = ? "
            "ORDER BY seq DESC LIMIT 1",
            [current],
        )
        if row is None or row["id"] in seen:
            return latest
        latest, current = row, row["id"]
        seen.add(current)


def annotate(ledger: Ledger, spans: list[dict[str, Any]]) -> None:
    """Set ``page`` (1-based, for a PDF source; else None) and ``changed`` (None, or the newer
    source with ``quote_found``) on each span dict, reading each source once."""
    by_source: dict[str, tuple[list[int] | None, dict[str, Any] | None]] = {}
    texts: dict[str, str] = {}
    for span in spans:
        sid = span["source_id"]
        if sid not in by_source:
            row = ledger.one("SELECT pages FROM sources WHERE id = ?", [sid])
            pages = orjson.loads(row["pages"]) if row and row.get("pages") else None
            by_source[sid] = (pages, _latest_replacement(ledger, sid))
        pages, newer = by_source[sid]
        span["page"] = bisect.bisect_right(pages, span["start"]) if pages else None
        span["changed"] = None
        if newer is not None:
            if newer["id"] not in texts:
                texts[newer["id"]] = ledger.one(
                    "SELECT text FROM sources WHERE id = ?", [newer["id"]]
                )["text"]  # type: ignore[index]
            span["changed"] = {
                "source_id": newer["id"],
                "retrieved": newer["retrieved"] or newer["recorded_at"],
                "quote_found": span["quote"] in texts[newer["id"]],
            }
