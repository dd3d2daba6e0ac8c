"""Datasette metadata for the ledger: descriptions, facets, search, canned queries, settings."""

from __future__ import annotations

from typing import Any

from ledger.agreement import ALPHA_SQL, COUNTS_SQL, PAIRS_SQL
from ledger.counts import ACCEPTANCE_SQL, COUNTED
from ledger.readers import source_of

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1000,
    # A facet that cannot finish in 25 ms is dropped with a note, so a page stays within budget.
    "facet_time_limit_ms": 25,
    # Facet suggestions scan every column: ~0.8 s a page at a million rows. Facets stay explicit.
    "suggest_facets": False,
    # Datasette's templates take about 0.7 ms a row for these wide rows (quotes, spans, hashes):
    # 25 rows keep a page within 50 ms and fill several screens; ?_size= asks for more.
    "default_page_size": 25,
    "allow_download": False,
}


def counted(table: str) -> list[dict[str, str]]:
    """Default facets of ``table``, read from the counts the ledger keeps (publish/facets.py)."""
    return [{"counted": col} for col in COUNTED[table][1]]


HIDDEN = (
    "_sqlite_migrations", "claim_versions_fts", "stance_events_fts",
    "facet_counts", "facet_pair_counts", "decision_counts", "derived_through",
)  # fmt: skip
# What a reader browses, in the order the home page lists them.
READER_TABLES = ("current_claims", "stances", "source_list", "proposal_decisions", "model_calls")

SPAN_COLUMNS = {
    "source_id": "The source the quote comes from.",
    "start": "Start of the quote: code-point offset into the source's stored text.",
    "end": "End of the quote (exclusive).",
    "quote": "The exact words in the source (always text[start:end]).",
    "prefix": "Up to 32 characters before the quote, to re-find it (W3C TextQuoteSelector).",
    "suffix": "Up to 32 characters after the quote.",
}
CHAIN_COLUMNS = {
    "seq": "Position in the ledger's hash chain (one sequence across all tables).",
    "prev_hash": "Hash of the previous ledger entry.",
    "hash": "sha256 of this row's canonical JSON, including prev_hash.",
    "recorded_at": "When the row was appended (UTC).",
}

TABLES: dict[str, dict[str, Any]] = {
    "current_claims": {
        "description": "Every claim at its current version: status, verdict, who said what.",
        "facets": counted("current_claims"),
        "fts_table": "claim_versions_fts",
        "fts_pk": "search_rowid",
        # Newest first, in the search index's own order: a search for a common word then reads
        # 25 matches, not sorts all of them (20 ms rather than 2 s at a million claims).
        "sort_desc": "search_rowid",
        "columns": {
            "claim_id": "Citable claim ID; its page is /claims/ID.",
            "version": "Current version number (ID@N names a version).",
            "claim": "The claim, as one self-contained sentence.",
            "status": "active, retracted or superseded.",
            "superseded_by": "The claim that replaces this one, if superseded.",
            "verdict": "The reviewers' rating: unreviewed ... refuted.",
            "stance_summary": "Who asserted, confirmed, could not confirm or denied it.",
            "source_id": "The source of the current version's quote, shown by its title.",
            "publisher": "Publisher of that source.",
            "quote": "The current version's quote.",
            "created_by": "The reviewer who created the claim.",
            "created_at": "When the claim was created.",
            "search_rowid": "Order of the current version in the ledger (pages show newest first); "
            "its row in the full-text index.",
        },
    },
    "stances": {
        "description": "Stance events: one actor's position on a claim, shown by a quote.",
        "facets": counted("stances"),
        "fts_table": "stance_events_fts",
        "fts_pk": "stance_rowid",
        "sort_desc": "stance_rowid",
        "columns": {
            "stance_id": "ID of the stance event.",
            "claim_id": "The claim the stance is about.",
            "stance": "asserted, confirmed, unconfirmed, denied, disputed or retracted.",
            "actor": "Who takes the stance.",
            "status": "The stance as read: 'denied by Kremlin'.",
            "stated_on": "When the actor said it (the source's date where known).",
            "source_id": "The source the quote comes from, shown by its title.",
            "publisher": "The source's publisher.",
            "reviewer": "Who recorded it.",
            "proposal_id": "The proposal it came from, if any.",
            "stance_rowid": "Order of the stance event in the ledger (pages show newest first); "
            "its row in the full-text index.",
            "quote": SPAN_COLUMNS["quote"],
        },
    },
    "source_list": {
        "description": "Sources: documents pinned by the sha256 of their bytes and of their text.",
        "facets": ["publisher"],
        "columns": {
            "title": "Title, where the document shows one.",
            "publisher": "Publisher.",
            "author": "Author.",
            "url": "Where it was published.",
            "published": "Publication date.",
            "retrieved": "When it was retrieved.",
            "raw_sha256": "sha256 of the original bytes.",
            "text_sha256": "sha256 of the stored text (newlines and Unicode NFC normalised).",
            "replaces": "The earlier source at the same path that this one replaces.",
        },
    },
    "proposal_decisions": {
        "description": "Proposals (offline proposer or a model) with the reviewer's decision.",
        "facets": counted("proposal_decisions"),
    },
    "model_calls": {
        "description": "Every model call: model, prompt hash, request and response, tokens, cost.",
        "facets": counted("model_calls"),
    },
    "sources": {
        "description": "Ledger table of sources, with their full text and bytes.",
        # What a reader table's source_id is shown by, on its pages and in its facets.
        "label_column": "title",
        "columns": CHAIN_COLUMNS,
    },
    "claims": {"description": "Ledger table: one row per claim ID.", "columns": CHAIN_COLUMNS},
    "claim_versions": {
        "description": "Ledger table: every version of every claim, with its span.",
        "columns": {**SPAN_COLUMNS, **CHAIN_COLUMNS},
    },  # fmt: skip
    # The ledger tables themselves carry no default facets: they grow without bound, and a
    # facet is a GROUP BY over the whole table on every page. Readers facet the reader tables.
    "stance_events": {
        "description": "Ledger table of stance events, with their spans.",
        "columns": {**SPAN_COLUMNS, **CHAIN_COLUMNS},
    },  # fmt: skip
    "verdicts": {
        "description": "Ledger table: every verdict given, newest last.",
    },
    "status_changes": {
        "description": "Ledger table: retractions and supersessions.",
    },
    "proposals": {
        "description": "Ledger table: proposals with full provenance.",
    },
    "decisions": {
        "description": "Ledger table: reviewer decisions, undo rows included.",
    },
    "assignments": {"description": "Ledger table: proposals routed to reviewers (team review)."},
    "votes": {"description": "Ledger table: each assigned reviewer's decision, before settling."},
    "settlements": {
        "description": "Ledger table: how each team-reviewed proposal was settled (agreed or "
        "adjudicated), with the votes it resolves and those upheld."
    },
    "settings": {"description": "Ledger table: settings, e.g. require_second_reviewer."},
    "holds": {"description": "Ledger table: changes waiting for a second reviewer."},
    "confirmations": {"description": "Ledger table: second reviewers' confirmations."},
    # The machinery, hidden from the home and database pages (still at their own addresses):
    # the chain's spine, migrations, the search indexes (Datasette hides their shadow tables)
    # and the derived counts behind the default facets and table counts (ledger/counts.py).
    "ledger_entries": {
        "description": "The hash chain's spine: one row per ledger entry, in order.",
        "hidden": True,
    },
    **{name: {"hidden": True} for name in HIDDEN},
}


