"""Placeholder text: what a template or a half-filled command line leaves behind.

A claim, actor, quote, note or reason goes into the ledger for good, so text that only stands in
for the real words ("...", "TODO", "TBD", "xxx", "<claim>") is refused before anything is written.
"""

from __future__ import annotations

import re

from ledger.errors import InputError

# Words that mean "fill this in later" (TK is the newsroom's "to come").
WORDS = frozenset(
    "todo tbd tbc tba tk fixme placeholder claim text reason note actor quote "
    "something here lorem ipsum dolor sit amet foo bar baz n/a na none null".split()
)
_LATER = re.compile(r"(?i)^(?:todo|fixme|tbd|tk)\s*[:\-\u2013\u2014]")
_TEMPLATE = re.compile(r"^\s*(?:<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\})\s*$")
_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")

# The first character either pattern can match in stripped text (``\s`` is str.isspace, and no
# other character case-folds to t or f): most text is neither, and is spared both.
_TEMPLATE_FIRST = "<[{"
_LATER_FIRST = "TtFf"


def _stand_in(word: str) -> bool:
    return word in WORDS or (len(word) > 1 and set(word) == {"x"})


# ASCII text, where _WORD's words are _ASCII_WORD's and str.lower is ASCII case folding: whether
# every word is a stand-in, in one fullmatch. Each word is matched whole (the lookaheads end it
# where _WORD's greedy match ends); a stand-in that is no such word could never match anyway.
_A = "[A-Za-z0-9]"
_ASCII_WORD = re.compile(f"{_A}+(?:/{_A}+)?")
_ASCII_STAND_INS = re.compile(
    "(?:[^A-Za-z0-9]|{})*+".format(
        "|".join(
            [
                f"{re.escape(w)}(?!{_A}{'' if '/' in w else f'|/{_A}'})"
                for w in sorted(WORDS)
                if _ASCII_WORD.fullmatch(w) and w == w.lower()
            ]
            + [f"xx+(?!{_A}|/{_A})"]
        )
    ),
    re.IGNORECASE | re.ASCII,
)


def is_placeholder(text: str) -> bool:
    """Whether ``text`` is empty, only punctuation or symbols, a template slot such as
    ``<claim>``, only stand-in words such as TBD or xxx, or starts with TODO."""
    stripped = text.strip()
    if not stripped:
        return True
    first = stripped[0]
    if first in _TEMPLATE_FIRST and _TEMPLATE.match(stripped):
        return True
    # "TODO: check the figure" is a note to self, not the text
    if first in _LATER_FIRST and _LATER.match(stripped):
        return True
    # Text without a word (only punctuation, symbols, spaces) is all stand-in too.
    if stripped.isascii():  # one regex pass instead of a Python step a word
        return _ASCII_STAND_INS.fullmatch(stripped) is not None
    # The check stops at the first real word, so a claim costs a regex step or two.
    for m in _WORD.finditer(stripped):
        if not _stand_in(m.group().lower()):
            return False
    return True


def refuse_placeholder(what: str, text: str | None) -> None:
    """Raise InputError naming ``what`` (e.g. "the claim text") when ``text`` is a placeholder;
    ``None`` (not given) passes."""
    if text is not None and is_placeholder(text):
        raise InputError(
            f"{what} {text.strip()!r} looks like a placeholder: write the real words "
            "(nothing was written)"
        )
