"""A source's stored text, line by line, so a reviewer can copy the exact words of a quote.

Offsets are code points into the stored text, as spans count them. A search folds quote marks,
dashes, spaces and case the way quote anchoring does, and returns the source's own characters.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ledger.corpus import resolve_source
from ledger.errors import NotFound
from ledger.spans import folded_occurrences, nearest_passage
from ledger.store import Ledger


def source_text(ledger: Ledger, ref: str, grep: str | None = None) -> dict[str, Any]:
    """A source (ID or ingested path) with its numbered ``lines`` (``line``, ``start``,
    ``text``); with ``grep``, only the lines that contain it and every ``match`` (``line``,
    ``start``, ``end``, ``quote``). NotFound when ``grep`` matches nothing."""
    row = resolve_source(ledger, ref)
    text: str = row["text"]
    starts: list[int] = []
    lines: list[dict[str, Any]] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        starts.append(pos)
        lines.append({"line": i + 1, "start": pos, "text": line})
        pos += len(line) + 1
    out: dict[str, Any] = {k: row[k] for k in ("id", "path", "title", "publisher", "published")}
    out["characters"] = len(text)
    if grep is None:
        return out | {"lines": lines}
    matches: list[dict[str, Any]] = [
        {"line": bisect_right(starts, a), "start": a, "end": b, "quote": text[a:b]}
        for a, b in folded_occurrences(text, grep)
    ]
    if not matches:
        near = nearest_passage(text, grep)
        hint = f'; nearest passage: "{near}"' if near else ""
        raise NotFound(f"{grep.strip()!r} is not in source {row['id']}{hint}")
    hit = sorted({m["line"] for m in matches})
    return out | {"lines": [lines[n - 1] for n in hit], "matches": matches}
