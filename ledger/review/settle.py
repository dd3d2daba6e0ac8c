"""Settling proposals that several reviewers decide: votes, agreement and adjudication.

A proposal assigned to two or more reviewers (assign.py) is not decided by any one of them: each
reviewer's decision is a ``votes`` row, which makes no claim. Once every assigned reviewer has
voted, the proposal is settled if the votes agree (the same action and, for accepts and edits,
the same claim, stance, actor and quote once whitespace and quote marks are normalised): one
decision is recorded, by all of them, and a ``settlements`` row links it to the votes it
resolves. Votes that disagree wait in the adjudication queue until an adjudicator picks one or
decides afresh. A reviewer's latest vote on a proposal is the one that counts. An agreed stance
proposed on a claim proposal under team review (``stance_on``) waits until that claim is settled,
so it becomes a stance event on the claim rather than a claim of its own.

Nothing enters the ledger as a claim before it is settled; a proposal with no assignment, or
with one reviewer, is decided directly, as before.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from ledger import ids
from ledger.errors import InputError
from ledger.review.assign import reviewers_of
from ledger.review.decisions import (
    EDITABLE,
    Outcome,
    check_span,
    checked_values,
    decide,
    effective_decision,
    get_proposal,
    pending,
)
from ledger.store import Ledger

QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„‟″«»"} | {c: "'" for c in "‘’‚‛′`"})
SAME_VOTE = "the same vote as before"
LATEST = (
    "SELECT v.* FROM votes v WHERE v.seq = (SELECT max(w.seq) FROM votes w "
    "WHERE w.proposal_id = v.proposal_id AND w.reviewer = v.reviewer)"
)


def normalise(text: str | None) -> str:
    """Text as compared between reviewers: NFC, one kind of quote mark, single spaces."""
    text = unicodedata.normalize("NFC", text or "").translate(QUOTE_MARKS)
    return re.sub(r"\s+", " ", text).strip()


def vote_key(vote: dict[str, Any]) -> tuple[str, ...]:
    """What two votes must share to agree."""
    if vote["action"] == "reject":
        return ("reject",)
    return ("take", normalise(vote["claim"]), vote["stance"], normalise(vote["actor"]),
            normalise(vote["quote"]))  # fmt: skip


def votes_on(ledger: Ledger, proposal_id: str) -> list[dict[str, Any]]:
    """Each reviewer's latest vote on a proposal, oldest first."""
    return ledger.all(LATEST + " AND v.proposal_id = ? ORDER BY v.seq", [proposal_id])


def is_team(ledger: Ledger, proposal_id: str) -> bool:
    """Whether the proposal is decided by votes: assigned to two or more reviewers."""
    return len(reviewers_of(ledger, proposal_id)) > 1


def queue(ledger: Ledger, reviewer: str, source_ids: list[str] | None = None) -> list[dict]:
    """The proposals ``reviewer`` is to decide: those assigned to them that they have not voted
    on, if they have any assignment; else the pending proposals assigned to nobody else."""
    rows = pending(ledger, source_ids)
    mine = {
        r["proposal_id"]: r["voted"]
        for r in ledger.all(
            "SELECT a.proposal_id, EXISTS (SELECT 1 FROM votes v WHERE v.proposal_id = "
            "a.proposal_id AND v.reviewer = a.reviewer) AS voted FROM assignments a "
            "WHERE a.reviewer = ?",
            [reviewer],
        )
    }
    if mine:
        return [p for p in rows if p["id"] in mine and not mine[p["id"]]]
    taken = {r["proposal_id"] for r in ledger.all("SELECT DISTINCT proposal_id FROM assignments")}
    return [p for p in rows if p["id"] not in taken]


