"""Read stored proposals, each with its state: pending, accepted, edited, rejected or merged."""

from __future__ import annotations

from typing import Any

from ledger.corpus import resolve_source
from ledger.errors import InputError
from ledger.store import Ledger

# A decision's action, as the proposal's state; no standing decision is "pending".
STATES = {"accept": "accepted", "edit": "edited", "reject": "rejected", "merge": "merged"}
STATE_NAMES = ("pending", *STATES.values())

# The standing decision of proposal p: its latest decision that no undo reverses.
_STANDING = (
    "SELECT d.{col} FROM decisions d WHERE d.proposal_id = p.id AND d.action != 'undo' "
    "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.reverses = d.id) "
    "ORDER BY d.seq DESC LIMIT 1"
)
_STATE = "CASE ({}) {} ELSE 'pending' END".format(
    _STANDING.format(col="action"),
    " ".join(f"WHEN '{a}' THEN '{s}'" for a, s in STATES.items()),
)


def list_proposals(
    ledger: Ledger, source: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Stored proposals, oldest first, with their ``state`` and the ``claim_id`` their decision
    made or extended; optionally only those on one source, or in one state."""
    cols = (
        "id, source_id, start, end, quote, claim, actor, stance, stated_on, rationale, anchoring, "
        "anchor_score, proposer, proposer_version, model, prompt_name, prompt_hash, model_call_id, "
        "stance_on, checkable, recorded_at"
    )
    where, params = [], []
    if source:
        where.append("source_id = ?")
        params.append(resolve_source(ledger, source)["id"])
    if state is not None:
        state = state.strip().lower()
        if state not in STATE_NAMES:
            raise InputError(f"unknown state {state!r}: use one of {', '.join(STATE_NAMES)}")
        where.append("state = ?")
        params.append(state)
    sql = (
        f"SELECT * FROM (SELECT {cols}, seq, {_STATE} AS state, "
        f"({_STANDING.format(col='claim_id')}) AS claim_id FROM proposals p)"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = ledger.all(sql + " ORDER BY seq", params)
    for r in rows:
        del r["seq"]
    return rows
