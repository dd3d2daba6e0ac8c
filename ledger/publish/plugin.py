"""The factledger Datasette plugin: claim permalinks, linked claim IDs, escaped pages.

Registered through the ``datasette`` entry point, so ``datasette ledger.db`` loads it whenever
factledger is installed. Templates live in ``ledger/publish/templates``.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from ledger.ids import ALPHABET, CLAIM_LEN, CLAIM_PREFIX
from ledger.publish.facets import PAGE_COUNT
from ledger.publish.home import STYLE_PATH, VERIFY_PATH, style, verify_script
from ledger.publish.search import COLUMN_SEARCH
from ledger.urls import http_url

REF = rf"{CLAIM_PREFIX}[{ALPHABET}]{{{CLAIM_LEN}}}(?:@[1-9][0-9]*)?"
REF_RE = re.compile(rf"^{REF}$")
PASSAGE_CHARS = 240


def _ledger_db(datasette: Any) -> Any:
    for name, db in datasette.databases.items():
        if name != "_internal" and not db.is_memory:
            return db
    raise LookupError("no ledger database is being served")


def _claim_data(conn: Any, ref: str, base: str) -> dict[str, Any]:
    from ledger.errors import LedgerError
    from ledger.export import review_of
    from ledger.store import Ledger
    from ledger.views import get_claim

    ledger = Ledger.reading(conn)
    try:
        claim = get_claim(ledger, ref)
    except LedgerError as e:
        return {"error": str(e)}
    # ClaimReview is the reviewers' rating: a claim nobody has rated yet has none to publish.
    claimreview = review_of(claim, base) if claim["verdict"] != "unreviewed" else None
    spans = [*claim["stance_events"], *claim["versions"]]
    ids = sorted({s["source_id"] for s in spans})
    sources = ledger.all(
        "SELECT id, title, publisher, author, url, published, raw_sha256, text FROM sources "
        f"WHERE id IN ({', '.join('?' for _ in ids)}) ORDER BY seq",
        ids,
    )
    texts = {src["id"]: src.pop("text") for src in sources}
    for src in sources:  # a link a reader can follow safely, or none
        src["url"] = http_url(src["url"])
    for s in spans:
        text = texts[s["source_id"]]
        s["before"] = text[max(0, s["start"] - PASSAGE_CHARS) : s["start"]]
        s["after"] = text[s["end"] : s["end"] + PASSAGE_CHARS]
    provenance = _provenance(ledger, claim)
    head = ledger.head()
    from ledger.tlog import page_proof

    return {
        "transparency": page_proof(ledger, claim["ref"]),
        "claim": claim,
        "sources": sources,
        "provenance": provenance,
        "head": {"entries": head.count, "hash": head.hash},
        "claimreview": claimreview,
    }


def _provenance(ledger: Any, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """proposal -> model call -> decision -> versions, for every proposal behind the claim."""
    chain = []
    ids = {
        r["proposal_id"] for r in [*claim["versions"], *claim["stance_events"]] if r["proposal_id"]
    }
    for pid in sorted(ids):
        p = ledger.one(
            "SELECT id, proposer, proposer_version, model, prompt_name, prompt_hash, anchoring, "
            "model_call_id, recorded_at FROM proposals WHERE id = ?",
            [pid],
        )
        call = p and p["model_call_id"] and ledger.one(
            "SELECT id, model, resolved_model, input_tokens, output_tokens, cost, duration_ms "
            "FROM model_calls WHERE id = ?", [p["model_call_id"]])  # fmt: skip
        decisions = ledger.all("SELECT id, action, reviewer, reason, recorded_at FROM decisions "
                               "WHERE proposal_id = ? ORDER BY seq", [pid])  # fmt: skip
        chain.append({"proposal": p, "model_call": call or None, "decisions": decisions})
    return chain


async def claim_page(datasette: Any, request: Any) -> Response:
    """``/claims/ID``, ``/claims/ID@N``, and ``.json`` / ``.jsonld`` alongside.

    An ID typed in lower case is sent on to its canonical address; anything that is not a
    claim ID gets this page's own 404, not Datasette's "database not found".
    """
    ref, ext = request.url_vars["ref"], request.url_vars.get("ext") or ""
    if ref != ref.upper() and REF_RE.match(ref.upper()):
        return Response.redirect(datasette.urls.path(f"/claims/{ref.upper()}{ext}"))
    db = _ledger_db(datasette)
    # The page's own address (with Datasette's base_url), unless the ledger is published
    # elsewhere (behind a CDN, say).
    base = os.environ.get("FACTLEDGER_BASE_URL") or datasette.absolute_url(
        request, datasette.urls.path("/")
    ).rstrip("/")
    data = await db.execute_fn(lambda conn: _claim_data(conn, ref, base))
    if "error" in data:
        if ext:
            return Response.json({"ok": False, "error": data["error"]}, status=404)
        html = await datasette.render_template(
            "claim_missing.html", {"ref": ref, "error": data["error"]}, request=request
        )
        return Response.html(html, status=404)
    if ext == ".json":
        return Response.json(
            {"ok": True, **{k: v for k, v in data.items() if k != "claimreview"}}, default=str
        )
    if ext == ".jsonld" and data["claimreview"] is None:
        error = (
            f"{data['claim']['ref']} has no verdict yet: ClaimReview is published once it has one"
        )
        return Response.json({"ok": False, "error": error}, status=404)
    if ext == ".jsonld":
        return Response(json.dumps(data["claimreview"], ensure_ascii=False, indent=2),
                        content_type="application/ld+json; charset=utf-8")  # fmt: skip
    jsonld = data["claimreview"] and json.dumps(data["claimreview"], ensure_ascii=False)
    # As script data: no "<" at all, so no text in it can end the script element.
    proof = data["transparency"] and json.dumps(data["transparency"], ensure_ascii=False).replace(
        "<", "\\u003c"
    )
    context = {**data, "database": db.name, "jsonld": jsonld, "proof_json": proof}
    html = await datasette.render_template("claim.html", context, request=request)
    return Response.html(html)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Refuse every request that is not a read: this server only ever shows the ledger.
    Mark a request with a column search (publish/search.py)."""

    def wrap(app: Any) -> Any:
        async def read_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                await Response.text("factledger: this server is read-only\n", status=405).asgi_send(
                    send
                )
                return
            # A table page's column search; never a page running a reader's own SQL. The keys
            # are read decoded, as Datasette reads them.
            keys = {k for k, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"))}
            column_search = any(k.startswith("_search_") for k in keys) and "sql" not in keys
            token = COLUMN_SEARCH.set(column_search)
            counted = PAGE_COUNT.set(None)
            try:
                await app(scope, receive, send)
            finally:  # seen by this request's queries only
                COLUMN_SEARCH.reset(token)
                PAGE_COUNT.reset(counted)

        return read_only

    return wrap


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    """``/claims/...``: every address under it, unless a database is served as ``claims``
    (``--db claims.db``), whose pages then keep it except for claim IDs."""
    served_as_claims = any(db.route == "claims" for db in datasette.databases.values())
    ref = rf"(?i:{CLAIM_PREFIX}[^/]*?)" if served_as_claims else r"[^/]+?"
    return [
        (rf"^/claims/(?P<ref>{ref})(?P<ext>\.json|\.jsonld)?$", claim_page),
        (rf"^{re.escape(STYLE_PATH)}$", style),
        (rf"^{re.escape(VERIFY_PATH)}$", verify_script),
    ]


@hookimpl
def render_cell(value: Any, column: str, database: str, datasette: Any) -> Markup | None:
    if isinstance(value, str) and REF_RE.match(value):
        href = datasette.urls.path(f"/claims/{value}")
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column == "source_id" and isinstance(value, dict) and value.get("label") is None:
        # A source with no title: its ID alone, where Datasette would show the label "None".
        source = str(value["value"])
        href = datasette.urls.row(database, "sources", tilde_encode(source))
        return Markup(f'<a href="{escape(href)}">{escape(source)}</a>')
    return None
