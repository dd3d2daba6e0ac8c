"""The interactive review screen: one key per decision, in the spirit of Prodigy.

This module (with cli.py) is the only one that talks to the terminal. On a TTY it reads single
keys (click.getchar) and draws with rich; with NO_COLOR or TERM=dumb it draws plain text; when
stdin is not a TTY it reads one line per key (and one for a reason or a choice), so scripts and
pipes can drive it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.errors import LedgerError
from ledger.models import Stance
from ledger.review.decisions import decide, get_proposal, pending, undo_last
from ledger.store import Ledger

HELP = (
    "a accept · e edit · r reject · s skip · m merge into a similar claim · u undo · q quit · "
    "? help"
)
CONTEXT_CHARS = 220


class EditForm(BaseModel):
    """What a reviewer may change in $EDITOR."""

    model_config = ConfigDict(extra="forbid")

    claim: str
    actor: str
    stance: Stance
    quote: str


@dataclass
class Summary:
    """What a review session did."""

    decided: dict[str, int] = field(default_factory=dict)
    remaining: int = 0


class Screen:
    """Draws proposals and reads keys; plain or rich, single-key or line-based."""

    def __init__(self, *, tty: bool, color: bool):
        self.tty, self.color = tty, color
        self.console: Any = None
        if color:
            from rich.console import Console

            self.console = Console(highlight=False)

    def show(self, lines: list[tuple[str, str]]) -> None:
        """Print (style, text) lines."""
        for style, text in lines:
            if self.console is not None:
                from rich.text import Text

                self.console.print(
                    Text.from_markup(text) if style == "markup" else Text(text, style=style)
                )
            else:
                click.echo(text)

    def key(self, prompt: str) -> str:
        """One key on a TTY, else the first character of a line; 'q' at end of input."""
        click.echo(prompt, nl=not self.tty)
        if self.tty:
            ch = click.getchar()
            click.echo(ch)
            return ch
        line = sys.stdin.readline()
        return line.strip()[:1].lower() if line else "q"

    def ask(self, prompt: str) -> str:
        """A line of text (a reason, a choice)."""
        if self.tty:
            return str(click.prompt(prompt, default="", show_default=False))
        click.echo(prompt + ": ", nl=False)
        return sys.stdin.readline().strip()


def passage(text: str, start: int, end: int, color: bool) -> str:
    """The quote inside its surrounding passage, highlighted."""
    a, b = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    before, quote, after = text[a:start], text[start:end], text[end:b]
    lead, tail = ("…" if a else ""), ("…" if b < len(text) else "")
    if color:
        from rich.markup import escape

        return f"{lead}{escape(before)}[reverse bold]{escape(quote)}[/]{escape(after)}{tail}"
    return f"{lead}{before}>>>{quote}<<<{after}{tail}"


def edit_in_editor(p: dict[str, Any], editor: Callable[[str], str | None]) -> dict[str, str] | None:
    """Open the proposal as YAML in $EDITOR until it is valid; None if the reviewer cancels."""
    form = {k: p[k] for k in ("claim", "actor", "stance", "quote")}
    text = yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)
    error = ""
    while True:
        header = "# Edit the proposal; the quote must be the source's exact words.\n"
        header += "# Save an empty file to cancel.\n" + (f"# Error: {error}\n" if error else "")
        edited = editor(header + text)
        if edited is None or not edited.strip() or edited.strip() == header.strip():
            return None
        try:
            data = yaml.safe_load(edited)
            return EditForm.model_validate(data).model_dump()
        except (yaml.YAMLError, ValidationError) as e:
            error = (
                str(e).splitlines()[0]
                if isinstance(e, yaml.YAMLError)
                else (
                    "; ".join(
                        f"{'.'.join(map(str, x['loc'])) or 'form'}: {x['msg']}" for x in e.errors()
                    )
                )
            )
            text = (
                "\n".join(line for line in edited.splitlines() if not line.startswith("# ")) + "\n"
            )


class Review:
    """One review session over the pending proposals."""

    def __init__(self, ledger: Ledger, source_ids: list[str] | None, reviewer: str, screen: Screen,
                 editor: Callable[[str], str | None]):  # fmt: skip
        self.ledger, self.reviewer, self.screen, self.editor = ledger, reviewer, screen, editor
        self.source_ids = source_ids
        self.queue = pending(ledger, source_ids)
        self.total = len(self.queue)
        self.texts: dict[str, dict[str, Any]] = {}
        self.summary = Summary()

    def source(self, source_id: str) -> dict[str, Any]:
        if source_id not in self.texts:
            self.texts[source_id] = (
                self.ledger.one(
                    "SELECT id, title, path, text FROM sources WHERE id = ?", [source_id]
                )
                or {}
            )
        return self.texts[source_id]

    def similar(self, claim: str) -> list[tuple[str, str, float]]:
        """Existing claims that look like the same claim: candidates from the full-text index
        (bm25, so this stays fast at any ledger size), ranked by rapidfuzz token-set ratio >= 60."""
        from rapidfuzz import fuzz, process

        words = list(dict.fromkeys(w for w in re.findall(r"\w+", claim.lower()) if len(w) > 3))
        if not words:
            return []
        rows = self.ledger.all(
            "SELECT v.claim_id, v.text FROM claim_versions_fts f "
            "JOIN claim_versions v ON v.rowid = f.rowid WHERE claim_versions_fts MATCH ? "
            "ORDER BY rank LIMIT 40",
            [" OR ".join(f'"{w}"' for w in words[:16])],
        )
        candidates = {r["claim_id"]: r["text"] for r in rows}
        hits = process.extract(
            claim, candidates, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=60
        )
        return [(key, text, score) for text, score, key in hits]

    def render(self, i: int, p: dict[str, Any]) -> list[tuple[str, str]]:
        """The screen for one proposal."""
        src = self.source(p["source_id"])
        flag = "" if p["anchoring"] == "exact" else f" [{p['anchoring'].upper()}"
        flag += f" {p['anchor_score']}]" if p["anchor_score"] is not None else ("]" if flag else "")
        who = p["proposer"] + (f" {p['model']} · prompt {p['prompt_name']}" if p["model"] else "")
        title = src.get("title") or src.get("path")
        lines = [
            ("bold", f"[{i + 1} / {self.total}]  {p['source_id']} — {title}"),
            ("dim", f"proposed by {who}{flag}"),
        ]
        if p["start"] is not None:
            lines.append(
                (
                    "markup" if self.screen.color else "",
                    passage(src["text"], p["start"], p["end"], self.screen.color),
                )
            )
        else:
            lines.append(("bold red", f"UNANCHORED quote (not in the source): “{p['quote']}”"))
        lines += [
            ("bold", f"Claim:  {p['claim']}"),
            ("bold", f"Stance: {p['stance']} by {p['actor']}"),
        ]
        for n, (cid, text, score) in enumerate(self.similar(p["claim"]), start=1):
            lines.append(("yellow", f"  similar {n}: {cid} ({score:.0f}) {text}"))
        return lines  # fmt: skip

    def run(self) -> Summary:
        """Loop until the reviewer quits; at the end of the queue the last decision can still
        be undone."""
        i, p = 0, {}
        while i >= 0:
            if i < len(self.queue):
                self.screen.show([("", ""), *self.render(i, p := self.queue[i])])
                key = self.screen.key("[a/e/r/s/m/u/q/?] ")
            else:
                self.screen.show([("bold", f"End of the queue ({self.total} proposals).")])
                key = self.screen.key("[u undo the last decision / q quit] ")
                if key != "u":
                    break
            try:
                i = self.act(key, i, p)
            except LedgerError as e:
                self.screen.show([("bold red", f"Error: {e}")])
        self.summary.remaining = len(pending(self.ledger, self.source_ids))
        return self.summary

    def count(self, action: str) -> None:
        self.summary.decided[action] = self.summary.decided.get(action, 0) + 1

    def act(self, key: str, i: int, p: dict[str, Any]) -> int:
        """Apply one key; returns the next index (-1 to quit)."""
        if key == "q":
            return -1
        if key == "s":
            return i + 1
        if key == "a":
            out = decide(self.ledger, p["id"], "accept", reviewer=self.reviewer)
        elif key == "r":
            reason = self.screen.ask("Reason (optional)") or None
            out = decide(self.ledger, p["id"], "reject", reviewer=self.reviewer, reason=reason)
        elif key == "e":
            edits = edit_in_editor(p, self.editor)
            if edits is None:
                self.screen.show([("dim", "edit cancelled")])
                return i
            out = decide(self.ledger, p["id"], "edit", reviewer=self.reviewer, edits=edits)
        elif key == "m":
            hits = self.similar(p["claim"])
            if not hits:
                self.screen.show([("dim", "no similar claim to merge into")])
                return i
            choice = self.screen.ask(f"Merge into which similar claim (1-{len(hits)})") or "1"
            if not choice.isdigit() or not 1 <= int(choice) <= len(hits):
                return i
            target = hits[int(choice) - 1][0]
            out = decide(self.ledger, p["id"], "merge", reviewer=self.reviewer, merge_into=target)
        elif key == "u":
            undone = undo_last(self.ledger, reviewer=self.reviewer, source_ids=self.source_ids)
            self.count("undo")
            self.screen.show([("yellow", f"undone: {undone.claim_id or 'rejection'}")])
            back = next(
                (k for k, q in enumerate(self.queue[:i]) if q["id"] == undone.proposal_id), None
            )
            if back is not None:
                return back
            # Decided in an earlier session: bring the proposal back into this one.
            self.queue.insert(i, get_proposal(self.ledger, str(undone.proposal_id)))
            self.total += 1
            return i
        else:
            self.screen.show([("", HELP)])
            return i
        self.count(out.action)
        self.screen.show([("green", f"{out.action}: {out.claim_id or p['id']}")])
        return i + 1  # fmt: skip
