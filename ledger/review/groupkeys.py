"""The keys of a grouped card (a claim proposal with the stances proposed on it): marking a
stance to reject or detach, deciding the whole group, and releasing the stances of a claim
decided alone. A part of the interactive session (interactive.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.review import grouping
from ledger.review.decisions import Outcome
from ledger.review.editform import edit_group_in_editor
from ledger.review.screen import Screen
from ledger.store import Ledger


class GroupKeys:
    """The grouped card's keys, for Review."""

    ledger: Ledger
    reviewer: str
    screen: Screen
    editor: Callable[[str], str | None]
    queue: list[dict[str, Any]]
    total: int
    choices: dict[str, grouping.StanceChoice]

    # Review's own, declared here so the keys below type-check on their own.
    def note(self, style: str, text: str) -> None:
        raise NotImplementedError

    def step(self, outs: list[Outcome]) -> None:
        raise NotImplementedError

    def count(self, action: str) -> None:
        raise NotImplementedError

    def choose_stance(self, key: str, i: int, p: dict[str, Any]) -> int:
        """``x N`` / ``d N``: mark listed stance N to be rejected / detached (again: restore)."""
        group = grouping.linked(self.ledger, p["id"])
        if not group:
            self.note("dim", "no stances are listed under this claim")
            return i
        choice = self.screen.ask(f"Which stance (1-{len(group)})")
        if not choice.isdigit() or not 1 <= int(choice) <= len(group):
            self.note("dim", f"no stance {choice!r}: give a number from 1 to {len(group)}")
            return i
        sid = group[int(choice) - 1]["id"]
        want: grouping.StanceChoice = "reject" if key == "x" else "detach"
        if self.choices.get(sid) == want:
            del self.choices[sid]
            self.note("dim", f"stance {choice} will be accepted with the claim again")
        else:
            self.choices[sid] = want
            self.note("yellow", f"stance {choice} will be {want}ed when you accept (a)")
        return i

    def edit_group(
        self, p: dict[str, Any], group: list[dict[str, Any]]
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]] | None:
        """The grouped form in $EDITOR: the claim's fields and those of every listed stance not
        marked x (its number on the card beside its id); the claim's and each stance's edits,
        or None if cancelled. Reopened until every edit could be accepted."""
        listed, dropped = [], 0
        for n, s in enumerate(group, start=1):
            choice = self.choices.get(s["id"], "accept")
            if choice == "reject":
                dropped += 1
            else:
                detached = ", detached: a claim of its own" if choice == "detach" else ""
                listed.append((f"stance {n}{detached}", s))
        notes = ["Saving accepts the claim with every stance listed on its card."]
        if dropped:
            notes.append("Stances marked x on the card are not listed here: they are rejected.")
        return edit_group_in_editor(
            p, listed, self.editor, notes,
            lambda edits, stances: grouping.check_edits(self.ledger, p, edits, stances),
        )  # fmt: skip

    def decide_group(
        self, i: int, p: dict[str, Any], group: list[dict[str, Any]], action: str,
        kwargs: dict[str, Any],
    ) -> int:  # fmt: skip
        """One transaction: the claim (accepted, edited or merged), then each listed stance as
        chosen; under team review, the reviewer's vote on each."""
        choices = {s["id"]: self.choices.get(s["id"], "accept") for s in group}
        changed = {
            n: [k for k, v in kwargs.get("stance_edits", {}).get(s["id"], {}).items() if v != s[k]]
            for n, s in enumerate(group, start=1)
        }
        outs = grouping.decide_group(self.ledger, p["id"], choices, reviewer=self.reviewer,
                                     action=action, **kwargs)  # fmt: skip
        self.step(outs)
        for out in outs:
            self.count(out.action)
        self.choices = {}
        for n, keys in changed.items():
            if keys:  # said before what was decided: the notes are shown in order
                self.note("green", f"stance {n} edited: {', '.join(keys)}")
        head = outs[0]
        if head.action == "voted":
            self.note("green", f"votes on {p['id']} and its {len(outs) - 1} stances recorded: "
                               f"{head.summary}")  # fmt: skip
            return i + 1
        merged = sum(1 for o in outs[1:] if o.action == "merge")
        if head.action == "merge":
            self.note("green", f"merge: {merged + 1} stance events added to {head.claim_id}")
        else:
            self.note("green", f"{head.action}: {head.claim_id} with {merged + 1} stance events")
        for o in outs[1:]:
            if o.action != "merge":
                self.note("green", f"{o.action}: {o.claim_id or o.proposal_id} ({o.summary})")
        return i + 1

    def release_group(self, i: int, p: dict[str, Any], group: list[dict[str, Any]]) -> None:
        """Stances listed under a claim decided on its own get cards of their own next."""
        still = {q["id"] for q in grouping.linked(self.ledger, p["id"])}
        queued = {q["id"] for q in self.queue}
        for n, s in enumerate(x for x in group if x["id"] in still and x["id"] not in queued):
            self.queue.insert(i + 1 + n, s)
            self.total += 1
