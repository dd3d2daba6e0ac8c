"""Claims that match filters: status, verdict, who took which stance, and source."""

from __future__ import annotations

from typing import Any

from ledger.claims import status_of, verdict_word
from ledger.corpus import resolve_source
from ledger.errors import InputError
from ledger.models import STANCES
from ledger.store import Ledger
from ledger.views import STANDING, stance_summary

STATUSES = ("active", "retracted", "superseded")


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's own characters escaped."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_claims(
    ledger: Ledger,
    *,
    status: str | None = None,
    verdict: str | None = None,
    actor: str | None = None,
    stance: str | None = None,
    source: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Claims' current versions with status, verdict and stance summary, oldest first.

    ``actor`` matches part of an actor's name, without regard to case; with ``stance`` too, the
    same stance event must match both ("denied" by "Kremlin"). ``source`` (ID or path) matches
    claims quoting that source in their current version or in a stance event.
    """
    where, params = [], []
    if status is not None:
        if status.strip().lower() not in STATUSES:
            raise InputError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        where.append(
            "coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id "
            "ORDER BY x.seq DESC LIMIT 1), 'active') = ?"
        )
        params.append(status.strip().lower())
    if verdict is not None:
        where.append(
            "coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id "
            "ORDER BY d.seq DESC LIMIT 1), 'unreviewed') = ?"
        )
        params.append(verdict_word(verdict))
    if actor is not None or stance is not None:
        event = [f"e.claim_id = c.id AND {STANDING}"]
        if actor is not None:
            event.append("e.actor LIKE ? ESCAPE '\\'")
            params.append(_like(actor))
        if stance is not None:
            if stance.strip().lower() not in STANCES:
                raise InputError(f"unknown stance {stance!r}: use one of {', '.join(STANCES)}")
            event.append("e.stance = ?")
            params.append(stance.strip().lower())
        where.append(f"EXISTS (SELECT 1 FROM stance_events e WHERE {' AND '.join(event)})")
    if source is not None:
        sid = resolve_source(ledger, source)["id"]
        where.append(
            "(v.source_id = ? OR EXISTS (SELECT 1 FROM stance_events e WHERE e.claim_id = c.id "
            f"AND e.source_id = ? AND {STANDING}))"
        )
        params += [sid, sid]
    sql = (
        "SELECT c.id, v.version, v.text FROM claims c JOIN claim_versions v ON v.claim_id = c.id "
        "AND v.version = (SELECT max(version) FROM claim_versions WHERE claim_id = c.id)"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY c.seq" + (f" LIMIT {int(limit)}" if limit else "")
    rows = ledger.all(sql, params)
    for row in rows:
        stances = ledger.all(
            f"SELECT stance, actor FROM stance_events e WHERE claim_id = ? AND {STANDING} "
            "ORDER BY seq",
            [row["id"]],
        )
        latest = ledger.one(
            "SELECT verdict FROM verdicts WHERE claim_id = ? ORDER BY seq DESC LIMIT 1", [row["id"]]
        )
        row["status"] = status_of(ledger, row["id"])["status"]
        row["verdict"] = latest["verdict"] if latest else "unreviewed"
        row["stance_summary"] = stance_summary(stances)
    return rows
