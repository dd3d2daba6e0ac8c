"""Exports: schema.org ClaimReview JSON-LD, W3C Web Annotation JSON-LD, JSON Lines and CSV.

Exported shapes are pydantic models with ``extra="forbid"``, so a typo in a property name fails
here rather than in someone else's validator.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledger.errors import InputError
from ledger.models import VERDICT_RATING
from ledger.reports import permalink
from ledger.store import Ledger
from ledger.urls import http_url
from ledger.views import get_claim, list_claims

FORMATS = ("claimreview", "annotation", "jsonl", "csv")


class _LD(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Organization(_LD):
    type: str = Field(default="Organization", serialization_alias="@type")
    name: str


class Rating(_LD):
    type: str = Field(default="Rating", serialization_alias="@type")
    alternateName: str
    ratingValue: int | None = None
    bestRating: int | None = None
    worstRating: int | None = None


class Appearance(_LD):
    type: str = Field(default="CreativeWork", serialization_alias="@type")
    url: str | None = None
    headline: str | None = None
    publisher: Organization | None = None
    datePublished: str | None = None


class ClaimItem(_LD):
    type: str = Field(default="Claim", serialization_alias="@type")
    author: Organization | None = None
    datePublished: str | None = None
    appearance: list[Appearance]


class ClaimReview(_LD):
    context: str = Field(default="https://schema.org", serialization_alias="@context")
    type: str = Field(default="ClaimReview", serialization_alias="@type")
    url: str
    claimReviewed: str
    reviewRating: Rating
    author: Organization
    datePublished: str
    itemReviewed: ClaimItem


def claim_review(ledger: Ledger, ref: str, base: str | None = None) -> dict[str, Any]:
    """One claim as schema.org ClaimReview JSON-LD."""
    return review_of(get_claim(ledger, ref), base)


def review_of(c: dict[str, Any], base: str | None = None) -> dict[str, Any]:
    """ClaimReview JSON-LD for a claim as ``views.get_claim`` returns it."""
    rating = VERDICT_RATING.get(c["verdict"])
    # The claim's author is who asserted it (else who confirmed it); an actor who denied it or
    # could not confirm it did not make it, so such a claim has no author here.
    first = next((s for s in c["stance_events"] if s["stance"] == "asserted"), None) or next(
        (s for s in c["stance_events"] if s["stance"] == "confirmed"), None
    )
    appearances = []
    for s in c["stance_events"]:
        a = Appearance(
            url=http_url(s["source_url"]),  # never a javascript: link, even from an old row
            headline=s["source_title"],
            publisher=Organization(name=s["source_publisher"]) if s["source_publisher"] else None,
            datePublished=s["source_published"],
        )
        if a not in appearances:
            appearances.append(a)
    verdict_row = c["verdicts"][-1] if c["verdicts"] else None
    review = ClaimReview(
        url=permalink(c["id"], base),
        claimReviewed=c["text"],
        reviewRating=Rating(
            alternateName=c["verdict"].replace("_", " "),
            ratingValue=rating,
            bestRating=5 if rating else None,
            worstRating=1 if rating else None,
        ),
        author=Organization(name=os.environ.get("FACTLEDGER_PUBLISHER", "factledger")),
        datePublished=(verdict_row or {"recorded_at": c["created_at"]})["recorded_at"][:10],
        itemReviewed=ClaimItem(
            author=Organization(name=first["actor"]) if first else None,
            datePublished=first["stated_on"] if first else None,
            appearance=appearances,
        ),
    )
    return review.model_dump(exclude_none=True, by_alias=True)


def web_annotations(ledger: Ledger, base: str | None = None) -> list[dict[str, Any]]:
    """One W3C Web Annotation per span (claim versions and stance events)."""
    rows = ledger.all(
        "SELECT 'version' AS kind, id, claim_id, source_id, start, end, quote, prefix, suffix, "
        "text AS body, recorded_at FROM claim_versions UNION ALL "
        "SELECT 'stance', id, claim_id, source_id, start, end, quote, prefix, suffix, "
        "stance || ' by ' || actor, recorded_at FROM stance_events ORDER BY recorded_at"
    )
    sources = {s["id"]: s for s in ledger.all("SELECT id, url, text_sha256 FROM sources")}
    out = []
    for r in rows:
        src = sources[r["source_id"]]
        out.append(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": f"{permalink(r['claim_id'], base)}#{r['id']}",
                "type": "Annotation",
                "motivation": "assessing" if r["kind"] == "stance" else "describing",
                "created": r["recorded_at"],
                "body": {"type": "TextualBody", "value": r["body"], "format": "text/plain"},
                "target": {
                    "source": http_url(src["url"]) or f"urn:sha256:{src['text_sha256']}",
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": r["quote"],
                         "prefix": r["prefix"], "suffix": r["suffix"]},
                        {"type": "TextPositionSelector", "start": r["start"], "end": r["end"]},
                    ],
                },
            }
        )  # fmt: skip
    return out


CSV_FIELDS = ("id", "version", "text", "status", "verdict", "stance_summary")


def export(ledger: Ledger, fmt: str, base: str | None = None) -> str:
    """The whole ledger's current claims in one of FORMATS, as text."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    claims = list_claims(ledger)
    if fmt == "claimreview":
        reviewed = [
            claim_review(ledger, c["id"], base) for c in claims if c["verdict"] != "unreviewed"
        ]
        return json.dumps(reviewed, indent=2, ensure_ascii=False) + "\n"
    if fmt == "annotation":
        return json.dumps(web_annotations(ledger, base), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(
            json.dumps({**c, "permalink": permalink(c["id"], base)}, ensure_ascii=False) + "\n"
            for c in claims
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*CSV_FIELDS, "permalink"], extrasaction="ignore")
    writer.writeheader()
    for c in claims:
        writer.writerow({**c, "permalink": permalink(c["id"], base)})
    return buf.getvalue()
