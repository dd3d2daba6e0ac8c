"""Derived reader tables: one row per claim, stance and proposal, kept current.

Views with correlated subqueries made Datasette's pages and facets scan the whole ledger on every
request (about a second at 100,000 claims). These tables are derived, like the full-text index:
not ledger rows, not chained, rebuilt from the ledger by ``rebuild`` and kept in step once per
transaction (``ledger/catchup.py``: the rows of the claims and proposals it touched are derived
again with the same SELECTs), so reads are indexed lookups at any size.
"""

from __future__ import annotations

from sqlite_utils import Database

from ledger.counts import COUNTED

# A decision counts unless a later undo row reverses it.
EFFECTIVE = (
    "SELECT d.* FROM decisions d WHERE d.action != 'undo' AND NOT EXISTS "
    "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.reverses = d.id)"
)


def standing(alias: str) -> str:
    """SQL: the stance event ``alias`` counts (a stance added by a review decision that was
    later undone no longer does)."""
    return (
        f"({alias}.decision_id IS NULL OR {alias}.decision_id NOT IN "
        "(SELECT reverses FROM decisions WHERE action = 'undo'))"
    )


STANDING = standing("e")


def _summary(claim: str) -> str:
    """SQL for a claim's stance summary: distinct 'stance by actor', first seen first.

    Each standing event whose 'stance by actor' no earlier standing event of the claim has, in
    ledger order: the (claim_id, seq) index gives that order and answers the probe, so a claim
    costs no sort (a GROUP BY and an ORDER BY here took two temporary b-trees a claim)."""
    said = "{0}.stance || ' by ' || {0}.actor"
    earlier = (
        f"SELECT 1 FROM stance_events f WHERE f.claim_id = {claim} AND f.seq < e.seq "
        f"AND {said.format('f')} = {said.format('e')} AND {standing('f')}"
    )
    return (
        "(SELECT group_concat(s, '; ') FROM ("
        f"SELECT {said.format('e')} AS s FROM stance_events e WHERE e.claim_id = {claim} "
        f"AND {STANDING} AND NOT EXISTS ({earlier}) ORDER BY e.seq))"
    )


def _claim_rows(where: str) -> str:
    """SQL selecting current_claims rows (``where`` picks the claims, e.g. one claim ID)."""
    # The latest version is one probe of the (claim_id, version) index, which holds its rowid
    # (a max() and then an equality lookup took two).
    return f"""
        SELECT c.id, v.version, v.text,
          coalesce((SELECT status FROM status_changes x WHERE x.claim_id = c.id
                    ORDER BY x.seq DESC LIMIT 1), 'active'),
          (SELECT successor_id FROM status_changes x WHERE x.claim_id = c.id
           ORDER BY x.seq DESC LIMIT 1),
          coalesce((SELECT verdict FROM verdicts d WHERE d.claim_id = c.id
                    ORDER BY d.seq DESC LIMIT 1), 'unreviewed'),
          {_summary("c.id")},
          v.source_id, src.publisher, v.quote, c.created_by, c.recorded_at, v.rowid
        FROM claims c
        JOIN claim_versions v ON v.rowid = (SELECT rowid FROM claim_versions w
          WHERE w.claim_id = c.id ORDER BY w.version DESC LIMIT 1)
        JOIN sources src ON src.id = v.source_id
        {where}"""


CLAIM_COLUMNS = (
    "claim_id, version, claim, status, superseded_by, verdict, stance_summary, source_id, "
    "publisher, quote, created_by, created_at, search_rowid"
)
STANCE_COLUMNS = (
    "stance_id, claim_id, stance, actor, status, quote, stated_on, source_id, publisher, "
    "reviewer, proposal_id, recorded_at, stance_rowid"
)


def _stance_rows(alias: str, source: str) -> str:
    """SQL selecting stances rows for stance events named ``alias`` (``source``: the FROM)."""
    return (
        f"SELECT {alias}.id, {alias}.claim_id, {alias}.stance, {alias}.actor, "
        f"{alias}.stance || ' by ' || {alias}.actor, {alias}.quote, {alias}.stated_on, "
        f"{alias}.source_id, src.publisher, {alias}.reviewer, {alias}.proposal_id, "
        f"{alias}.recorded_at, {alias}.rowid FROM {source}"
    )


