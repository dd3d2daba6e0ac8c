"""Finding claim citations in a Markdown report, including the ones a person mistyped.

A citation is the claim ID in square brackets, ``[FL-7K2QH9]`` or ``[FL-7K2QH9@2]``. Anything
that looks meant as one but is not (``[fl-7k2qh9]``, ``[FL-7K2QH0]``, ``[FL-7K2QH9@0]``) is found
too, so that ``check`` reports it instead of passing a report it could not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ledger.ids import ALPHABET, CLAIM_LEN, CLAIM_PREFIX

CITATION = re.compile(rf"\[({CLAIM_PREFIX}[{ALPHABET}]{{{CLAIM_LEN}}}(?:@[1-9][0-9]*)?)\]")
# Any case, any dash, letters outside the alphabet, a wrong length, any text after @.
# Possessive quantifiers keep a long line without a closing bracket linear.
NEAR_MISS = re.compile(r"\[\s*+(fl\s*+[-_‐‑‒–—]\s*+[0-9a-z]{4,8}+(?:\s*+@[^\]\n]*+)?)\]", re.I)
DASHES = "_‐‑‒–—"
# Longer than any real version number, short enough that int() never has to refuse it.
MAX_VERSION_DIGITS = 9
SHOWN_LEN = 40


@dataclass(frozen=True)
class Found:
    """One citation (or near miss) in a text: where it is, what it says, what is wrong."""

    line: int  # 1-based
    start: int  # offsets into the line
    end: int
    ref: str  # the claim reference, or the raw text of a near miss, shortened for display
    problem: str | None  # None for a well-formed citation


def shown(text: str) -> str:
    """``text`` shortened to one readable line."""
    text = " ".join(text.split())
    if len(text) <= SHOWN_LEN:
        return text
    return f"{text[: SHOWN_LEN - 10]}… ({len(text)} characters)"


def find(text: str) -> Iterator[Found]:
    """Every citation and near miss in ``text``, in order."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        found = []
        taken: list[tuple[int, int]] = []
        for m in CITATION.finditer(line):
            ref = m.group(1)
            _, _, version = ref.partition("@")
            problem = None
            if len(version) > MAX_VERSION_DIGITS:
                problem = f"version number too long ({len(version)} digits): no claim has it"
            found.append(Found(lineno, m.start(), m.end(), shown(ref), problem))
            taken.append(m.span())
        for m in NEAR_MISS.finditer(line):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            raw = m.group(1).strip()
            found.append(Found(lineno, m.start(), m.end(), shown(raw), near_miss_problem(raw)))
        yield from sorted(found, key=lambda f: f.start)


def near_miss_problem(raw: str) -> str:
    """What is wrong with a bracketed text that looks meant as a citation."""
    body = "".join(raw.split())
    claim, at, version = body.partition("@")
    prefix, rest = claim[:2], claim[3:]
    if claim[2] in DASHES:
        return f"not a citation: write {CLAIM_PREFIX} with a plain hyphen"
    if len(rest) != CLAIM_LEN:
        return f"not a citation: a claim ID has {CLAIM_LEN} characters after {CLAIM_PREFIX}"
    foreign = sorted({ch for ch in rest.upper() if ch not in ALPHABET})
    if foreign:
        return f"not a claim ID: claim IDs have no {', '.join(foreign)} (they use {ALPHABET})"
    if at and not (version.isascii() and version.isdigit() and version.lstrip("0")):
        return "not a citation: the version after @ must be a whole number from 1"
    if at and version.startswith("0"):
        return "not a citation: write the version without leading zeros"
    if body != raw or claim != claim.upper() or prefix != prefix.upper():
        fixed = claim.upper() + (f"@{version}" if at else "")
        return f"not a citation: write [{shown(fixed)}] (upper case, no spaces)"
    return "not a citation"
