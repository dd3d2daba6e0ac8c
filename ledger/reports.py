"""Citations in reports: cite a claim, check a report's citations, render footnotes.

The citation syntax in Markdown is the claim ID in square brackets: ``[FL-7K2QH9]`` cites the
current version, ``[FL-7K2QH9@2]`` pins version 2. ``check`` flags citations that are unknown,
retracted, superseded (naming the successor) or pinned to an older version than the current one.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from typing import Any

from ledger.controls import json_escaped, visible_all
from ledger.errors import InputError, NotFound
from ledger.ids import ALPHABET, CLAIM_LEN, CLAIM_PREFIX
from ledger.store import Ledger
from ledger.views import get_claim

CITATION = re.compile(rf"\[({CLAIM_PREFIX}[{ALPHABET}]{{{CLAIM_LEN}}}(?:@[1-9][0-9]*)?)\]")
DEFAULT_BASE_URL = "http://127.0.0.1:8001"
FORMATS = ("markdown", "text", "json")


def base_url(explicit: str | None = None) -> str:
    """Where claim permalinks live: ``--base-url``, FACTLEDGER_BASE_URL, or the local server."""
    return (explicit or os.environ.get("FACTLEDGER_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def permalink(ref: str, base: str | None = None) -> str:
    """The claim's page, e.g. ``http://127.0.0.1:8001/claims/FL-7K2QH9@2``."""
    return f"{base_url(base)}/claims/{ref}"


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
    }


def cite(ledger: Ledger, ref: str, fmt: str = "markdown", base: str | None = None) -> str:
    """A ready-to-paste citation of a claim in ``markdown``, ``text`` or ``json``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    d = citation_data(ledger, ref, base)
    if fmt == "json":
        return json_escaped(json.dumps(d, indent=2, ensure_ascii=False))
    d = visible_all(d)  # text from articles, models and reviewers: no terminal escapes
    s = d["source"]
    where = ", ".join(
        x for x in (s["title"] or s["path"], s["publisher"], s["published"], s["url"]) if x
    )
    status = "" if d["status"] == "active" else f" [{d['status'].upper()}]"
    # 32 hex characters (128 bits): short enough to paste, too long to forge a matching entry.
    head = f"ledger head {d['ledger_head']['entries']} {d['ledger_head']['hash'][:32]}"
    if fmt == "text":
        return (
            f"{d['ref']}{status}: {d['claim']} — {d['stance_summary']}; verdict: {d['verdict']}. "
            f"“{d['quote']}” ({where}). {d['permalink']} ({head})"
        )
    return (
        f"[{d['ref']}]({d['permalink']}){status}: {d['claim']} — *{d['stance_summary']}*; "
        f"verdict: **{d['verdict']}**. > “{d['quote']}” — {where}. ({head})"
    )


@dataclass
class Cited:
    """One citation in a report and what the ledger says about it."""

    ref: str
    state: str  # ok | unknown | retracted | superseded | outdated
    detail: str
    line: int


def check(ledger: Ledger, text: str) -> list[Cited]:
    """Every citation in ``text`` with its state, in order of appearance (repeats included)."""
    results = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in CITATION.finditer(line):
            results.append(_state(ledger, m.group(1), lineno))
    return results


def _state(ledger: Ledger, ref: str, line: int) -> Cited:
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


def render(ledger: Ledger, text: str, base: str | None = None) -> str:
    """The report with a numbered footnote per cited claim and the ledger head at the end."""
    numbers: dict[str, int] = {}

    def mark(m: re.Match[str]) -> str:
        ref = m.group(1)
        numbers.setdefault(ref, len(numbers) + 1)
        return f"{m.group(0)}[^{numbers[ref]}]"

    body = CITATION.sub(mark, text).rstrip("\n")
    notes = []
    for ref, n in numbers.items():
        try:
            notes.append(f"[^{n}]: {cite(ledger, ref, 'text', base)}")
        except NotFound:
            notes.append(f"[^{n}]: {ref}: not in this ledger.")
    head = ledger.head()
    footer = f"Claims checked against factledger head {head.hash} ({head.count} entries)."
    return body + "\n\n" + "\n".join(notes) + ("\n\n" if notes else "") + footer + "\n"
