"""Control and invisible formatting characters: find them (to refuse) and show them (to display).

An article, a model's answer or a review file can carry characters a terminal acts on instead of
showing: ``ESC [8m`` conceals what follows, a carriage return or backspaces overwrite it, and the
bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder it. A reviewer who
cannot see half a claim must not be asked to accept it. ``find_control`` finds the first such
character (ingest refuses it); ``visible`` turns every one of them, and the invisible format
characters (zero-width space, soft hyphen, BOM, ...) too, into printable marks for the screen.

Refused: C0 controls except tab and newline, DEL, C1 controls, and the bidi embeddings,
overrides and isolates. Only shown, not refused: the other invisible format characters
(Unicode category Cf, U+2028/U+2029), because real articles carry them (a zero-width space in
web copy, a soft hyphen, a right-to-left mark in Arabic or Hebrew text). Zero-width joiner and
non-joiner are left alone: they shape Persian words and emoji, and hide nothing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_JOINERS = frozenset("\u200c\u200d")
_C0_NAMES = {"\x1b": "ESCAPE", "\x7f": "DELETE", "\r": "CARRIAGE RETURN", "\x08": "BACKSPACE"}


def is_refused(ch: str) -> bool:
    """A control character a terminal would act on, or a bidi override or isolate."""
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n") or 0x7F <= o <= 0x9F or ch in BIDI_CONTROLS


def _hidden(ch: str) -> bool:
    """Refused, or an invisible format character or line separator worth showing."""
    if is_refused(ch):
        return True
    if ch in _JOINERS or ord(ch) < 0xA0:
        return False
    return unicodedata.category(ch) in ("Cf", "Zl", "Zp")


def find_control(text: str) -> tuple[int, str] | None:
    """The offset and character of the first refused character in ``text``, or None."""
    for i, ch in enumerate(text):
        if is_refused(ch):
            return i, ch
    return None


def name(ch: str) -> str:
    """``U+001B`` with a readable name where Unicode has one: ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    label = unicodedata.name(ch, "") or _C0_NAMES.get(ch, "control")
    return f"U+{ord(ch):04X} {label}"


def where(text: str, offset: int) -> str:
    """``line 3, column 14 (offset 120)`` for an offset into ``text`` (1-based line and column)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column} (offset {offset})"


def describe(text: str) -> str | None:
    """One phrase naming the first refused character and where it is, or None if there is none."""
    found = find_control(text)
    if found is None:
        return None
    offset, ch = found
    return f"control character {name(ch)} at {where(text, offset)}"


def _mark(ch: str, oneline: bool) -> str:
    o = ord(ch)
    if ch == "\n":
        return "␤" if oneline else ch
    if ch == "\t":
        return "␉" if oneline else ch
    if o < 0x20:
        return chr(0x2400 + o)  # the Control Pictures block: ESC -> ␛
    if o == 0x7F:
        return "␡"
    return f"⟨U+{o:04X}⟩"


def visible(text: str, *, oneline: bool = False) -> str:
    """``text`` with every control, bidi and invisible format character shown as a printable
    mark (ESC as ␛, U+202E as ⟨U+202E⟩). Tabs and newlines stay, unless ``oneline``, where they
    become ␉ and ␤ so a field cannot fake another line on the screen."""

    def shown(c: str) -> bool:
        return _hidden(c) or (oneline and c in "\t\n")

    if not any(shown(c) for c in text):
        return text
    return "".join(_mark(c, oneline) if shown(c) else c for c in text)


def visible_all(data: Any) -> Any:
    """``visible`` applied to every string in a dict, list or string (for a display)."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {k: visible_all(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [visible_all(v) for v in data]
    return data
