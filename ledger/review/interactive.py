"""The interactive review session: one card per proposal, one key per decision (as Prodigy).

The terminal itself (keys, colour, clearing, the highlighted passage) is in screen.py, what a
card shows in cards.py, the $EDITOR form in editform.py, a grouped card's keys in groupkeys.py.
What the last key did is shown at the top of the next card. A proposal anchored only fuzzily is
accepted or merged only once the reviewer confirms the source's words (or edits them). A claim
proposal with stances proposed on it is one card: ``a``, ``e`` and ``m`` decide the claim and
every listed stance together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.controls import visible
from ledger.errors import LedgerError
from ledger.review import grouping
from ledger.review.cards import Cards
from ledger.review.decisions import Outcome, get_proposal, pending, undo_last
from ledger.review.editform import EditForm, edit_in_editor
from ledger.review.groupkeys import GroupKeys
from ledger.review.screen import Screen
from ledger.review.settle import queue as pending_for
from ledger.review.settle import record as decide
from ledger.store import Ledger

__all__ = ["GROUP_HELP", "HELP", "EditForm", "Review", "Screen", "Summary", "edit_in_editor"]

HELP = (
    "a accept · e edit · r reject · s skip · m merge into a similar claim · u undo · q quit · "
    "? help"
)
GROUP_HELP = (
    "With stances listed under the claim: a accepts the claim and every listed stance (one "
    "claim, one stance event each); e edits the claim, then accepts it with them; m merges the "
    "claim and them into a similar claim · x N reject stance N · d N detach stance N (a claim "
    "of its own) · pressing x or d again on the same N restores it · r rejects the claim only "
    "(its stances get cards of their own) · u undoes the whole group"
)
VOTED = 0  # an undo step that was votes: nothing u can take back
VOTE_AGAIN = (
    "a vote is not undone: until the others have voted, vote again with "
    "'factledger decide PROPOSAL accept|reject'"
)


@dataclass
class Summary:
    """What a review session did."""

    decided: dict[str, int] = field(default_factory=dict)
    remaining: int = 0


class Review(GroupKeys):
    """One review session over the pending proposals."""

    def __init__(self, ledger: Ledger, source_ids: list[str] | None, reviewer: str, screen: Screen,
                 editor: Callable[[str], str | None]):  # fmt: skip
        self.ledger, self.reviewer, self.screen, self.editor = ledger, reviewer, screen, editor
        self.source_ids = source_ids
        self.cards = Cards(ledger, screen)
        # In team review, the reviewer's own queue; each decision may be a vote (settle.py).
        # A claim proposal's linked stances are shown on its card, not as cards of their own.
        mine = {p["id"] for p in pending_for(ledger, reviewer, source_ids)}
        self.queue = [
            head for head, _ in grouping.grouped_queue(ledger, source_ids) if head["id"] in mine
        ]
        # Per card: what the reviewer chose for each listed stance (x reject, d detach).
        self.choices: dict[str, grouping.StanceChoice] = {}
        self.undo_sizes: list[int] = []  # decisions per step, so u undoes a group as one
        self.total = len(self.queue)
        self.summary = Summary()
        self.notices: list[tuple[str, str]] = []

    def similar(self, claim: str) -> list[tuple[str, str, float]]:
        """Existing active claims that look like ``claim`` (see Cards.similar)."""
        return self.cards.similar(claim)

    def render(self, i: int, p: dict[str, Any]) -> list[tuple[str, str]]:
        """The card for one proposal."""
        return self.cards.render(i, self.total, p, self.choices)

    def note(self, style: str, text: str) -> None:
        """Something to tell the reviewer at the top of the next card."""
        self.notices.append((style, text))

    def run(self) -> Summary:
        """Loop until the reviewer quits; at the end of the queue the last decision can still
        be undone."""
        i, p = 0, dict[str, Any]()
        while i >= 0:
            notices, self.notices = self.notices, []
            if i < len(self.queue) and self.waits_for_its_claim(self.queue[i]):
                self.notices = notices
                i += 1
                continue
            if i < len(self.queue):
                if self.queue[i] is not p:
                    self.choices = {}
                self.screen.card(notices, self.render(i, p := self.queue[i]))
                grouped = bool(grouping.linked(self.ledger, p["id"]))
                key = self.screen.key("[a/e/r/s/m/x/d/u/q/?] " if grouped else "[a/e/r/s/m/u/q/?] ")
            else:
                end = f"End of the queue ({self.total} proposals)."
                self.screen.card(notices, [("bold", end)])
                key = self.screen.key("[u undo the last decision / q quit] ")
                if key != "u":
                    break
            try:
                i = self.act(key, i, p)
            except LedgerError as e:
                self.note("bold red", f"Error: {e}")
        if self.notices:
            self.screen.show(self.notices)
        self.summary.remaining = len(pending_for(self.ledger, self.reviewer, self.source_ids))
        return self.summary

    def waits_for_its_claim(self, p: dict[str, Any]) -> bool:
        """A stance proposal whose claim proposal is pending again is shown under that card."""
        on = p.get("stance_on")
        return bool(on) and any(q["id"] == on for q in pending(self.ledger, self.source_ids))

    def count(self, action: str) -> None:
        self.summary.decided[action] = self.summary.decided.get(action, 0) + 1

    def confirm_fuzzy(self, p: dict[str, Any]) -> str:
        """For a quote found only fuzzily: 'y' (the reviewer confirms the source's words), 'e'
        (edit them) or '' (back to the card)."""
        stance = visible(f"{p['stance']} by {p['actor']}", oneline=True)
        self.screen.show([
            ("bold yellow", f"The quote was found only fuzzily (score {p['anchor_score']}). "
                            "The source's words are:"),
            ("bold", f"  “{visible(p['quote'], oneline=True)}”"),
            ("bold yellow", f"Do they show “{stance}”?"),
        ])  # fmt: skip
        key = self.screen.key("[y confirm the quote / e edit it / any other key: back] ")
        return key if key in ("y", "e") else ""

    def confirm_stances(
        self, group: list[dict[str, Any]], stance_edits: dict[str, dict[str, str]]
    ) -> set[str] | None:
        """The listed stances found only fuzzily whose quotes the reviewer confirms, each asked
        in turn (an edited quote is anchored as exact words instead); None at the first one
        not confirmed: nothing is decided."""
        confirmed = set()
        for n, s in enumerate(group, start=1):
            kept = stance_edits.get(s["id"], {}).get("quote", s["quote"]) == s["quote"]
            chosen = self.choices.get(s["id"], "accept") != "reject"
            if not (chosen and kept and s["anchoring"] == "fuzzy"):
                continue
            if self.confirm_fuzzy(s) != "y":
                self.note("dim", f"not decided: stance {n}'s fuzzily found quote was not "
                                 f"confirmed (e edits it, x {n} rejects it)")  # fmt: skip
                return None
            confirmed.add(s["id"])
        return confirmed

    def step(self, outs: list[Outcome]) -> None:
        """Remember one key's decisions for u: a vote (or a settlement, which is the team's)
        is not the reviewer's own decision to undo."""
        mine = all(o.action != "voted" and not o.summary.startswith("settled") for o in outs)
        self.undo_sizes.append(len(outs) if mine else VOTED)

    def undo(self, i: int) -> int:
        size = self.undo_sizes[-1] if self.undo_sizes else 1
        if size == VOTED:
            self.note("yellow", VOTE_AGAIN)
            return i
        self.undo_sizes[-1:] = []
        if size > 1:
            outs = grouping.undo_group(
                self.ledger, size, reviewer=self.reviewer, source_ids=self.source_ids
            )
            for out in outs:
                self.count("undo")
                self.note("yellow", f"undone: {out.summary}")
            undone = outs[-1]
            self.note("yellow", f"(the whole group: {size} decisions undone)")
        else:
            undone = undo_last(self.ledger, reviewer=self.reviewer, source_ids=self.source_ids)
            self.count("undo")
            self.note("yellow", f"undone: {undone.summary}")
        self.choices = {}
        back = next(
            (k for k, q in enumerate(self.queue[:i]) if q["id"] == undone.proposal_id), None
        )
        if back is not None:
            return back
        # Decided in an earlier session: bring the proposal back into this one.
        self.queue.insert(i, get_proposal(self.ledger, str(undone.proposal_id)))
        self.total += 1
        return i

    def edit(self, p: dict[str, Any], group: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The reviewer's edits (the claim's, and on a grouped card each listed stance's), and
        whether a fuzzy quote was confirmed; None if nothing is to be decided."""
        stance_edits: dict[str, dict[str, str]] = {}
        if group:
            both = self.edit_group(p, group)
            edits, stance_edits = both if both is not None else (None, {})
        else:
            edits = edit_in_editor(
                p, self.editor, check=lambda e: grouping.check_edits(self.ledger, p, e)
            )
        if edits is None:
            self.note("dim", "edit cancelled")
            return None
        confirmed = False
        if p["anchoring"] == "fuzzy" and edits["quote"] == p["quote"]:
            if self.confirm_fuzzy(p) != "y":
                self.note("dim", "not decided: the fuzzily found quote was not confirmed")
                return None
            confirmed = True
        out: dict[str, Any] = {"edits": edits, "confirm_quote": confirmed}
        return out | ({"stance_edits": stance_edits} if group else {})

    def merge_target(self, p: dict[str, Any]) -> str | None:
        """The similar claim the reviewer picks to merge into, or None."""
        hits = self.similar(p["claim"])
        if not hits:
            self.note("dim", "no similar claim to merge into")
            return None
        choice = self.screen.ask(f"Merge into which similar claim (1-{len(hits)})") or "1"
        if not choice.isdigit() or not 1 <= int(choice) <= len(hits):
            return None
        return hits[int(choice) - 1][0]

    def act(self, key: str, i: int, p: dict[str, Any]) -> int:
        """Apply one key; returns the next index (-1 to quit)."""
        if key in ("q", "s"):
            return -1 if key == "q" else i + 1
        if key in ("u", "x", "d"):
            return self.undo(i) if key == "u" else self.choose_stance(key, i, p)
        if key not in ("a", "e", "r", "m"):
            self.note("", HELP)
            self.note("", GROUP_HELP)
            return i
        group = grouping.linked(self.ledger, p["id"])
        kwargs: dict[str, Any] = {"confirm_quote": False}
        if key in ("a", "m") and p["anchoring"] == "fuzzy":
            answer = self.confirm_fuzzy(p)
            if not answer:
                self.note("dim", "not decided: the fuzzily found quote was not confirmed")
                return i
            key, kwargs["confirm_quote"] = (key, True) if answer == "y" else ("e", False)
        if key == "r":  # the claim only: its stances get cards of their own
            reason = self.screen.ask("Reason (optional)") or None
            out = decide(self.ledger, p["id"], "reject", reviewer=self.reviewer, reason=reason)
            return self.decided_one(i, p, group, out)
        action = {"a": "accept", "e": "edit", "m": "merge"}[key]
        if key == "e":
            edited = self.edit(p, group)
            if edited is None:
                return i
            kwargs = edited
        elif key == "m":
            kwargs["merge_into"] = self.merge_target(p)
            if kwargs["merge_into"] is None:
                return i
        if group:
            confirmed = self.confirm_stances(group, kwargs.get("stance_edits", {}))
            if confirmed is None:
                return i
            return self.decide_group(i, p, group, action, kwargs | {"confirmed": confirmed})
        out = decide(self.ledger, p["id"], action, reviewer=self.reviewer, **kwargs)
        return self.decided_one(i, p, group, out)

    def decided_one(
        self, i: int, p: dict[str, Any], group: list[dict[str, Any]], out: Outcome
    ) -> int:
        """After a decision on the card's proposal alone."""
        self.step([out])
        self.release_group(i, p, group)
        self.count(out.action)
        again = " (the same claim, brought back)" if out.reinstated else ""
        if out.action == "voted":  # team review: say who is still to vote, never how
            self.note("green", f"vote on {p['id']} recorded: {out.summary}")
        else:
            self.note("green", f"{out.action}: {out.claim_id or p['id']}{again}")
        return i + 1
