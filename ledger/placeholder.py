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


def is_placeholder(text: str) -> bool:
    """Whether ``text`` is empty, only punctuation or symbols, a template slot such as
    ``<claim>``, only stand-in words such as TBD or xxx, or starts with TODO."""
    stripped = text.strip()
    if not stripped or _TEMPLATE.match(stripped):
        return True
    if _LATER.match(stripped):  # "TODO: check the figure" is a note to self, not the text
        return True
    # Text without a word (only punctuation, symbols, spaces) is all stand-in too: the check
    # stops at the first real word, so a claim costs one regex step, not a look at every char.
    return all(_stand_in(m.group().lower()) for m in _WORD.finditer(stripped))


def _stand_in(word: str) -> bool:
    return word in WORDS or (len(word) > 1 and set(word) == {"x"})


def refuse_placeholder(what: str, text: str | None) -> None:
    """Raise InputError naming ``what`` (e.g. "the claim text") when ``text`` is a placeholder;
    ``None`` (not given) passes."""
    if text is not None and is_placeholder(text):
        raise InputError(
            f"{what} {text.strip()!r} looks like a placeholder: write the real words "
            "(nothing was written)"
        )
