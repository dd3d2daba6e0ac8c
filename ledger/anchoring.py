"""Re-find a proposed quote in its source: exact, normalised, fuzzy, or unanchored.

Proposers (models especially) paraphrase: straight quotes for curly ones, hyphens for dashes,
collapsed whitespace, changed case. We search on a normalised copy of the text with a map back to
the original offsets, so the stored quote is always the source's own characters. Fuzzy matches
are flagged with their score; anything below the threshold is ``unanchored`` and cannot be
accepted until a reviewer fixes the span.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.spans import Span, make_span

FUZZY_THRESHOLD = 90.0  # rapidfuzz partial_ratio, 0-100; below this a reviewer must fix the span
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class Anchored:
    """Where a proposed quote landed: its span (None if unanchored), how, and the fuzzy score."""

    span: Span | None
    anchoring: str
    score: float | None = None


def _normalise(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes, case and runs of whitespace; return the folded text and, for each
    folded character, its offset in the original."""
    out: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(text.translate(_FOLD)):
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        out.append(ch.lower())
        index.append(i)
    return "".join(out), index


def _whole_words(text: str, begin: int, end: int) -> tuple[int, int]:
    """Widen ``text[begin:end]`` so it neither starts nor ends inside a word, and trim spaces:
    a fuzzy match that cuts "dismissed" to "missed" would show the reviewer other words."""
    while begin > 0 and text[begin - 1].isalnum() and text[begin].isalnum():
        begin -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


def anchor_quote(source_id: str, text: str, quote: str) -> Anchored:
    """Anchor ``quote`` in ``text``: exact, else normalised, else fuzzy (widened to whole words),
    else unanchored."""
    quote = quote.strip()
    if not quote:
        return Anchored(None, "unanchored")
    start = text.find(quote)
    if start != -1:
        return Anchored(make_span(source_id, text, start, start + len(quote)), "exact")
    folded_text, index = _normalise(text)
    folded_quote, _ = _normalise(quote)
    folded_quote = folded_quote.strip()
    pos = folded_text.find(folded_quote)
    if pos != -1 and folded_quote:
        begin, end = index[pos], index[pos + len(folded_quote) - 1] + 1
        return Anchored(make_span(source_id, text, begin, end), "normalized")
    from rapidfuzz import fuzz

    m = fuzz.partial_ratio_alignment(folded_quote, folded_text)
    if m is not None and m.score >= FUZZY_THRESHOLD and m.dest_end > m.dest_start:
        begin, end = _whole_words(text, index[m.dest_start], index[m.dest_end - 1] + 1)
        return Anchored(make_span(source_id, text, begin, end), "fuzzy", round(m.score, 1))
    return Anchored(None, "unanchored", round(m.score, 1) if m is not None else None)
