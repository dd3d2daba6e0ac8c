"""Find, anchor and check quotes in source text.

A span is ``source_id``, ``start``, ``end`` (code-point offsets into the stored text), the exact
``quote`` (always ``text[start:end]``) and ``prefix`` / ``suffix`` context as in the W3C Web
Annotation TextQuoteSelector. We fail closed: a quote that is not in the text is refused, never
silently "fixed".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from ledger.errors import SpanError

CONTEXT = 32


class Span(BaseModel):
    """Where in a source a claim or stance is shown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_id: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str

    def columns(self) -> dict[str, Any]:
        """The span as ledger columns."""
        # Spelled out: model_dump costs several times more, once for every row a span anchors.
        return {
            "source_id": self.source_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


def make_span(source_id: str, text: str, start: int, end: int) -> Span:
    """Build a span for ``text[start:end]`` with its prefix and suffix context."""
    if not (0 <= start < end <= len(text)):
        raise SpanError(f"span {start}:{end} is outside the source text (0:{len(text)})")
    return Span(
        source_id=source_id,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every exact occurrence of ``quote`` in ``text``."""
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def nearest_passage(text: str, quote: str) -> str | None:
    """The passage of ``text`` most like ``quote`` (for an error message), or None."""
    from rapidfuzz import fuzz

    if not text or not quote:
        return None
    m = fuzz.partial_ratio_alignment(quote, text)
    if m is None or m.score < 50:
        return None
    start, end = m.dest_start, m.dest_end
    # Widen to whole words so the reader sees a passage they can copy, not a fragment.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip()


def folded_occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every place ``quote`` matches ``text`` once quote marks, dashes,
    whitespace and case are folded as proposal anchoring folds them (offsets into ``text``)."""
    from ledger.anchoring import _normalise  # anchoring builds on this module

    folded_text, index = _normalise(text)
    folded_quote = _normalise(quote)[0].strip()
    if not folded_quote:
        return []
    found, i = [], folded_text.find(folded_quote)
    while i != -1:
        found.append((index[i], index[i + len(folded_quote) - 1] + 1))
        i = folded_text.find(folded_quote, i + 1)
    return found


# What a typed quote may differ from the source in, each with the folding that hides it.
_QUOTE_MARKS = str.maketrans(dict.fromkeys("\u2018\u2019\u201a\u201b", "'") | dict.fromkeys(
    "\u201c\u201d\u201e", '"'))  # fmt: skip
_DASHES = str.maketrans(dict.fromkeys("\u2013\u2014\u2212", "-"))
DIFFERENCES: dict[str, Callable[[str], str]] = {
    "quote marks": lambda t: t.translate(_QUOTE_MARKS),
    "dashes": lambda t: t.translate(_DASHES),
    "spaces": lambda t: " ".join(t.split()),
    "letter case": str.lower,
}


def quote_difference(typed: str, stored: str) -> list[str]:
    """How a typed quote differs from the source's own words it was anchored to, e.g.
    ``["quote marks", "dashes"]``; empty when they are the same characters."""
    typed = typed.strip()
    if typed == stored:
        return []

    def fold(t: str, skip: str) -> str:
        for name, f in DIFFERENCES.items():
            if name != skip:
                t = f(t)
        return t

    return [name for name in DIFFERENCES if fold(typed, name) != fold(stored, name)]


def find_span(source_id: str, text: str, quote: str, occurrence: int | None = None) -> Span:
    """Anchor a quote in ``text``: exactly, else with quote marks, dashes, whitespace and case
    folded (the span holds the source's own characters). Ambiguous quotes need ``occurrence``
    (1-based)."""
    if not quote.strip():
        raise SpanError("the quote is empty: pass the exact words from the source")
    places = [(i, i + len(quote)) for i in occurrences(text, quote)]
    if not places:
        places = folded_occurrences(text, quote)
    if not places:
        near = nearest_passage(text, quote)
        hint = f'; nearest passage: "{near}"' if near else ""
        raise SpanError(f"quote not found in source {source_id}{hint}")
    if occurrence is None:
        if len(places) > 1:
            raise SpanError(
                f"quote occurs {len(places)} times in source {source_id}: "
                f"pass --occurrence 1..{len(places)}"
            )
        occurrence = 1
    if not 1 <= occurrence <= len(places):
        raise SpanError(
            f"--occurrence {occurrence} is out of range: the quote occurs {len(places)} time(s)"
        )
    start, end = places[occurrence - 1]
    return make_span(source_id, text, start, end)


def check_span(text: str, row: dict[str, Any]) -> str | None:
    """Why a stored span disagrees with its source text, or None when it matches."""
    start, end, quote = row["start"], row["end"], row["quote"]
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        return f"span {start}:{end} is outside the source text"
    if text[start:end] != quote:
        return f"quote does not match source text at {start}:{end}"
    if row.get("prefix") is not None and text[max(0, start - CONTEXT) : start] != row["prefix"]:
        return "prefix does not match source text"
    if row.get("suffix") is not None and text[end : end + CONTEXT] != row["suffix"]:
        return "suffix does not match source text"
    return None
