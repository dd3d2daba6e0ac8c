"""The review screen's terminal: cards, keys, colour, and the highlighted passage.

With the interactive session (interactive.py) and the CLI, the only code that talks to the
terminal. Single keys when stdin is a terminal (else one line per key, so scripts and pipes can
drive it); colour and highlighting only when stdout is a terminal (else a visible ``>>> <<<``
around the quote); the screen is cleared between cards when stdout is a terminal. Every line
goes through ``visible``, so no text from an article, a model or a reviewer can send the
terminal an escape sequence.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ledger.controls import visible

CONTEXT_CHARS = 220
BAR_WIDTH = 24


class Screen:
    """Draws cards and reads keys; plain or rich, single-key or line-based."""

    def __init__(self, *, tty: bool, color: bool, clear: bool = False):
        self.tty, self.color, self.clear = tty, color, clear
        self.console: Any = None
        if color:
            from rich.console import Console

            self.console = Console(highlight=False)

    @classmethod
    def for_terminal(cls) -> Screen:
        """Decide from the real streams: keys from stdin being a terminal, colour, highlight and
        clearing from stdout being one. TERM=dumb gets neither; NO_COLOR turns colour off."""
        dumb = os.environ.get("TERM") == "dumb"
        out_tty = sys.stdout.isatty() and not dumb
        return cls(
            tty=sys.stdin.isatty() and not dumb,
            color=out_tty and not os.environ.get("NO_COLOR"),
            clear=out_tty,
        )

    def show(self, lines: list[tuple[str, str]]) -> None:
        """Print (style, text) lines; ``markup`` lines are rich markup (already escaped)."""
        for style, text in lines:
            text = visible(text)
            if self.console is not None:
                from rich.text import Text

                self.console.print(
                    Text.from_markup(text) if style == "markup" else Text(text, style=style)
                )
            else:
                click.echo(text)

    def card(self, notices: list[tuple[str, str]], lines: list[tuple[str, str]]) -> None:
        """A fresh screen: what the last key did, then the card."""
        if self.clear:
            click.clear()
        else:
            click.echo("")
        self.show([*notices, *lines])

    def key(self, prompt: str) -> str:
        """One key on a TTY, else the first character of a line; 'q' at end of input."""
        click.echo(prompt, nl=not self.tty)
        if self.tty:
            ch = click.getchar()
            click.echo(visible(ch))
            return ch
        line = sys.stdin.readline()
        return line.strip()[:1].lower() if line else "q"

    def ask(self, prompt: str) -> str:
        """A line of text (a reason, a choice)."""
        if self.tty:
            return str(click.prompt(prompt, default="", show_default=False))
        click.echo(prompt + ": ", nl=False)
        return sys.stdin.readline().strip()

    def progress(self, done: int, total: int) -> str:
        """``[3 / 10] ━━━━━━━──────────── 20%``: where this card is in the queue."""
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        on, off = ("━", "─") if self.color else ("#", "-")
        return f"[{done + 1} / {total}] {on * filled}{off * (BAR_WIDTH - filled)} " + (
            f"{100 * done // total}%" if total else ""
        )


def passage(text: str, start: int, end: int, color: bool) -> str:
    """The quote inside its surrounding passage: highlighted in colour, else between >>> <<<."""
    a, b = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    before, quote, after = (visible(x) for x in (text[a:start], text[start:end], text[end:b]))
    lead, tail = ("…" if a else ""), ("…" if b < len(text) else "")
    if color:
        from rich.markup import escape

        return f"{lead}{escape(before)}[reverse bold]{escape(quote)}[/]{escape(after)}{tail}"
    return f"{lead}{before}>>>{quote}<<<{after}{tail}"
