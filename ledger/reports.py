"""Citations in reports: cite a claim, check a report's citations, render footnotes.

The citation syntax in Markdown is the claim ID in square brackets: ``[FL-7K2QH9]`` cites the
current version, ``[FL-7K2QH9@2]`` pins version 2; a citation may also be a link,
``[FL-7K2QH9](https://…)``, as ``cite`` prints it. ``check`` flags citations that are unknown,
retracted, superseded (naming the successor), pinned to an older version than the current one,
or malformed (a near miss such as ``[fl-7k2qh9]``). ``render`` refuses a report with any of these
unless asked to mark them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

from ledger import citations
from ledger.controls import json_escaped, visible_all
from ledger.errors import InputError, NotFound
from ledger.store import Ledger
from ledger.views import get_claim

DEFAULT_BASE_URL = "http://127.0.0.1:8001"
FORMATS = ("markdown", "text", "json")


def base_url(explicit: str | None = None) -> str:
    """Where claim permalinks live: ``--base-url``, FACTLEDGER_BASE_URL, or the local server."""
    return (explicit or os.environ.get("FACTLEDGER_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def permalink(ref: str, base: str | None = None) -> str:
    """The claim's page, e.g. ``http://127.0.0.1:8001/claims/FL-7K2QH9@2``."""
    # Quoted so that it stays one URL inside Markdown, whatever the configured base holds.
    return quote(f"{base_url(base)}/claims/{ref}", safe=":/?#@!$&'*+,;=%~")


def citation_data(ledger: Ledger, ref: str, base: str | None = None) -> dict[str, Any]:
    """Everything a citation shows, as a dict."""
    c = get_claim(ledger, ref)
    first = c["stance_events"][0] if c["stance_events"] else None
    src = ledger.one("SELECT * FROM sources WHERE id = ?", [c["span"]["source_id"]]) or {}
    head = ledger.head()
    pinned = "@" in ref
    return {
        "id": c["id"],
        "ref": c["ref"] if pinned else c["id"],
        "version": c["version"],
        "claim": c["text"],
        "status": c["status"],
        "superseded_by": c["superseded_by"],
        "stance_summary": c["stance_summary"],
        "verdict": c["verdict"],
        "quote": (first or c["span"])["quote"],
        "source": {k: src.get(k) for k in ("id", "title", "publisher", "published", "url", "path")},
        "permalink": permalink(c["ref"] if pinned else c["id"], base),
        "ledger_head": {"entries": head.count, "hash": head.hash},
        "checkpoint": _latest_checkpoint(ledger),
    }


def _latest_checkpoint(ledger: Ledger) -> dict[str, Any] | None:
    """The newest signed checkpoint (origin, size, root), to quote beside the head."""
    import sqlite3

    try:
        row = ledger.one(
            "SELECT origin, tree_size, root_hash FROM checkpoints ORDER BY seq DESC LIMIT 1"
        )
    except sqlite3.OperationalError:  # a ledger from before checkpoints
        return None
    return row


# ASCII punctuation that means something in CommonMark; a backslash before any of it is valid.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#!])")


def md_escape(text: str) -> str:
    """``text`` as literal Markdown on one line: no emphasis, link, HTML or code from it."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def cite(ledger: Ledger, ref: str, fmt: str = "markdown", base: str | None = None) -> str:
    """A ready-to-paste citation of a claim in ``markdown``, ``text`` or ``json``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    d = citation_data(ledger, ref, base)
    if fmt == "json":
        return json_escaped(json.dumps(d, indent=2, ensure_ascii=False))
    d = visible_all(d)  # text from articles, models and reviewers: no terminal escapes
    if fmt == "text":
        return _text(d)
    status = "" if d["status"] == "active" else f" **{d['status'].upper()}**"
    e = md_escape
    return (
        f"[{d['ref']}]({d['permalink']}){status}: {e(d['claim'])} — *{e(d['stance_summary'])}*; "
        f"verdict: **{e(d['verdict'])}**. “{e(d['quote'])}” — {e(_where(d))}. ({_head(d)})"
    )


def _where(d: dict[str, Any]) -> str:
    s = d["source"]
    return ", ".join(
        x for x in (s["title"] or s["path"], s["publisher"], s["published"], s["url"]) if x
    )


def _head(d: dict[str, Any]) -> str:
    # 32 hex characters (128 bits): short enough to paste, too long to forge a matching entry.
    head = f"ledger head {d['ledger_head']['entries']} {d['ledger_head']['hash'][:32]}"
    cp = d.get("checkpoint")
    if cp:
        head += f"; signed checkpoint {cp['origin']} {cp['tree_size']}"
    return head


def _text(d: dict[str, Any]) -> str:
    status = "" if d["status"] == "active" else f" [{d['status'].upper()}]"
    return (
        f"{d['ref']}{status}: {d['claim']} — {d['stance_summary']}; verdict: {d['verdict']}. "
        f"“{d['quote']}” ({_where(d)}). {d['permalink']} ({_head(d)})"
    )


@dataclass
class Cited:
    """One citation in a report and what the ledger says about it."""

    ref: str
    state: str  # ok | unknown | retracted | superseded | outdated | malformed
    detail: str
    line: int


