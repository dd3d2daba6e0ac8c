"""The interactive adjudication session: each disagreement with every reviewer's vote beside it.

One card per proposal in the adjudication queue: the proposal, then one numbered line per
reviewer with their decision and, for an accept or edit, the claim, stance, actor and quote they
chose. A digit takes that reviewer's vote; ``e`` edits the proposal afresh, ``r`` rejects it,
``s`` skips, ``q`` quits. The adjudicator's decision is linked to the votes it resolves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.controls import visible
from ledger.errors import LedgerError
from ledger.review.editform import edit_in_editor
from ledger.review.screen import Screen
from ledger.review.settle import adjudicate, adjudication_queue
from ledger.store import Ledger


def vote_lines(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The card for one disagreement: the proposal, then each reviewer's vote, numbered."""
    p = item["proposal"]
    lines = [
        ("bold", f"{p['id']} ({p['source_id']})"),
        ("dim", visible(f"proposed: {p['claim']} — {p['stance']} by {p['actor']}", oneline=True)),
        ("dim", visible(f"quote: “{p['quote']}”", oneline=True)),
    ]
    for n, v in enumerate(item["votes"], start=1):
        if v["action"] == "reject":
            what = "reject" + (f" ({v['reason']})" if v["reason"] else "")
        else:
            what = f"{v['action']}: {v['claim']} — {v['stance']} by {v['actor']} — “{v['quote']}”"
        lines.append(("bold", visible(f"  {n} {v['reviewer']}: {what}", oneline=True)))
    return lines


class Adjudication:
    """One pass over the adjudication queue."""

    def __init__(self, ledger: Ledger, reviewer: str, screen: Screen,
                 editor: Callable[[str], str | None]):  # fmt: skip
        self.ledger, self.reviewer, self.screen, self.editor = ledger, reviewer, screen, editor
        self.queue = adjudication_queue(ledger)
        self.settled = 0

    def run(self) -> int:
        """Loop until the queue ends or the adjudicator quits; returns how many were settled."""
        notices: list[tuple[str, str]] = []
        i = 0
        while i < len(self.queue):
            item = self.queue[i]
            self.screen.card(notices, vote_lines(item))
            notices = []
            n = len(item["votes"])
            key = self.screen.key(f"[1-{n} take that vote / e edit / r reject / s skip / q quit] ")
            if key == "q":
                break
            if key == "s":
                i += 1
                continue
            try:
                out = self.act(key, item)
            except LedgerError as e:
                notices.append(("bold red", f"Error: {e}"))
                continue
            if out is None:
                notices.append(("dim", "not decided"))
                continue
            self.settled += 1
            notices.append(("green", out))
            i += 1
        if notices:
            self.screen.show(notices)
        return self.settled

    def act(self, key: str, item: dict[str, Any]) -> str | None:
        """Apply one key to one disagreement; what it did, or None."""
        pid, votes = item["proposal"]["id"], item["votes"]
        if key.isdigit() and 1 <= int(key) <= len(votes):
            pick = votes[int(key) - 1]["reviewer"]
            return adjudicate(self.ledger, pid, reviewer=self.reviewer, pick=pick).summary
        if key == "r":
            reason = self.screen.ask("Reason (optional)") or None
            out = adjudicate(self.ledger, pid, reviewer=self.reviewer, action="reject",
                             reason=reason)  # fmt: skip
            return out.summary
        if key == "e":
            edits = edit_in_editor(item["proposal"], self.editor)
            if edits is None:
                return None
            out = adjudicate(self.ledger, pid, reviewer=self.reviewer, action="accept",
                             edits=edits)  # fmt: skip
            return out.summary
        return None
