"""Assignments: pending proposals routed to several reviewers, as ledger rows.

``assign`` gives each pending proposal that has no assignment yet to ``overlap`` reviewers:
the ones with the fewest proposals so far in this run, ties broken by the order the reviewers
were named, so the same ledger and the same arguments give the same queues. A stance proposed
on a claim proposal (``stance_on``) goes to the same reviewers as that claim. A proposal with
assignments is decided by its reviewers' votes (see settle.py); one without is reviewed as
before, by whoever reviews it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger import ids
from ledger.controls import describe
from ledger.errors import InputError
from ledger.review.decisions import pending
from ledger.store import Ledger


@dataclass
class Assigned:
    """What one assign run did: its batch ID and each reviewer's new proposals."""

    batch: str
    queues: dict[str, list[str]] = field(default_factory=dict)
    skipped: int = 0


def parse_reviewers(names: str | list[str]) -> list[str]:
    """Reviewer names from ``ana,ben`` (or a list), stripped, each once, none empty."""
    raw = names.split(",") if isinstance(names, str) else names
    out = list(dict.fromkeys(n.strip() for n in raw if n.strip()))
    if not out:
        raise InputError("no reviewers named: give them as ana,ben,chen")
    for n in out:
        problem = describe(n)
        if problem or "+" in n:
            raise InputError(f"reviewer name {n!r} has a {problem or 'plus sign'}: choose another")
    return out


def reviewers_of(ledger: Ledger, proposal_id: str) -> list[str]:
    """The reviewers a proposal is assigned to, in the order they were assigned."""
    rows = ledger.all(
        "SELECT reviewer FROM assignments WHERE proposal_id = ? GROUP BY reviewer "
        "ORDER BY min(seq)",
        [proposal_id],
    )
    return [r["reviewer"] for r in rows]


def assign(
    ledger: Ledger,
    reviewers: list[str],
    overlap: int,
    *,
    source_ids: list[str] | None = None,
    assigned_by: str,
) -> Assigned:
    """Route every pending, unassigned proposal (of ``source_ids``, if given) to ``overlap`` of
    ``reviewers``, balanced and deterministic, in one transaction."""
    if not 1 <= overlap <= len(reviewers):
        raise InputError(
            f"overlap {overlap} needs between 1 and {len(reviewers)} reviewers per proposal: "
            "name more reviewers or lower the overlap"
        )
    with ledger.transaction():
        done = {
            r["proposal_id"] for r in ledger.all("SELECT DISTINCT proposal_id FROM assignments")
        }
        todo: list[dict[str, Any]] = []
        out = Assigned(ids.new_row_id("as"), {r: [] for r in reviewers})
        for p in pending(ledger, source_ids):
            if p["id"] in done:
                out.skipped += 1
            else:
                todo.append(p)
        load = dict.fromkeys(reviewers, 0)
        order = {r: i for i, r in enumerate(reviewers)}
        chosen_for: dict[str, list[str]] = {}
        for p in todo:
            # A stance proposed on a claim proposal goes to that claim's reviewers: the card
            # and the review file show them together, and all of them vote on the group.
            chosen = (
                chosen_for.get(p.get("stance_on") or "")
                or sorted(reviewers, key=lambda r: (load[r], order[r]))[:overlap]
            )
            chosen_for[p["id"]] = chosen
            for r in sorted(chosen, key=order.__getitem__):
                load[r] += 1
                out.queues[r].append(p["id"])
                ledger.append(
                    "assignments",
                    {
                        "id": ids.new_row_id("as"),
                        "proposal_id": p["id"],
                        "reviewer": r,
                        "batch": out.batch,
                        "assigned_by": assigned_by,
                    },
                )
    return out