class CitationProblems(InputError):
    """A report cites claims that are unknown, withdrawn, outdated or malformed."""

    def __init__(self, problems: list[Cited]) -> None:
        self.problems = problems
        listed = "; ".join(f"line {c.line}: {c.ref}: {c.state}" for c in problems[:5])
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} citations with problems ({listed}{more})")


def check(ledger: Ledger, text: str) -> list[Cited]:
    """Every citation in ``text`` with its state, in order of appearance (repeats included)."""
    return [_state(ledger, f) for f in citations.find(text)]


def _state(ledger: Ledger, f: citations.Found) -> Cited:
    ref, line = f.ref, f.line
    if f.problem:
        return Cited(ref, "malformed", f.problem, line)
    try:
        c = get_claim(ledger, ref)
    except NotFound as e:
        return Cited(ref, "unknown", str(e), line)
    if c["status"] == "retracted":
        return Cited(ref, "retracted", c["status_reason"] or "retracted", line)
    if c["status"] == "superseded":
        return Cited(ref, "superseded", f"superseded by {c['superseded_by']}", line)
    if "@" in ref and c["version"] < c["current_version"]:
        return Cited(ref, "outdated", f"current version is {c['id']}@{c['current_version']}", line)
    return Cited(ref, "ok", c["stance_summary"], line)


def check_report(ledger: Ledger, text: str) -> tuple[bool, list[dict[str, Any]]]:
    """Whether every citation is ok, and the list of citations as dicts."""
    cited = check(ledger, text)
    return all(c.state == "ok" for c in cited), [asdict(c) for c in cited]


# After a citation: an inline link ``(url "title")`` or a reference label ``[label]``, which the
# footnote mark must follow so the link stays whole. Not a footnote ``[^n]``.
_LINK_TAIL = re.compile(
    r"""\((?:[^()\s]|\([^()\s]*\))*+(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\)|\[(?!\^)[^\]\n]*\]"""
)
# A link reference definition, ``[label]: url "title"``: no footnote mark may go into one.
_DEFINITION = re.compile(
    r" {0,3}\[([^\]]+)\]:[ \t]*(?:<[^>\n]*>|\S+)"  # [label]: destination
    r"""(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t\r]*$"""  # "title"
)


def render(
    ledger: Ledger, text: str, base: str | None = None, *, allow_problems: bool = False
) -> str:
    """The report with a numbered footnote per cited claim and the ledger head at the end.

    Raises CitationProblems, and renders nothing, if any citation is not ok, unless
    ``allow_problems``: then each such footnote starts with what is wrong.
    """
    found = list(citations.find(text))
    states = [_state(ledger, f) for f in found]
    problems = [c for c in states if c.state != "ok"]
    if problems and not allow_problems:
        raise CitationProblems(problems)
    numbers: dict[str, int] = {}
    notes: list[str] = []
    marks: dict[int, list[tuple[int, int]]] = {}  # line -> (end of citation, footnote number)
    for f, c in zip(found, states, strict=True):
        if f.ref not in numbers:
            numbers[f.ref] = len(numbers) + 1
            notes.append(f"[^{numbers[f.ref]}]: {_note(ledger, c, base)}")
        marks.setdefault(f.line, []).append((f.end, numbers[f.ref]))
    lines = citations.lines(text)
    defined = {m.group(1).upper() for m in map(_DEFINITION.match, lines) if m}
    for i, ends in marks.items():
        if not _DEFINITION.match(lines[i - 1]):
            lines[i - 1] = _mark_line(lines[i - 1], ends, defined)
    body = "\n".join(lines).rstrip("\n")
    head = ledger.head()
    footer = f"Claims checked against factledger head {head.hash} ({head.count} entries)."
    return body + "\n\n" + "\n".join(notes) + ("\n\n" if notes else "") + footer + "\n"


def _mark_line(line: str, ends: list[tuple[int, int]], defined: set[str]) -> str:
    out, at = [], 0
    for end, n in ends:
        tail = _LINK_TAIL.match(line, end)
        cut = tail.end() if tail else end
        # A shortcut reference link ``[FL-…]`` followed by ``[^n]`` would stop being a link.
        keep = "[]" if not tail and _label(line, end) in defined else ""
        out.append(line[at:cut] + f"{keep}[^{n}]")
        at = cut
    return "".join(out) + line[at:]


def _label(line: str, end: int) -> str:
    return line[line.rindex("[", 0, end) + 1 : end - 1].upper()


def _note(ledger: Ledger, c: Cited, base: str | None) -> str:
    if c.state == "ok":
        return _note_text(citation_data(ledger, c.ref, base))
    problem = f"**{c.state.upper()}:**"
    if c.state in ("unknown", "malformed"):
        return f"{problem} `{c.ref.replace('`', '')}`: {md_escape(c.detail)}."
    return f"{problem} {md_escape(c.detail)}. {_note_text(citation_data(ledger, c.ref, base))}"


def _note_text(d: dict[str, Any]) -> str:
    e = md_escape
    return (
        f"{d['ref']}: {e(d['claim'])} — {e(d['stance_summary'])}; verdict: {e(d['verdict'])}. "
        f"“{e(d['quote'])}” ({e(_where(d))}). <{d['permalink']}> ({_head(d)})"
    )
