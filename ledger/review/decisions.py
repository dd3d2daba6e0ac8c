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
from ledger.controls import describe
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
    """What a decision did: its row ID, the claim it created or extended, and in words what it
    did (for an undo: what it undid)."""

    decision_id: str
    action: str
    claim_id: str | None = None
    proposal_id: str | None = None
    summary: str = ""
    reinstated: bool = False


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


def _stance_target(ledger: Ledger, p: dict[str, Any]) -> str | None:
    """The claim the proposal's ``stance_on`` proposal became, if it stands accepted."""
    if not p.get("stance_on"):
        return None
    target = effective_decision(ledger, p["stance_on"])
    if target is None or target["action"] not in ("accept", "edit", "merge"):
        return None
    return str(target["claim_id"]) if target["claim_id"] else None


def pending(ledger: Ledger, source_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Proposals with no standing decision, in the order they were proposed."""
    sql = f"SELECT p.* FROM proposals p WHERE p.id NOT IN (SELECT proposal_id FROM ({EFFECTIVE}))"
    params: list[Any] = []
    if source_ids:
        sql += f" AND p.source_id IN ({', '.join('?' for _ in source_ids)})"
        params = list(source_ids)
    return ledger.all(sql + " ORDER BY p.seq", params)


def _span(
    ledger: Ledger, proposal: dict[str, Any], quote: str | None, confirmed: bool = False
) -> Span:
    if quote is None or quote == proposal["quote"]:
        if proposal["anchoring"] == "unanchored" or proposal["start"] is None:
            raise InputError(
                f"proposal {proposal['id']} is unanchored: "
                "edit its quote to the source's exact words"
            )
        if proposal["anchoring"] == "fuzzy" and not confirmed:
            # The words found may not be the words proposed: "dismissed" for "confirmed".
            raise InputError(
                f"proposal {proposal['id']}'s quote was found only fuzzily "
                f"(score {proposal['anchor_score']}): confirm that the source's words "
                f"“{proposal['quote']}” show the stance, or edit the quote"
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


def _refuse_controls(proposal_id: str, values: dict[str, Any]) -> None:
    """What is accepted is what the reviewer saw: no character that hides or reorders text."""
    for key, value in values.items():
        problem = describe(value or "")
        if problem:
            raise InputError(
                f"proposal {proposal_id}: the {key} has a {problem}; edit it out before deciding"
            )


def _undone_claim(ledger: Ledger, proposal_id: str) -> tuple[str, str] | None:
    """The claim an accept (or edit) of this proposal made before that decision was undone, and
    that decision's ID."""
    row = ledger.one(
        "SELECT claim_id, id FROM decisions WHERE proposal_id = ? AND action IN ('accept', 'edit') "
        "AND claim_id IS NOT NULL AND id IN (SELECT reverses FROM decisions WHERE action = 'undo') "
        "ORDER BY seq DESC LIMIT 1",
        [proposal_id],
    )
    return (row["claim_id"], row["id"]) if row else None


def _reinstate(
    ledger: Ledger, undone: tuple[str, str], span: Span, values: dict[str, Any],
    p: dict[str, Any], *, reviewer: str, decision_id: str,
) -> bool:  # fmt: skip
    """Bring back the claim an undone accept made, under the same ID: an ``active`` status row,
    a new version if the text or quote changed, and the stance again. False (nothing written)
    when the claim's status is now due to something other than that undo."""
    claim_id, undone_decision = undone
    status = claims.status_of(ledger, claim_id)
    if status["reason"] != f"undo of decision {undone_decision}":
        return False
    claims._validate(values["claim"], values["actor"], values["stance"], span.quote)  # as new
    ledger.append("status_changes", {
        "id": ids.new_row_id("sc"), "claim_id": claim_id, "status": "active",
        "successor_id": None, "reason": f"reinstated by decision {decision_id} on {p['id']}",
        "reviewer": reviewer,
    })  # fmt: skip
    n = claims.current_version(ledger, claim_id)
    prev = ledger.one(
        "SELECT * FROM claim_versions WHERE claim_id = ? AND version = ?", [claim_id, n]
    )
    assert prev is not None
    text = values["claim"].strip()
    if text != prev["text"] or any(prev[k] != v for k, v in span.columns().items()):
        ledger.append("claim_versions", {
            "id": f"{claim_id}@{n + 1}", "claim_id": claim_id, "version": n + 1, "text": text,
            **span.columns(), "reviewer": reviewer, "reason": "edited when accepted again",
            "proposal_id": p["id"], "decision_id": decision_id,
        })  # fmt: skip
    claims.append_stance(
        ledger, claim_id, span, stance=values["stance"], actor=values["actor"].strip(),
        reviewer=reviewer, stated_on=p["stated_on"], proposal_id=p["id"], decision_id=decision_id,
    )  # fmt: skip
    return True


def checked_values(
    p: dict[str, Any], action: str, edits: dict[str, str] | None, reason: str | None
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The decision's action (an accept with changes is an edit), the values decided and the
    changes from the proposal; InputError for an unknown field or stance or a control character."""
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
        raise InputError(f"unknown stance {values['stance']!r}: use one of {', '.join(STANCES)}")
    checked = {"claim": values["claim"], "actor": values["actor"], "reason": reason}
    if "quote" in changes:
        checked["quote"] = values["quote"]
    _refuse_controls(p["id"], checked if action != "reject" else {"reason": reason})
    return action, values, changes


def check_span(
    ledger: Ledger, p: dict[str, Any], values: dict[str, Any], confirm_quote: bool
) -> Span:
    """The span an accept of ``values`` would anchor (InputError if it cannot be anchored)."""
    quote = values["quote"] if values["quote"] != p["quote"] else None
    return _span(ledger, p, quote, confirm_quote)


def decide(
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
    """Record one decision (and its effect) in one transaction.

    A proposal whose quote was anchored only fuzzily is accepted or merged only with
    ``confirm_quote`` (the reviewer checked the source's words) or an edited quote. Accepting a
    proposal whose earlier accept was undone brings back that claim, under the same ID.
    Accepting a stance proposed on another proposal (``stance_on``) whose claim was accepted
    adds the stance to that claim, unless ``detach`` (or an edited claim) makes it a claim of
    its own.
    """
    if action not in ACTIONS:
        raise InputError(f"unknown decision {action!r}: use one of {', '.join(ACTIONS)}")
    with ledger.transaction():
        p = get_proposal(ledger, proposal_id)
        if effective_decision(ledger, proposal_id):
            raise InputError(f"proposal {proposal_id} is already decided; undo it first")
        action, values, changes = checked_values(p, action, edits, reason)
        target = _stance_target(ledger, p) if not detach and "claim" not in changes else None
        if target and action in ("accept", "edit"):
            action, merge_into = "merge", target
        did = ids.new_row_id("dc")
        claim_id = None
        summary = f"rejected {p['id']}" if action == "reject" else ""
        if action in ("accept", "edit"):
            quote = values["quote"] if "quote" in changes else None
            span = _span(ledger, p, quote, confirm_quote)
            undone = _undone_claim(ledger, p["id"])
            if undone and _reinstate(
                ledger, undone, span, values, p, reviewer=reviewer, decision_id=did
            ):
                claim_id = undone[0]
                summary = f"brought back {claim_id}, the claim an undone accept had made"
            else:
                claim_id = claims.create_claim(
                    ledger, span, claim=values["claim"], actor=values["actor"],
                    stance=values["stance"], reviewer=reviewer, stated_on=p["stated_on"],
                    proposal_id=p["id"], decision_id=did,
                )  # fmt: skip
                summary = f"made claim {claim_id}"
        elif action == "merge":
            if not merge_into:
                raise InputError("merge needs the claim ID to attach the stance to")
            claim_id, _ = claims.resolve_claim(ledger, merge_into)
            quote = values["quote"] if "quote" in changes else None
            span = _span(ledger, p, quote, confirm_quote)
            claims.append_stance(
                ledger, claim_id, span, stance=values["stance"], actor=values["actor"],
                reviewer=reviewer, stated_on=p["stated_on"], proposal_id=p["id"], decision_id=did,
            )  # fmt: skip
            summary = f"added the {values['stance']} stance to {claim_id}"
            if target:
                summary += f", the claim {p['stance_on']} became"
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
    return Outcome(did, action, claim_id, p["id"], summary, summary.startswith("brought back"))


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
    return Outcome(uid, "undo", last["claim_id"], last["proposal_id"], _undid(ledger, last))


def _undid(ledger: Ledger, last: dict[str, Any]) -> str:
    """In words, what undoing ``last`` did."""
    action, cid, pid = last["action"], last["claim_id"], last["proposal_id"]
    if action == "reject":
        return f"took back the rejection of {pid}: it is pending again"
    if action == "merge":
        stance = ledger.one(
            "SELECT stance FROM stance_events WHERE decision_id = ? LIMIT 1", [last["id"]]
        )
        what = f"the {stance['stance']} stance" if stance else "the stance"
        return f"withdrew {what} that merge added to {cid}"
    return f"retracted {cid}, the claim that {action} made; {pid} is pending again"


def acceptance_rates(ledger: Ledger) -> list[dict[str, Any]]:
    """Standing decisions by proposer, model and prompt: how many accepted, edited, rejected."""
    return ledger.all(counts.ACCEPTANCE_SQL)
