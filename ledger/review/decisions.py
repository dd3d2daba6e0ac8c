"""Decisions on proposals: accept, edit, reject, merge into an existing claim, and undo.

Every decision is a ``decisions`` row with its reviewer and reason. Accepting creates a claim
linked to the proposal and the decision; merging adds the proposal as a stance event on an
existing claim. Undo never deletes: it appends an ``undo`` row and retracts what the undone
decision created, and the proposal is pending again. Rejections stay, so acceptance rates by
proposer, model and prompt are one query away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import claims, counts, ids
from ledger.anchoring import anchor_quote
from ledger.errors import InputError, NotFound
from ledger.hashing import canonical_json
from ledger.models import STANCES
from ledger.readers import EFFECTIVE
from ledger.spans import Span
from ledger.store import Ledger

ACTIONS = ("accept", "edit", "reject", "merge")
EDITABLE = ("claim", "actor", "stance", "quote")


@dataclass
class Outcome:
    """What a decision did: its row ID, and the claim it created or extended."""

    decision_id: str
    action: str
    claim_id: str | None = None
    proposal_id: str | None = None


def get_proposal(ledger: Ledger, proposal_id: str) -> dict[str, Any]:
    """A proposal row by ID, or NotFound."""
    row = ledger.one("SELECT * FROM proposals WHERE id = ?", [proposal_id])
    if row is None:
        raise NotFound(f"no proposal {proposal_id}: see 'factledger proposals'")
    return row


def effective_decision(ledger: Ledger, proposal_id: str) -> dict[str, Any] | None:
    """The decision that currently stands for a proposal, if any."""
    return ledger.one(
        EFFECTIVE + " AND d.proposal_id = ? ORDER BY d.seq DESC LIMIT 1", [proposal_id]
    )


def pending(ledger: Ledger, source_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Proposals with no standing decision, in the order they were proposed."""
    sql = f"SELECT p.* FROM proposals p WHERE p.id NOT IN (SELECT proposal_id FROM ({EFFECTIVE}))"
    params: list[Any] = []
    if source_ids:
        sql += f" AND p.source_id IN ({', '.join('?' for _ in source_ids)})"
        params = list(source_ids)
    return ledger.all(sql + " ORDER BY p.seq", params)


def _span(ledger: Ledger, proposal: dict[str, Any], quote: str | None) -> Span:
    if quote is None or quote == proposal["quote"]:
        if proposal["anchoring"] == "unanchored" or proposal["start"] is None:
            raise InputError(
                f"proposal {proposal['id']} is unanchored: "
                "edit its quote to the source's exact words"
            )
        return Span(**{k: proposal[k] for k in Span.model_fields})
    text = ledger.one("SELECT text FROM sources WHERE id = ?", [proposal["source_id"]])
    assert text is not None
    anchored = anchor_quote(proposal["source_id"], text["text"], quote)
    if anchored.span is None or anchored.anchoring == "fuzzy":
        raise InputError(
            f"edited quote for {proposal['id']} is not in source {proposal['source_id']}: "
            "copy the exact words"
        )
    return anchored.span


def decide(
    ledger: Ledger,
    proposal_id: str,
    action: str,
    *,
    reviewer: str,
    reason: str | None = None,
    edits: dict[str, str] | None = None,
    merge_into: str | None = None,
) -> Outcome:
    """Record one decision (and its effect) in one transaction."""
    if action not in ACTIONS:
        raise InputError(f"unknown decision {action!r}: use one of {', '.join(ACTIONS)}")
    with ledger.transaction():
        p = get_proposal(ledger, proposal_id)
        if effective_decision(ledger, proposal_id):
            raise InputError(f"proposal {proposal_id} is already decided; undo it first")
        values = {k: p[k] for k in EDITABLE}
        changes = {}
        for k, v in (edits or {}).items():
            if k not in EDITABLE:
                raise InputError(f"cannot edit {k!r}: editable fields are {', '.join(EDITABLE)}")
            if v != values[k]:
                changes[k] = {"from": values[k], "to": v}
                values[k] = v
        if changes and action == "accept":
            action = "edit"
        if values["stance"] not in STANCES:
            raise InputError(
                f"unknown stance {values['stance']!r}: use one of {', '.join(STANCES)}"
            )
        did = ids.new_row_id("dc")
        claim_id = None
        if action in ("accept", "edit"):
            span = _span(ledger, p, values["quote"] if "quote" in changes else None)
            claim_id = claims.create_claim(
                ledger, span, claim=values["claim"], actor=values["actor"],
                stance=values["stance"], reviewer=reviewer, stated_on=p["stated_on"],
                proposal_id=p["id"], decision_id=did,
            )  # fmt: skip
        elif action == "merge":
            if not merge_into:
                raise InputError("merge needs the claim ID to attach the stance to")
            claim_id, _ = claims.resolve_claim(ledger, merge_into)
            span = _span(ledger, p, values["quote"] if "quote" in changes else None)
            claims.append_stance(
                ledger, claim_id, span, stance=values["stance"], actor=values["actor"],
                reviewer=reviewer, stated_on=p["stated_on"], proposal_id=p["id"], decision_id=did,
            )  # fmt: skip
        ledger.append(
            "decisions",
            {
                "id": did,
                "proposal_id": p["id"],
                "action": action,
                "reviewer": reviewer,
                "reason": reason,
                "changes": canonical_json(changes).decode() if changes else None,
                "claim_id": claim_id,
            },
        )
    return Outcome(did, action, claim_id, p["id"])


def undo_last(ledger: Ledger, *, reviewer: str, source_ids: list[str] | None = None) -> Outcome:
    """Reverse the reviewer's most recent standing decision (on proposals about ``source_ids``,
    if given) with a new ``undo`` row."""
    with ledger.transaction():
        sql = EFFECTIVE + " AND d.reviewer = ?"
        params: list[Any] = [reviewer]
        if source_ids:
            sql += (
                " AND d.proposal_id IN (SELECT id FROM proposals WHERE source_id IN "
                f"({', '.join('?' for _ in source_ids)}))"
            )
            params += source_ids
        last = ledger.one(sql + " ORDER BY d.seq DESC LIMIT 1", params)
        if last is None:
            raise InputError(f"nothing to undo for {reviewer}")
        uid = ids.new_row_id("dc")
        ledger.append(
            "decisions",
            {
                "id": uid,
                "proposal_id": last["proposal_id"],
                "action": "undo",
                "reviewer": reviewer,
                "reason": f"undo of {last['action']} {last['id']}",
                "claim_id": last["claim_id"],
                "reverses": last["id"],
            },
        )
        if last["action"] in ("accept", "edit") and last["claim_id"]:
            claims.retract(
                ledger, last["claim_id"], reason=f"undo of decision {last['id']}", reviewer=reviewer
            )
    return Outcome(uid, "undo", last["claim_id"], last["proposal_id"])


def acceptance_rates(ledger: Ledger) -> list[dict[str, Any]]:
    """Standing decisions by proposer, model and prompt: how many accepted, edited, rejected."""
    return ledger.all(counts.ACCEPTANCE_SQL)