def record(
    ledger: Ledger,
    proposal_id: str,
    action: str,
    *,
    reviewer: str,
    reason: str | None = None,
    edits: dict[str, str] | None = None,
    merge_into: str | None = None,
    confirm_quote: bool = False,
    detach: bool = False,
) -> Outcome:
    """A reviewer's decision: a vote when the proposal is assigned to several reviewers (which
    settles it once all have voted and agree), else an ordinary decision."""
    with ledger.transaction():
        assigned = reviewers_of(ledger, proposal_id)
        if len(assigned) <= 1:
            if assigned and reviewer not in assigned:
                raise InputError(
                    f"proposal {proposal_id} is assigned to {assigned[0]}, not {reviewer}"
                )
            return decide(
                ledger, proposal_id, action, reviewer=reviewer, reason=reason, edits=edits,
                merge_into=merge_into, confirm_quote=confirm_quote, detach=detach,
            )  # fmt: skip
        p = get_proposal(ledger, proposal_id)
        if reviewer not in assigned:
            raise InputError(
                f"proposal {proposal_id} is assigned to {', '.join(assigned)}, not {reviewer}: "
                "a disagreement among them is adjudicated"
            )
        if effective_decision(ledger, proposal_id):
            raise InputError(f"proposal {proposal_id} is already settled")
        if action == "merge" or detach:
            raise InputError(
                f"proposal {proposal_id} is under team review: accept, edit or reject it "
                "(a merge or a detached stance cannot be voted on)"
            )
        vote = _vote_row(ledger, p, action, reviewer, reason, edits, confirm_quote)
        before = {v["reviewer"]: v for v in votes_on(ledger, proposal_id)}.get(reviewer)
        if before is not None and vote_key(before) == vote_key(vote):
            return Outcome(before["id"], "voted", None, proposal_id, SAME_VOTE)
        if {v["reviewer"] for v in votes_on(ledger, proposal_id)} >= set(assigned):
            # Once all have voted, a changed vote could follow what the others voted.
            raise InputError(
                f"proposal {proposal_id} is waiting for adjudication: the votes are in"
            )
        ledger.append("votes", vote)
        votes = votes_on(ledger, proposal_id)
        voted = {v["reviewer"] for v in votes}
        waiting = [r for r in assigned if r not in voted]
        if waiting:
            return Outcome(vote["id"], "voted", None, proposal_id,
                           f"voted {vote['action']}; waiting for {', '.join(waiting)}")  # fmt: skip
        if len({vote_key(v) for v in votes}) > 1:
            return Outcome(vote["id"], "voted", None, proposal_id,
                           "voted; the reviewers disagree: it goes to adjudication")  # fmt: skip
        if _waits_for_claim(ledger, p, vote):
            return Outcome(vote["id"], "voted", None, proposal_id,
                           f"voted; agreed, waiting for {p['stance_on']}, the claim it takes a "
                           "stance on, to be settled")  # fmt: skip
        names = "+".join(v["reviewer"] for v in votes)
        out = _settle(ledger, p, votes[0], votes, reviewer=names, how="agreed")
        out.summary = f"settled, {names} agree: {out.summary}"
        return out


def _waits_for_claim(ledger: Ledger, p: dict[str, Any], vote: dict[str, Any]) -> bool:
    """Whether an agreed stance waits for the claim proposal it takes a stance on: settled
    before it, the stance would become a claim of its own instead of a stance event on it."""
    on = p.get("stance_on")
    return bool(
        on
        and vote["action"] != "reject"
        and is_team(ledger, on)
        and effective_decision(ledger, on) is None
    )


def _settle_waiting(ledger: Ledger, claim_proposal: str) -> None:
    """Settle the agreed stance proposals that waited for ``claim_proposal`` to be settled."""
    rows = ledger.all("SELECT * FROM proposals WHERE stance_on = ? ORDER BY seq", [claim_proposal])
    for s in rows:
        if effective_decision(ledger, s["id"]) or not is_team(ledger, s["id"]):
            continue
        votes = votes_on(ledger, s["id"])
        if {v["reviewer"] for v in votes} >= set(reviewers_of(ledger, s["id"])) and (
            len({vote_key(v) for v in votes}) == 1
        ):
            names = "+".join(v["reviewer"] for v in votes)
            _settle(ledger, s, votes[0], votes, reviewer=names, how="agreed")


