"""The second-reviewer rule: a verdict, retraction or supersession held until confirmed.

Under ``require_second_reviewer`` (or when asked for one change), such a change is written as a
``holds`` row and has no effect: the claim keeps its verdict and status, and ``show`` lists the
change as pending. It takes effect when a second reviewer, different from the one who made it,
confirms it: a ``confirmations`` row names the confirmer and the row that the change then made
(a ``verdicts`` or ``status_changes`` row, recorded with the first reviewer's name).
"""

from __future__ import annotations

from typing import Any

from ledger import claims, ids, settings
from ledger.errors import InputError, NotFound
from ledger.placeholder import refuse_placeholder
from ledger.store import Ledger

KINDS = ("verdict", "retract", "supersede")


def required(ledger: Ledger) -> bool:
    """Whether the ledger requires a second reviewer for verdicts and status changes."""
    return settings.enabled(ledger, "require_second_reviewer")


def hold(
    ledger: Ledger, kind: str, ref: str, *, reviewer: str, value: str | None = None,
    successor: str | None = None, note: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Hold a change for a second reviewer; returns the hold row. Checked now as it would be
    when it takes effect, so that a confirmation does not fail for a reason known today."""
    if kind not in KINDS:
        raise InputError(f"unknown change {kind!r}: use one of {', '.join(KINDS)}")
    refuse_placeholder("the note" if kind == "verdict" else "the reason", note)
    with ledger.transaction():
        claim_id, _ = claims.resolve_claim(ledger, ref)
        if kind == "verdict":
            value = claims.verdict_word(value or "")
        else:
            if not note:
                raise InputError(f"a {kind} needs a reason")
            current = claims.status_of(ledger, claim_id)["status"]
            if current != "active":
                raise InputError(f"{claim_id} is already {current}")
        if kind == "supersede":
            successor, _ = claims.resolve_claim(ledger, successor or "")
            if successor == claim_id:
                raise InputError("a claim cannot supersede itself")
        row = {"id": ids.new_row_id("hd"), "claim_id": claim_id, "kind": kind, "value": value,
               "successor_id": successor, "note": note, "reviewer": reviewer}  # fmt: skip
        ledger.append("holds", row)
    return row


def pending(ledger: Ledger, claim_id: str | None = None) -> list[dict[str, Any]]:
    """Held changes not confirmed yet (of one claim, if given), oldest first."""
    sql = "SELECT * FROM holds h WHERE h.id NOT IN (SELECT hold_id FROM confirmations)"
    params: list[Any] = []
    if claim_id is not None:
        sql += " AND h.claim_id = ?"
        params.append(claim_id)
    return ledger.all(sql + " ORDER BY h.seq", params)


def confirm(ledger: Ledger, hold_id: str, *, reviewer: str) -> dict[str, Any]:
    """Confirm a held change as a second reviewer: it takes effect now. Returns the hold."""
    with ledger.transaction():
        h = ledger.one("SELECT * FROM holds WHERE id = ?", [hold_id])
        if h is None:
            raise NotFound(f"no held change {hold_id}: see 'factledger show CLAIM'")
        if ledger.one("SELECT 1 FROM confirmations WHERE hold_id = ?", [hold_id]):
            raise InputError(f"{hold_id} is already confirmed")
        if h["reviewer"] == reviewer:
            raise InputError(
                f"{hold_id} was made by {reviewer}: a second, different reviewer must confirm it"
            )
        who, cid = h["reviewer"], h["claim_id"]
        if h["kind"] == "verdict":
            effect = claims.set_verdict(ledger, cid, h["value"], reviewer=who, note=h["note"])
        else:
            if h["kind"] == "retract":
                claims.retract(ledger, cid, reason=h["note"], reviewer=who)
            else:
                claims.supersede(ledger, cid, h["successor_id"], reason=h["note"], reviewer=who)
            row = ledger.one(
                "SELECT id FROM status_changes WHERE claim_id = ? ORDER BY seq DESC LIMIT 1", [cid]
            )
            assert row is not None
            effect = row["id"]
        ledger.append("confirmations", {"id": ids.new_row_id("cn"), "hold_id": hold_id,
                                        "reviewer": reviewer, "effect_id": effect})  # fmt: skip
    return h
