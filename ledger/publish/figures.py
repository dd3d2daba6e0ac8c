"""Figures about a subject in claims: what the ``conflicting_figures`` canned query compares.

Reports give the same figure in different words: "1,500 North Korean soldiers", "about 3,000
troops", "11,000 infantry". A subject therefore stands for a few words that name the same thing
(``SYNONYMS``), and the figure of a claim is the number that counts them: one within a few words
of the subject, not a year or a date elsewhere in the sentence. Both are SQL functions on the
published Datasette's connections (``connection.py``).
"""

from __future__ import annotations

import re

# Words a report uses for the same count; a subject word finds the claims with any of its group.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "troops",
            "troop",
            "soldiers",
            "soldier",
            "infantry",
            "forces",
            "personnel",
            "servicemen",
            "fighters",
        }
    ),  # fmt: skip
    frozenset({"casualties", "killed", "dead", "deaths", "wounded", "injured"}),
    frozenset({"refugees", "displaced", "evacuees"}),
    frozenset({"missiles", "missile", "rockets", "rocket"}),
    frozenset({"drones", "drone", "uavs"}),
)
WORD = re.compile(r"[^\W\d]\w*")  # a word starts with a letter; numbers are not words
NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(thousand|million|billion))?(?!\w)", re.I
)
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
NEAR = 6  # words between a figure and the subject it counts ("11,000 North Korean infantry troops")
YEAR = re.compile(r"1[89]\d\d|2[01]\d\d")


def subject_words(subject: str) -> list[set[str]]:
    """For each word of ``subject``, the words that stand for it (itself, singular or plural and
    its synonyms), in lower case."""
    groups = []
    for word in WORD.findall(subject.lower()):
        forms = {word, word[:-1] if word.endswith("s") else word + "s"}
        for group in SYNONYMS:
            if forms & group:
                forms |= group
        groups.append(forms)
    return groups


def subject_match(subject: str | None) -> str | None:
    """An FTS5 query finding claims whose text names every word of ``subject`` in some form."""
    groups = subject_words(subject or "")
    if not groups:
        return None
    terms = [" OR ".join(f'"{w}"' for w in sorted(forms)) for forms in groups]
    return "text : (" + " AND ".join(f"({t})" for t in terms) + ")"


def figure(text: str | None, subject: str | None) -> str | None:
    """The number in ``text`` that counts ``subject`` ("1,500", "3 million"), as written; None
    when no number stands within a few words of it."""
    groups = subject_words(subject or "")
    if not text or not groups:
        return None
    words = [(m.start(), m.group().lower()) for m in WORD.finditer(text)]
    at = [i for i, (_, w) in enumerate(words) if any(w in forms for forms in groups)]
    best: tuple[int, str] | None = None
    for m in NUMBER.finditer(text):
        if YEAR.fullmatch(m.group(1)) and not m.group(2):
            continue  # "in 2024" dates a claim; a count of that size is written "2,024"
        index = sum(1 for start, _ in words if start < m.start())
        distance = min((abs(i - index) for i in at), default=NEAR + 1)
        if distance <= NEAR and (best is None or distance < best[0]):
            best = (distance, m.group())
    return best[1] if best else None


def figure_value(shown: str | None) -> float | None:
    """The value of a figure as ``figure`` writes it, to sort by: "3 million" is 3e6."""
    m = NUMBER.fullmatch(shown or "")
    if m is None:
        return None
    return float(m.group(1).replace(",", "")) * SCALE.get((m.group(2) or "").lower(), 1)