PROPOSAL_COLUMNS = (
    "proposal_id, source_id, claim, actor, stance, quote, anchoring, anchor_score, proposer, "
    "model, prompt_name, prompt_hash, model_call_id, decision, reviewer, reason, claim_id, "
    "decided_at"
)


def _proposal_rows(where: str) -> str:
    """SQL selecting proposal_decisions rows: each proposal with its standing decision."""
    return f"""
        SELECT p.id, p.source_id, p.claim, p.actor, p.stance, p.quote, p.anchoring,
          p.anchor_score, p.proposer, p.model, p.prompt_name, p.prompt_hash, p.model_call_id,
          d.action, d.reviewer, d.reason, d.claim_id, d.recorded_at
        FROM proposals p LEFT JOIN decisions d ON d.id = (
          SELECT x.id FROM ({EFFECTIVE}) x WHERE x.proposal_id = p.id ORDER BY x.seq DESC LIMIT 1)
        {where}"""


def create_proposal_decisions(db: Database) -> None:
    """The proposal_decisions reader table and its indexes."""
    db.execute(
        "CREATE TABLE proposal_decisions (proposal_id TEXT PRIMARY KEY, source_id TEXT, "
        "claim TEXT, actor TEXT, stance TEXT, quote TEXT, anchoring TEXT, anchor_score FLOAT, "
        "proposer TEXT, model TEXT, prompt_name TEXT, prompt_hash TEXT, model_call_id TEXT, "
        "decision TEXT, "
        "reviewer TEXT, reason TEXT, claim_id TEXT, decided_at TEXT)"
    )
    for col in ("decision", "proposer", "model", "anchoring", "source_id", "claim_id"):
        db.execute(
            f"CREATE INDEX idx_proposal_decisions_{col} ON proposal_decisions ({col}, proposal_id)"
        )


def refresh_proposals(where: str) -> str:
    """The statement deriving again the proposal_decisions rows of the proposals ``where``
    picks (a condition on ``p``, the proposal)."""
    rows = _proposal_rows(f"WHERE {where}")
    return f"INSERT OR REPLACE INTO proposal_decisions ({PROPOSAL_COLUMNS}) {rows}"


def refresh_claims(ids: str) -> str:
    """The statement deriving again the current_claims rows of the claims whose IDs the query
    ``ids`` selects."""
    # In ledger order (the claims' rowids, sorted by SQLite for the IN): the claims, versions
    # and stance events a bulk append wrote are then read in the order they were written, page
    # after page, not at random (most of them have left the page cache by then; figures in
    # docs/performance.md), and its new rows come in search_rowid order, so the page indexes,
    # which end in it, grow at their right edge instead of taking random inserts.
    rows = _claim_rows(f"WHERE c.rowid IN (SELECT rowid FROM claims WHERE id IN ({ids}))")
    return f"INSERT OR REPLACE INTO current_claims ({CLAIM_COLUMNS}) {rows} ORDER BY c.rowid"


def insert_stances(where: str) -> str:
    """The statement adding the stances rows of the stance events ``where`` picks (on ``e``)."""
    rows = _stance_rows(
        "e", f"stance_events e JOIN sources src ON src.id = e.source_id WHERE {where}"
    )
    return f"INSERT INTO stances ({STANCE_COLUMNS}) {rows}"


def rebuild_proposal_decisions(db: Database) -> None:
    """Fill proposal_decisions from the ledger."""
    db.execute("DELETE FROM proposal_decisions")
    db.execute(f"INSERT INTO proposal_decisions ({PROPOSAL_COLUMNS}) {_proposal_rows('')}")


# The source is its ID, declared a reference to sources: Datasette shows a foreign key with its
# row's title as the label (on pages, in facets), so the reader rows need not copy the title
# (about 90 characters, and four page indexes on it, per stance) to show it.
SOURCE_ID = "source_id TEXT REFERENCES sources(id)"


def source_of(alias: str) -> str:
    """SQL joining the reader row ``alias`` to its source, as ``src`` (a query showing the
    source's title selects ``src.title AS source_title``)."""
    return f"LEFT JOIN sources src ON src.id = {alias}.source_id"


