"""Sentence offsets for the offline proposer.

sentencex (Wikimedia's segmenter, a compiled extension with English abbreviation lists) does the
splitting: measured here at ~100 MB/s against pysbd's ~0.09 MB/s and blingfire's ~9 MB/s (which
also pulls in numpy); see bench/propose.py. Paragraphs (lines) are split first so a sentence never
crosses a line break, and a sentence longer than ``MAX_SENTENCE`` is returned in pieces cut at
clause punctuation, so no rule ever scans an unbounded string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

MAX_SENTENCE = 1500  # characters: a longer "sentence" is a run-on or a list, not one claim
_LINE = re.compile(r"[^\n]+")
_SOFT_BREAK = re.compile(r"[;:,]\s|\s")


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of each sentence in ``text``, trailing space dropped."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        base = line.start()
        for b in sentencex.get_sentence_boundaries("en", line.group()):
            start, end = base + b["start_index"], base + b["end_index"]
            while end > start and text[end - 1].isspace():
                end -= 1
            while start < end and text[start].isspace():
                start += 1
            if end > start:
                spans.extend(_bounded(text, start, end))
    return spans


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long sentence into pieces of at most MAX_SENTENCE, at a clause break if any."""
    while end - start > MAX_SENTENCE:
        window = text[start + MAX_SENTENCE // 2 : start + MAX_SENTENCE]
        cut = None
        for m in _SOFT_BREAK.finditer(window):
            cut = m.end()
            if m.group()[0] != " ":
                break  # prefer the first clause punctuation past the middle
        stop = start + MAX_SENTENCE // 2 + cut if cut else start + MAX_SENTENCE
        yield start, stop
        start = stop
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end