def _newest_matches(fts: str, table: str, rowid: str, columns: str) -> str:
    """SQL for the newest 100 rows of ``table`` matching :q in ``fts``, walked newest first.

    The table's own search box sorts every match before showing any (a common word in 83,000
    claims: 30 ms at a million); the index yields matches newest first, so this stops at 100.
    Superseded versions that match are skipped, so fewer than 100 rows can come back.
    """
    return (
        f"SELECT {columns} FROM (SELECT rowid AS r FROM {fts} "
        f"WHERE trim(replace(:q, '\"', '')) != '' "
        f"AND {fts} MATCH escape_fts(:q) ORDER BY rowid DESC LIMIT 100) AS m "
        f"JOIN {table} t ON t.{rowid} = m.r {source_of('t')} ORDER BY m.r DESC"
    )


# A canned query page opens with its parameters empty: each query then returns nothing at once
# rather than every row of the ledger.
QUERIES: dict[str, dict[str, Any]] = {
    "claims_by_actor": {
        "title": "Claims by actor",
        "description": "Every claim an actor took a stance on (part of a name is enough).",
        "sql": "SELECT s.claim_id, s.status, s.actor, s.quote, src.title AS source_title, "
        f"s.stated_on FROM stances s {source_of('s')} "
        "WHERE :actor != '' AND s.actor LIKE '%' || :actor || '%' ORDER BY s.stated_on, s.claim_id",
    },
    "denied_or_unconfirmed_by": {
        "title": "Claims denied or unconfirmed by an actor",
        "description": "What an actor denied or could not confirm, with the words that show it.",
        "sql": "SELECT s.claim_id, c.claim, s.status, s.quote, src.title AS source_title "
        f"FROM stances s JOIN current_claims c ON c.claim_id = s.claim_id {source_of('s')} "
        "WHERE :actor != '' AND s.stance IN ('denied', 'unconfirmed') "
        "AND s.actor LIKE '%' || :actor || '%'",
    },
    "conflicting_figures": {
        "title": "Conflicting figures for the same subject across sources",
        "description": "The figures active claims give for a subject (troops: soldiers, forces, "
        "infantry... count too), smallest first, with who gave each (asserted or confirmed it) "
        "and where; status_summary says who else took a stance on the claim.",
        # figure() and subject_match() are the plugin's SQL functions (publish/figures.py);
        # the search index finds the claims naming the subject, so no claim is read twice.
        "sql": "SELECT f.figure, f.claim_id, f.claim, s.actor, s.stance, "
        "src.title AS source_title, s.publisher, s.stated_on, "
        "f.stance_summary AS status_summary FROM (SELECT figure(c.claim, :subject) AS figure, "
        "c.claim_id, c.claim, c.stance_summary "
        "FROM current_claims c WHERE :subject != '' AND c.status = 'active' "
        "AND c.search_rowid IN (SELECT rowid FROM claim_versions_fts WHERE claim_versions_fts "
        "MATCH coalesce(subject_match(:subject), '\"\"'))) AS f "
        f"JOIN stances s ON s.claim_id = f.claim_id {source_of('s')} WHERE f.figure IS NOT NULL "
        "AND s.stance IN ('asserted', 'confirmed') "
        "ORDER BY figure_value(f.figure), f.claim_id, s.stance_rowid",
    },
    "acceptance_rate": {
        "title": "Acceptance rate by proposer, model and prompt",
        "description": "Standing review decisions (undone ones left out), from kept counts.",
        "sql": ACCEPTANCE_SQL,
    },
    "search_claims": {
        "title": "Search claims, newest first",
        "description": "The newest 100 claims whose current text or quote has every word "
        "(read straight from the search index: as fast for a common word as for a rare one).",
        "sql": _newest_matches(
            "claim_versions_fts",
            "current_claims",
            "search_rowid",
            "t.claim_id, t.claim, t.verdict, t.stance_summary, src.title AS source_title, "
            "t.publisher",
        ),
    },  # fmt: skip
    "search_quotes": {
        "title": "Search quotes and actors, newest first",
        "description": "The newest 100 stance events whose quote or actor has every word.",
        "sql": _newest_matches(
            "stance_events_fts",
            "stances",
            "stance_rowid",
            "t.claim_id, t.status, t.quote, src.title AS source_title, t.stated_on",
        ),
    },  # fmt: skip
    "agreement_pairs": {
        "title": "Reviewer agreement by pair (team review)",
        "description": "For each pair of reviewers, on the decision and on the stance: the "
        "proposals both voted on, observed agreement and Cohen's kappa (docs/agreement.md).",
        "sql": PAIRS_SQL,
    },
    "agreement_overall": {
        "title": "Reviewer agreement overall (team review)",
        "description": "On the decision and on the stance: the proposals with two or more votes, "
        "the share on which all agree, and Krippendorff's alpha (nominal).",
        "sql": ALPHA_SQL,
    },
    "reviewer_counts": {
        "title": "Per-reviewer counts (team review)",
        "description": "Each reviewer's proposals voted on, settled by agreement, adjudicated, "
        "and overturned in adjudication.",
        "sql": COUNTS_SQL,
    },
    "claim_history": {
        "title": "One claim's full history",
        "description": "Every version, stance, verdict, status change and decision of a claim ID, "
        "in ledger order.",
        "sql": "SELECT seq, 'version ' || version AS event, text AS detail, reviewer AS who, "
        "recorded_at FROM claim_versions WHERE claim_id = :claim_id UNION ALL "
        "SELECT seq, stance || ' by ' || actor, quote, reviewer, recorded_at FROM stance_events "
        "WHERE claim_id = :claim_id UNION ALL SELECT seq, 'verdict ' || verdict, note, reviewer, "
        "recorded_at FROM verdicts WHERE claim_id = :claim_id UNION ALL SELECT seq, status, "
        "reason, reviewer, recorded_at FROM status_changes WHERE claim_id = :claim_id UNION ALL "
        "SELECT seq, 'decision ' || action, reason, reviewer, recorded_at FROM decisions "
        "WHERE claim_id = :claim_id ORDER BY seq",
    },
}


