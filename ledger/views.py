"""Read-side views of the ledger: one claim with its history, and lists of claims and sources."""

from __future__ import annotations

import sqlite3
from typing import Any

from ledger import spine
from ledger.claims import ACTIVE, no_claim, parse_ref, status_of
from ledger.models import render_stance
from ledger.store import Ledger
from ledger.urls import http_url

# A stance event added by a review decision that was later undone no longer stands.
STANDING = (
    "(e.decision_id IS NULL OR e.decision_id NOT IN "
    "(SELECT reverses FROM decisions WHERE action = 'undo'))"
)


def stance_summary(stances: list[dict[str, Any]]) -> str:
    """``asserted by South Korea's NIS; unconfirmed by NATO; denied by Kremlin`` (in order)."""
    seen: list[str] = []
    for s in stances:
        text = render_stance(s["stance"], s["actor"])
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)


def get_claim(ledger: Ledger, ref: str) -> dict[str, Any]:
    """A claim with its versions, stance events, verdicts, status and provenance.

    Five indexed queries, and two for each source quoted: a claim page reads this once per
    request.
    """
    claim_id, version = parse_ref(ref, ledger)
    created = ledger.one(
        "SELECT created_by, proposal_id, recorded_at FROM claims WHERE id = ?", [claim_id]
    )
    if created is None:
        raise no_claim(ledger, claim_id)
    versions = ledger.all(
        "SELECT id, version, text, source_id, start, end, quote, prefix, suffix, reviewer, "
        "reason, proposal_id, decision_id, recorded_at, hash FROM claim_versions "
        "WHERE claim_id = ? ORDER BY version",
        [claim_id],
    )
    current = versions[-1]["version"]
    if version is not None and version > current:
        raise no_claim(ledger, claim_id, version)
    shown = versions[(version or current) - 1]
    stances = ledger.all(
        "SELECT e.id, e.stance, e.actor, e.source_id, e.start, e.end, e.quote, e.prefix, "
        "e.suffix, e.stated_on, e.reviewer, e.note, e.proposal_id, e.decision_id, e.recorded_at, "
        "s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url, "
        "s.path AS source_path, s.published AS source_published "
        "FROM stance_events e JOIN sources s ON s.id = e.source_id "
        f"WHERE e.claim_id = ? AND {STANDING} ORDER BY e.seq",
        [claim_id],
    )
    for s in stances:  # a source address is shown and exported only if it is http(s)
        s["source_url"] = http_url(s["source_url"])
    from ledger.revisions import annotate

    annotate(ledger, [*stances, *versions])  # PDF page, and whether the source changed since
    verdicts = ledger.all(
        "SELECT verdict, note, reviewer, recorded_at FROM verdicts WHERE claim_id = ? ORDER BY seq",
        [claim_id],
    )
    # Its own status changes (the latest counts) and the claims it supersedes, in one read.
    changes = ledger.all(
        "SELECT claim_id, status, successor_id, reason FROM status_changes "
        "WHERE claim_id = ? OR successor_id = ? ORDER BY seq",
        [claim_id, claim_id],
    )
    own = [c for c in changes if c["claim_id"] == claim_id]
    status = own[-1] if own else dict(ACTIVE)
    superseded_by = status.get("successor_id")
    supersedes = [c["claim_id"] for c in changes if c["successor_id"] == claim_id]
    return {
        "id": claim_id,
        "ref": f"{claim_id}@{shown['version']}",
        "version": shown["version"],
        "current_version": current,
        "text": shown["text"],
        "span": {k: shown[k] for k in ("source_id", "start", "end", "quote", "prefix", "suffix")},
        "status": status["status"],
        "status_reason": status.get("reason"),
        "superseded_by": superseded_by,
        "supersedes": supersedes,
        "verdict": verdicts[-1]["verdict"] if verdicts else "unreviewed",
        "verdicts": verdicts,
        "stance_summary": stance_summary(stances),
        "stance_events": stances,
        "versions": versions,
        "created_by": created["created_by"],
        "created_at": created["recorded_at"],
        "proposal_id": created["proposal_id"],
        "pending": _pending_changes(ledger, claim_id),
    }


def _pending_changes(ledger: Ledger, claim_id: str) -> list[dict[str, Any]]:
    """Verdicts and status changes held for a second reviewer (none in a ledger from before)."""
    try:
        return ledger.all(
            "SELECT id, kind, value, successor_id, note, reviewer, recorded_at FROM holds "
            "WHERE claim_id = ? AND id NOT IN (SELECT hold_id FROM confirmations) ORDER BY seq",
            [claim_id],
        )
    except sqlite3.OperationalError:
        return []


def list_claims(ledger: Ledger, limit: int | None = None) -> list[dict[str, Any]]:
    """Every claim's current version, status, verdict and stance summary, oldest first."""
    rows = ledger.all(
        "SELECT c.id, v.version, v.text FROM claims c JOIN claim_versions v ON v.claim_id = c.id "
        "AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id) "
        "ORDER BY c.seq" + (f" LIMIT {int(limit)}" if limit else "")
    )
    for row in rows:
        stances = ledger.all(
            "SELECT stance, actor FROM stance_events e "
            f"WHERE claim_id = ? AND {STANDING} ORDER BY seq",
            [row["id"]],
        )
        verdict = ledger.one(
            "SELECT verdict FROM verdicts WHERE claim_id = ? ORDER BY seq DESC LIMIT 1", [row["id"]]
        )
        row["status"] = status_of(ledger, row["id"])["status"]
        row["verdict"] = verdict["verdict"] if verdict else "unreviewed"
        row["stance_summary"] = stance_summary(stances)
    return rows


def list_sources(ledger: Ledger) -> list[dict[str, Any]]:
    """Every source's metadata and hashes (not its text), oldest first."""
    return ledger.all(
        "SELECT id, path, title, publisher, author, url, published, retrieved, media_type, "
        "size_bytes, raw_sha256, text_sha256, replaces, ingested_by, recorded_at, "
        "length(text) AS characters FROM sources ORDER BY seq"
    )


def entries(ledger: Ledger, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` ledger entries (seq, table, row ID, hashes), newest first."""
    ledger.flush()
    return spine.entries(ledger.conn, newest_first=True, limit=limit)
