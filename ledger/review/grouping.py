"""Claim proposals with the stance proposals linked to them (``stance_on``), reviewed as one.

A stance proposal whose ``stance_on`` proposal is still pending is shown and decided under that
claim proposal, not on its own; once the claim proposal is decided (or rejected), it stands on its
own again. Accepting a group (as proposed, edited, or merged into an existing claim) is one
transaction: the claim, then each listed stance added to it (or rejected, or detached as a claim
of its own). Under team review every one of those is the reviewer's vote (settle.py).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from ledger.errors import InputError
from ledger.review.decisions import Outcome, check_span, checked_values, pending, undo_last
from ledger.review.settle import record
from ledger.store import Ledger
from ledger.views import stance_summary

StanceChoice = Literal["accept", "reject", "detach"]
# A listed stance's claim is the group's: only who takes it, how and in which words are its own.
STANCE_EDITABLE = ("actor", "stance", "quote")
NOT_CHECKABLE = "not checkable (opinion/forecast)"


def linked(ledger: Ledger, proposal_id: str) -> list[dict[str, Any]]:
    """The pending stance proposals that take a stance on ``proposal_id``, in proposed order."""
    return [p for p in pending(ledger) if p.get("stance_on") == proposal_id]


def grouped_queue(
    ledger: Ledger, source_ids: list[str] | None = None
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Pending proposals as (claim proposal, its pending linked stance proposals); a linked
    stance proposal whose claim proposal is pending appears only in that claim's group."""
    rows = pending(ledger, source_ids)
    waiting = {p["id"] for p in rows}
    groups: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in rows}
    heads = []
    for p in rows:
        on = p.get("stance_on")
        if on and on in waiting and on != p["id"]:
            groups[on].append(p)
        else:
            heads.append(p)
    return [(p, groups[p["id"]]) for p in heads]


def summary_line(head: dict[str, Any], stances: list[dict[str, Any]]) -> str:
    """The status summary the group would make if all of it were accepted."""
    return stance_summary([head, *stances])


def is_checkable(p: dict[str, Any]) -> bool:
    """False for an opinion or forecast (nothing to check); unknown counts as checkable."""
    return p.get("checkable") != 0


def check_edits(
    ledger: Ledger, head: dict[str, Any], edits: dict[str, str],
    stance_edits: dict[str, dict[str, str]] | None = None,
) -> None:  # fmt: skip
    """InputError if claim proposal ``head`` with ``edits``, or a linked stance with its
    ``stance_edits`` (by proposal id), could not be accepted: the decisions' own checks of the
    values and the quote's span, run before anything is written. A stance is named as its card
    numbers it. A quote found only fuzzily and kept (the claim's or a stance's) is let through:
    the reviewer is asked to confirm it next."""
    try:
        _, values, _ = checked_values(head, "accept", edits, None)
        check_span(ledger, head, values, confirm_quote=True)
    except InputError as e:
        if stance_edits is None:  # a card of its own: the error names its proposal
            raise
        raise InputError(f"the claim: {e}") from e
    for n, s in enumerate(linked(ledger, head["id"]), start=1):
        if s["id"] not in (stance_edits or {}):
            continue
        try:
            _, values, _ = checked_values(s, "accept", (stance_edits or {})[s["id"]], None)
            check_span(ledger, s, values, confirm_quote=True)
        except InputError as e:
            raise InputError(f"stance {n} ({s['stance']} by {s['actor']}): {e}") from e


def decide_group(
    ledger: Ledger,
    head_id: str,
    choices: dict[str, StanceChoice],
    *,
    reviewer: str,
    action: str = "accept",
    edits: dict[str, str] | None = None,
    merge_into: str | None = None,
    confirm_quote: bool = False,
    reason: str | None = None,
    stance_edits: dict[str, dict[str, str]] | None = None,
    confirmed: Collection[str] = (),
) -> list[Outcome]:
    """Decide the claim proposal ``head_id`` with ``action`` (accept, edit with ``edits``, or
    merge into the claim ``merge_into``) and each linked stance proposal in ``choices`` (accept:
    a stance event on the claim the head became; reject; detach: a claim of its own), all in one
    transaction. A stance accepted or detached takes its ``stance_edits`` (actor, stance, quote),
    recorded as its decision's changes; a stance whose quote was found only fuzzily is accepted
    with that quote only if it is in ``confirmed`` (the reviewer checked it). Each decision goes
    through ``settle.record``, so under team review each is the reviewer's vote and is settled by
    the team's rules. Returns the outcomes, the head's first."""
    if action not in ("accept", "edit", "merge"):
        raise InputError(f"a group is accepted, edited or merged, not {action!r}")
    stance_edits = stance_edits or {}
    for pid, changed in stance_edits.items():
        if choices.get(pid) not in ("accept", "detach"):
            raise InputError(f"proposal {pid} is not accepted with {head_id}: nothing to edit")
        wrong = sorted(set(changed) - set(STANCE_EDITABLE))
        if wrong:
            raise InputError(
                f"cannot edit {wrong[0]!r} of stance {pid}: a stance listed under its claim "
                f"edits {', '.join(STANCE_EDITABLE)}"
            )
    with ledger.transaction():
        for pid in choices:
            p = ledger.one("SELECT stance_on FROM proposals WHERE id = ?", [pid])
            if p is None or p["stance_on"] != head_id:
                raise InputError(f"proposal {pid} takes no stance on {head_id}")
        outs = [
            record(ledger, head_id, action, reviewer=reviewer, edits=edits,
                   merge_into=merge_into, confirm_quote=confirm_quote)
        ]  # fmt: skip
        for pid, choice in choices.items():
            if choice == "reject":
                outs.append(record(ledger, pid, "reject", reviewer=reviewer, reason=reason))
            else:
                detach, edited = choice == "detach", stance_edits.get(pid)
                outs.append(
                    record(ledger, pid, "accept", reviewer=reviewer, detach=detach, edits=edited,
                           confirm_quote=pid in confirmed)
                )  # fmt: skip
    return outs


def undo_group(
    ledger: Ledger, n: int, *, reviewer: str, source_ids: list[str] | None = None
) -> list[Outcome]:
    """Undo the reviewer's last ``n`` decisions (a group's) in one transaction, newest first."""
    with ledger.transaction():
        return [undo_last(ledger, reviewer=reviewer, source_ids=source_ids) for _ in range(n)]