class Shared(dict[str, Any]):
    """A table's metadata entry that deep copies share instead of copying.

    Datasette 0.65.5 deep-copies the whole metadata for every table it checks permissions on
    (dozens on the index and database pages), which with descriptions for every column was most
    of those pages. The permission check only reads the copies; the one place that writes to an
    entry (inherited license and source) writes to the original in any case.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


def share_table_entries(meta: dict[str, Any]) -> None:
    """Make the table entries of each ledger in ``meta`` Shared (from metadata.json too)."""
    for database in (meta.get("databases") or {}).values():
        tables = database.get("tables") if isinstance(database, dict) else None
        if isinstance(tables, dict) and "ledger_entries" in tables:
            database["tables"] = {name: Shared(entry) for name, entry in tables.items()}
            # Datasette names each canned query in place (entry["name"]), on the original
            # entries in any case: sharing them with the copies changes nothing else.
            queries = database.get("queries") or {}
            database["queries"] = {name: Shared(entry) for name, entry in queries.items()}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for a ledger served as ``database``."""
    tables = {name: dict(entry) for name, entry in TABLES.items()}
    queries = {name: dict(entry) for name, entry in QUERIES.items()}  # Datasette names them
    return {
        "title": "factledger",
        "description": "A fact-checking and provenance ledger: claims with exact quotes from "
        "pinned sources, who said what about them, and the reviewers' verdicts. Append-only and "
        "hash-chained: every page shows the ledger head it was rendered from.",
        "license": "CC BY 4.0 (claims and reviews; quoted text belongs to its publishers)",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "factledger",
        "databases": {database: {"tables": tables, "queries": queries}},
    }
