"""Claims by hand: add, stance, edit, retract, supersede, verdict. Every change is a new row."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ledger import ids
from ledger.corpus import resolve_source
from ledger.errors import InputError, NotFound
from ledger.models import STANCES, VERDICTS, ClaimInput, StanceInput, plainly_valid
from ledger.placeholder import refuse_placeholder
from ledger.spans import Span, find_span
from ledger.store import Ledger


def _validate(claim: str | None, actor: str, stance: str, quote: str) -> None:
    refuse_placeholder("the claim text", claim)
    refuse_placeholder("the actor", actor)
    refuse_placeholder("the quote", quote)
    if plainly_valid(claim, actor, stance, quote):
        return
    try:
        if claim is None:
            StanceInput(actor=actor, stance=stance, quote=quote)  # type: ignore[arg-type]
        else:
            ClaimInput(claim=claim, actor=actor, stance=stance, quote=quote)  # type: ignore[arg-type]
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        if field == "stance":
            raise InputError(f"unknown stance {stance!r}: use one of {', '.join(STANCES)}") from e
        raise InputError(f"--{field}: {err['msg']}") from e


def anchor(
    ledger: Ledger, source: str, quote: str, occurrence: int | None = None
) -> tuple[Span, dict[str, Any]]:
    """Resolve ``source`` (ID or path) and anchor ``quote`` in it exactly."""
    row = resolve_source(ledger, source)
    return find_span(row["id"], row["text"], quote, occurrence), row


def parse_ref(ref: str, ledger: Ledger | None = None) -> tuple[str, int | None]:
    """``ID[@N]`` as (claim ID, version or None); InputError for anything else (with the claims
    of ``ledger`` it was probably meant to be, if given)."""
    try:
        return ids.parse_claim_ref(ref)
    except ValueError as e:
        raise InputError(str(e) + (_did_you_mean(ledger, ref) if ledger else "")) from e


def _did_you_mean(ledger: Ledger, typed: str) -> str:
    """``; did you mean FL-7NZBSX?`` for claims one slip away from ``typed``, else ``""``."""
    candidates = ids.near_misses(typed)
    found: list[str] = []
    for i in range(0, len(candidates), 500):
        chunk = candidates[i : i + 500]
        rows = ledger.all(
            f"SELECT id FROM claims WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
        )
        found += [r["id"] for r in rows]
    if not found:
        return ""
    return "; did you mean " + " or ".join(sorted(found)[:3]) + "?"


def no_claim(ledger: Ledger, claim_id: str, version: int | None = None) -> NotFound:
    """The error for a claim (or a version of it) this ledger does not have."""
    if version is not None:
        return NotFound(f"{claim_id} has no version {version}")
    hint = _did_you_mean(ledger, claim_id)
    return NotFound(f"no claim {claim_id} in {ledger.path or 'this ledger'}{hint}")


def verdict_word(word: str) -> str:
    """A verdict as stored, whatever its case, spaces or hyphens (``Mostly-Supported`` is
    ``mostly_supported``); InputError for a word that is not a verdict."""
    folded = re.sub(r"[\s_-]+", "_", word.strip().lower())
    if folded not in VERDICTS:
        raise InputError(f"unknown verdict {word!r}: use one of {', '.join(VERDICTS)}")
    return folded


def resolve_claim(ledger: Ledger, ref: str) -> tuple[str, int | None]:
    """Parse ``ID[@N]`` and check that the claim (and that version) exists."""
    claim_id, version = parse_ref(ref, ledger)
    if ledger.one("SELECT id FROM claims WHERE id = ?", [claim_id]) is None:
        raise no_claim(ledger, claim_id)
    if version is not None and version > current_version(ledger, claim_id):
        raise no_claim(ledger, claim_id, version)
    return claim_id, version


def current_version(ledger: Ledger, claim_id: str) -> int:
    """The highest version number of a claim."""
    row = ledger.one("SELECT max(version) AS v FROM claim_versions WHERE claim_id = ?", [claim_id])
    return int(row["v"]) if row and row["v"] else 0


def _fresh_claim_id(ledger: Ledger) -> str:
    return ledger.fresh_id("claims", ids.new_claim_id)


def append_stance(
    ledger: Ledger,
    claim_id: str,
    span: Span,
    *,
    stance: str,
    actor: str,
    reviewer: str,
    stated_on: str | None,
    note: str | None = None,
    proposal_id: str | None = None,
    decision_id: str | None = None,
) -> str:
    """Append one stance event (inside the caller's transaction); returns its ID."""
    sid = ids.new_row_id("st")
    ledger.append(
        "stance_events",
        {
            "id": sid,
            "claim_id": claim_id,
            "stance": stance,
            "actor": actor,
            **span.columns(),
            "stated_on": stated_on,
            "reviewer": reviewer,
            "note": note,
            "proposal_id": proposal_id,
            "decision_id": decision_id,
        },
    )
    return sid


def create_claim(
    ledger: Ledger,
    span: Span,
    *,
    claim: str,
    actor: str,
    stance: str,
    reviewer: str,
    stated_on: str | None = None,
    verdict: str | None = None,
    proposal_id: str | None = None,
    decision_id: str | None = None,
) -> str:
    """Write a new claim, its first version and its first stance event in one transaction."""
    _validate(claim, actor, stance, span.quote)
    if verdict is not None:
        verdict = verdict_word(verdict)
    with ledger.transaction():
        cid = _fresh_claim_id(ledger)
        ledger.append("claims", {"id": cid, "created_by": reviewer, "proposal_id": proposal_id})
        ledger.append(
            "claim_versions",
            {
                "id": f"{cid}@1",
                "claim_id": cid,
                "version": 1,
                "text": claim.strip(),
                **span.columns(),
                "reviewer": reviewer,
                "reason": None,
                "proposal_id": proposal_id,
                "decision_id": decision_id,
            },
        )
        append_stance(
            ledger,
            cid,
            span,
            stance=stance,
            actor=actor.strip(),
            reviewer=reviewer,
            stated_on=stated_on,
            proposal_id=proposal_id,
            decision_id=decision_id,
        )
        if verdict is not None:
            set_verdict(ledger, cid, verdict, reviewer=reviewer)
    return cid


def add_claim(
    ledger: Ledger,
    *,
    source: str,
    quote: str,
    claim: str,
    actor: str,
    stance: str,
    reviewer: str,
    verdict: str | None = None,
    occurrence: int | None = None,
) -> str:
    """Add a claim by hand: anchor the quote exactly in the source and write it. Returns its ID."""
    _validate(claim, actor, stance, quote)
    with ledger.transaction():
        span, src = anchor(ledger, source, quote, occurrence)
        return create_claim(
            ledger,
            span,
            claim=claim,
            actor=actor,
            stance=stance,
            reviewer=reviewer,
            stated_on=src["published"],
            verdict=verdict,
        )


def add_stance(
    ledger: Ledger,
    ref: str,
    *,
    source: str,
    quote: str,
    actor: str,
    stance: str,
    reviewer: str,
    occurrence: int | None = None,
    note: str | None = None,
) -> str:
    """Add a stance event (its own source and span) to an existing claim."""
    refuse_placeholder("the note", note)
    with ledger.transaction():
        claim_id, _ = resolve_claim(ledger, ref)
        _validate(None, actor, stance, quote)
        span, src = anchor(ledger, source, quote, occurrence)
        return append_stance(
            ledger,
            claim_id,
            span,
            stance=stance,
            actor=actor.strip(),
            reviewer=reviewer,
            stated_on=src["published"],
            note=note,
        )


def edit_claim(
    ledger: Ledger,
    ref: str,
    *,
    reviewer: str,
    reason: str,
    text: str | None = None,
    source: str | None = None,
    quote: str | None = None,
    occurrence: int | None = None,
) -> int:
    """Write a new version of a claim (new text and/or a new span). Returns the version number."""
    if text is None and quote is None:
        raise InputError("nothing to change: give a new claim text and/or a new quote")
    refuse_placeholder("the claim text", text)
    refuse_placeholder("the quote", quote)
    refuse_placeholder("the reason", reason)
    with ledger.transaction():
        claim_id, _ = resolve_claim(ledger, ref)
        status = status_of(ledger, claim_id)
        if status["status"] == "retracted":
            raise InputError(
                f"{claim_id} is retracted, so it is not edited: add the corrected claim as a new "
                "one (factledger add)"
            )
        if status["status"] == "superseded":
            raise InputError(
                f"{claim_id} is superseded by {status['successor_id']}: edit that claim instead"
            )
        n = current_version(ledger, claim_id)
        prev = ledger.one(
            "SELECT * FROM claim_versions WHERE claim_id = ? AND version = ?", [claim_id, n]
        )
        assert prev is not None
        if quote is not None:
            span, _ = anchor(ledger, source or prev["source_id"], quote, occurrence)
        else:
            span = Span(**{k: prev[k] for k in Span.model_fields})
        new_text = (text if text is not None else prev["text"]).strip()
        if len(new_text) < 3:
            raise InputError("--claim: the claim text is too short")
        ledger.append(
            "claim_versions",
            {
                "id": f"{claim_id}@{n + 1}",
                "claim_id": claim_id,
                "version": n + 1,
                "text": new_text,
                **span.columns(),
                "reviewer": reviewer,
                "reason": reason,
            },
        )
    return n + 1


def set_verdict(
    ledger: Ledger, ref: str, verdict: str, *, reviewer: str, note: str | None = None
) -> str:
    """Record the reviewers' verdict on a claim as a new row."""
    verdict = verdict_word(verdict)
    refuse_placeholder("the note", note)
    with ledger.transaction():
        claim_id, _ = resolve_claim(ledger, ref)
        vid = ids.new_row_id("vd")
        ledger.append(
            "verdicts",
            {
                "id": vid,
                "claim_id": claim_id,
                "verdict": verdict,
                "note": note,
                "reviewer": reviewer,
            },
        )
    return vid


# The status of a claim with no status change.
ACTIVE: dict[str, Any] = {"status": "active", "successor_id": None, "reason": None}


def status_of(ledger: Ledger, claim_id: str) -> dict[str, Any]:
    """The latest status change of a claim, or ``ACTIVE``."""
    row = ledger.one(
        "SELECT * FROM status_changes WHERE claim_id = ? ORDER BY seq DESC LIMIT 1", [claim_id]
    )
    return row or dict(ACTIVE)


def _change_status(
    ledger: Ledger, ref: str, status: str, *, reason: str, reviewer: str, successor: str | None
) -> None:
    refuse_placeholder("the reason", reason)
    with ledger.transaction():
        claim_id, _ = resolve_claim(ledger, ref)
        current = status_of(ledger, claim_id)["status"]
        if current != "active":
            raise InputError(f"{claim_id} is already {current}")
        ledger.append(
            "status_changes",
            {
                "id": ids.new_row_id("sc"),
                "claim_id": claim_id,
                "status": status,
                "successor_id": successor,
                "reason": reason,
                "reviewer": reviewer,
            },
        )


def retract(ledger: Ledger, ref: str, *, reason: str, reviewer: str) -> None:
    """Retract a claim: a new status row; the claim and its history stay readable."""
    _change_status(ledger, ref, "retracted", reason=reason, reviewer=reviewer, successor=None)


def supersede(ledger: Ledger, old: str, new: str, *, reason: str, reviewer: str) -> str:
    """Mark ``old`` as superseded by ``new`` (both must exist and differ)."""
    refuse_placeholder("the reason", reason)
    with ledger.transaction():
        new_id, _ = resolve_claim(ledger, new)
        old_id, _ = resolve_claim(ledger, old)
        if new_id == old_id:
            raise InputError("a claim cannot supersede itself")
        _change_status(
            ledger, old_id, "superseded", reason=reason, reviewer=reviewer, successor=new_id
        )
    return new_id