def create(db: Database) -> None:
    """Create the reader tables current_claims and stances, and their indexes."""
    db.execute(
        "CREATE TABLE current_claims (claim_id TEXT PRIMARY KEY, version INTEGER, claim TEXT, "
        f"status TEXT, superseded_by TEXT, verdict TEXT, stance_summary TEXT, {SOURCE_ID}, "
        "publisher TEXT, quote TEXT, created_by TEXT, created_at TEXT, search_rowid INTEGER)"
    )
    db.execute(
        "CREATE TABLE stances (stance_id TEXT PRIMARY KEY, claim_id TEXT, stance TEXT, actor TEXT, "
        f"status TEXT, quote TEXT, stated_on TEXT, {SOURCE_ID}, publisher TEXT, reviewer TEXT, "
        "proposal_id TEXT, recorded_at TEXT, stance_rowid INTEGER)"
    )
    # Datasette orders a filtered table by its primary key, so each filter column is indexed
    # together with the key: "actor = ? ORDER BY stance_id" then reads 20 rows, not sorts 25,000.
    for table, pk, cols in (
        ("current_claims", "claim_id", ["verdict", "status", "publisher", "source_id"]),
        ("stances", "stance_id", ["claim_id", "actor", "stance", "publisher", "source_id"]),
    ):
        for col in cols:
            db.execute(f"CREATE INDEX idx_{table}_{col} ON {table} ({col}, {pk})")
    db.execute("CREATE INDEX idx_current_claims_search ON current_claims (search_rowid)")
    db.execute("CREATE INDEX idx_stances_search ON stances (stance_rowid)")


# Pages list claims and stances newest first (search_rowid / stance_rowid: the full-text index's
# own order, so a search reads 25 matches instead of sorting all of them). Each filter column,
# and each pair of facet columns, is indexed with that order: "actor = ? ORDER BY stance_rowid
# DESC" reads 25 rows, and a pair that matches nothing ("actor=Pentagon&stance=denied") is one
# probe, not a walk through every row of the first value (over a second at a million claims).
PAGE_ORDER = {
    "current_claims": ("search_rowid", ["verdict", "status", "publisher", "source_id"]),
    "stances": ("stance_rowid", ["claim_id", "actor", "stance", "publisher", "source_id"]),
    "proposal_decisions": ("proposal_id", []),  # its filter indexes end in the key already
}


def index_pages(db: Database) -> None:
    """Index the reader tables' filters and facet pairs with page order (replacing the
    (filter, key) indexes of current_claims and stances)."""
    for table, (order, filters) in PAGE_ORDER.items():
        facets = COUNTED[table][1]
        keys: list[tuple[str, ...]] = [(c,) for c in filters]
        keys += [(a, b) for i, a in enumerate(facets) for b in facets[i + 1 :]]
        for key in keys:
            if len(key) == 1:
                db.execute(f"DROP INDEX IF EXISTS idx_{table}_{key[0]}")
            name = f"idx_{table}_{'_'.join(key)}_page"
            db.execute(f"CREATE INDEX {name} ON {table} ({', '.join(key)}, {order})")


def rebuild(db: Database) -> None:
    """Fill the reader tables from the ledger (after creating them, or to repair them)."""
    db.execute("DELETE FROM current_claims")
    db.execute("DELETE FROM stances")
    db.execute(f"INSERT INTO current_claims ({CLAIM_COLUMNS}) {_claim_rows('')}")
    rows = _stance_rows("e", "stance_events e JOIN sources src ON src.id = e.source_id")
    db.execute(f"INSERT INTO stances ({STANCE_COLUMNS}) {rows}")


def derivations() -> dict[str, tuple[str, str, str]]:
    """Each reader table: its key, its columns, and the SELECT deriving its rows from the ledger."""
    stance_from = "stance_events e JOIN sources src ON src.id = e.source_id"
    return {
        "current_claims": ("claim_id", CLAIM_COLUMNS, _claim_rows("")),
        "stances": ("stance_id", STANCE_COLUMNS, _stance_rows("e", stance_from)),
        "proposal_decisions": ("proposal_id", PROPOSAL_COLUMNS, _proposal_rows("")),
    }
