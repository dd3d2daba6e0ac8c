"""What a review card shows: the passage, the quote, the claim and its stance, the stances
proposed on it, and the similar claims already in the ledger."""

from __future__ import annotations

import re
from typing import Any

from ledger.claims import status_of
from ledger.controls import visible
from ledger.review import grouping
from ledger.review.screen import Screen, passage
from ledger.store import Ledger


class Cards:
    """Draws the card of one proposal; caches the source texts it shows."""

    def __init__(self, ledger: Ledger, screen: Screen):
        self.ledger, self.screen = ledger, screen
        self.texts: dict[str, dict[str, Any]] = {}

    def source(self, source_id: str) -> dict[str, Any]:
        """The source's id, title, path and text (cached for the session)."""
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
        # A retracted or superseded claim is no place to merge a stance into.
        active = {
            c
            for c in {r["claim_id"] for r in rows}
            if status_of(self.ledger, c)["status"] == "active"
        }
        candidates = {r["claim_id"]: r["text"] for r in rows if r["claim_id"] in active}
        hits = process.extract(
            claim, candidates, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=60
        )
        return [(key, text, score) for text, score, key in hits]

    def render(
        self, i: int, total: int, p: dict[str, Any], choices: dict[str, grouping.StanceChoice]
    ) -> list[tuple[str, str]]:
        """The card for proposal ``p``, the ``i``-th of ``total``; ``choices`` marks the listed
        stances the reviewer chose to reject or detach."""
        src = self.source(p["source_id"])
        flag = "" if p["anchoring"] == "exact" else f" [{p['anchoring'].upper()}"
        flag += f" {p['anchor_score']}]" if p["anchor_score"] is not None else ("]" if flag else "")
        who = p["proposer"] + (f" {p['model']} · prompt {p['prompt_name']}" if p["model"] else "")
        title = visible(src.get("title") or src.get("path") or "", oneline=True)
        quote = visible(p["quote"], oneline=True)
        lines = [
            ("bold", f"{self.screen.progress(i, total)}  {p['source_id']} — {title}"),
            ("dim", visible(f"proposed by {who}{flag}", oneline=True)),
        ]
        if p["start"] is not None:
            lines.append(
                (
                    "markup" if self.screen.color else "",
                    passage(src["text"], p["start"], p["end"], self.screen.color),
                )
            )
            if p["anchoring"] == "fuzzy":
                lines.append(("bold yellow", f"Quote (found only fuzzily: check it):  “{quote}”"))
            else:
                lines.append(("bold", f"Quote:  “{quote}”"))
        else:
            lines.append(("bold red", f"UNANCHORED quote (not in the source): “{quote}”"))
        lines += [
            ("bold", f"Claim:  {visible(p['claim'], oneline=True)}"),
            ("bold", visible(f"Stance: {p['stance']} by {p['actor']}", oneline=True)),
        ]
        if not grouping.is_checkable(p):
            lines.append(("bold magenta", f"[{grouping.NOT_CHECKABLE}]"))
        lines += self.render_group(p, choices)
        for n, (cid, text, score) in enumerate(self.similar(p["claim"]), start=1):
            lines.append(
                ("yellow", f"  similar {n}: {cid} ({score:.0f}) {visible(text, oneline=True)}")
            )
        return lines  # fmt: skip

    def render_group(
        self, p: dict[str, Any], choices: dict[str, grouping.StanceChoice]
    ) -> list[tuple[str, str]]:
        """The pending stance proposals linked to the card's claim, numbered, and the status
        summary accepting the card would make."""
        group = grouping.linked(self.ledger, p["id"])
        if not group:
            return []
        lines = [("bold", "Stances proposed on this claim (x N reject · d N detach):")]
        for n, s in enumerate(group, start=1):
            mark = {"reject": "  [REJECT]", "detach": "  [DETACH: a claim of its own]"}.get(
                choices.get(s["id"], "accept"), ""
            )
            flag = "" if grouping.is_checkable(s) else f"  [{grouping.NOT_CHECKABLE}]"
            if s["anchoring"] == "fuzzy":
                flag += f"  [FUZZY {s['anchor_score']}: confirm it]"
            lines.append((
                "cyan",
                visible(f"  {n}. {s['stance']} by {s['actor']} — “{s['quote']}”{mark}{flag}",
                        oneline=True),
            ))  # fmt: skip
        kept = [s for s in group if choices.get(s["id"], "accept") == "accept"]
        lines.append(("bold", visible(f"Summary: {grouping.summary_line(p, kept)}", oneline=True)))
        lines.append(("dim", "a, e and m decide the claim with every stance not marked x or d"))
        return lines