def _vote_row(
    ledger: Ledger, p: dict[str, Any], action: str, reviewer: str, reason: str | None,
    edits: dict[str, str] | None, confirm_quote: bool,
) -> dict[str, Any]:  # fmt: skip
    if action not in ("accept", "edit", "reject"):
        raise InputError(f"unknown decision {action!r}: use accept, edit or reject")
    action, values, _ = checked_values(p, action, edits, reason)
    if action != "reject":
        check_span(ledger, p, values, confirm_quote)  # a vote that could never be settled
    take = action != "reject"
    return {
        "id": ids.new_row_id("vt"),
        "proposal_id": p["id"],
        "reviewer": reviewer,
        "action": action,
        **{k: values[k] if take else None for k in EDITABLE},
        "reason": reason,
        "confirm_quote": int(confirm_quote) if take else None,
    }


def _settle(
    ledger: Ledger, p: dict[str, Any], chosen: dict[str, Any], votes: list[dict[str, Any]],
    *, reviewer: str, how: str, reason: str | None = None,
) -> Outcome:  # fmt: skip
    """Record the decision ``chosen`` (a vote, or the adjudicator's own) and its settlement."""
    take = chosen["action"] != "reject"
    out = decide(
        ledger, p["id"], "accept" if take else "reject", reviewer=reviewer,
        reason=reason or chosen.get("reason"),
        edits={k: chosen[k] for k in EDITABLE} if take else None,
        confirm_quote=bool(chosen.get("confirm_quote")),
    )  # fmt: skip
    key = vote_key(chosen)
    ledger.append(
        "settlements",
        {
            "id": ids.new_row_id("se"),
            "proposal_id": p["id"],
            "decision_id": out.decision_id,
            "how": how,
            "reviewer": reviewer,
            "votes": json.dumps([v["id"] for v in votes]),
            "upheld": json.dumps([v["id"] for v in votes if vote_key(v) == key]),
        },
    )
    _settle_waiting(ledger, p["id"])
    return out


def adjudication_queue(ledger: Ledger) -> list[dict[str, Any]]:
    """Proposals every assigned reviewer voted on, with votes that disagree, and no decision:
    each as ``{"proposal": row, "votes": [latest vote of each reviewer]}``."""
    out: list[dict[str, Any]] = []
    candidates = ledger.all(
        "SELECT DISTINCT proposal_id FROM votes WHERE proposal_id NOT IN "
        "(SELECT proposal_id FROM settlements) ORDER BY proposal_id"
    )
    for row in candidates:
        pid = row["proposal_id"]
        if effective_decision(ledger, pid):
            continue
        votes = votes_on(ledger, pid)
        if {v["reviewer"] for v in votes} >= set(reviewers_of(ledger, pid)) and (
            len({vote_key(v) for v in votes}) > 1
        ):
            out.append({"proposal": get_proposal(ledger, pid), "votes": votes})
    out.sort(key=lambda item: item["proposal"]["seq"])
    return out


def adjudicate(
    ledger: Ledger,
    proposal_id: str,
    *,
    reviewer: str,
    pick: str | None = None,
    action: str | None = None,
    edits: dict[str, str] | None = None,
    reason: str | None = None,
    confirm_quote: bool = False,
) -> Outcome:
    """Settle a disagreement: take the vote of reviewer ``pick``, or decide ``action`` (with
    ``edits``) afresh. The decision is the adjudicator's, linked to the votes it resolves."""
    with ledger.transaction():
        item = next(
            (i for i in adjudication_queue(ledger) if i["proposal"]["id"] == proposal_id), None
        )
        if item is None:
            raise InputError(f"proposal {proposal_id} is not waiting for adjudication")
        p, votes = item["proposal"], item["votes"]
        if pick is not None:
            chosen = next((v for v in votes if v["reviewer"] == pick), None)
            if chosen is None:
                names = ", ".join(v["reviewer"] for v in votes)
                raise InputError(f"{pick} did not vote on {proposal_id}: pick one of {names}")
        elif action is not None:
            chosen = _vote_row(ledger, p, action, reviewer, reason, edits, confirm_quote)
        else:
            raise InputError("adjudication needs a vote to pick or a decision")
        out = _settle(ledger, p, chosen, votes, reviewer=reviewer, how="adjudicated",
                      reason=reason)  # fmt: skip
        out.summary = f"adjudicated: {out.summary}"
        return out
