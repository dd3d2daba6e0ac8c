"""Citations (cite, check, render) and exports (ClaimReview, Web Annotation, JSONL, CSV)."""

import csv
import io
import json

import pytest

from tests.conftest import SEED_A, add_kremlin, add_nato
from tests.schemaorg import validate


@pytest.fixture
def ledger_ids(seeded):
    current = add_nato(seeded).output.strip()
    add_kremlin(seeded, current)
    seeded("verdict", current, "unverified", "--note", "No independent confirmation.")
    retracted = add_nato(seeded).output.strip()
    seeded("retract", retracted, "--reason", "duplicate entry")
    old = add_nato(seeded).output.strip()
    new = add_nato(seeded).output.strip()
    seeded("supersede", old, new, "--reason", "clearer wording")
    edited = add_nato(seeded).output.strip()
    seeded("edit", edited, "--claim", "North Korean troops fight for Russia.", "--reason", "x")
    return {"current": current, "retracted": retracted, "old": old, "new": new, "edited": edited}


def test_check_flags_each_problem_and_exits_1(seeded, ledger_ids, workspace):
    ids = ledger_ids
    (workspace / "report.md").write_text(
        f"# Report\nTroops are fighting [{ids['current']}].\n"
        f"Unknown [FL-222222]. Retracted [{ids['retracted']}].\n"
        f"Superseded [{ids['old']}]. Old version [{ids['edited']}@1].\n"
    )
    r = seeded("check", "report.md", "--json")
    assert r.exit_code == 1
    states = {c["ref"]: (c["state"], c["detail"]) for c in json.loads(r.output)["citations"]}
    assert states[ids["current"]][0] == "ok"
    assert states["FL-222222"][0] == "unknown"
    assert states[ids["retracted"]] == ("retracted", "duplicate entry")
    assert states[ids["old"]] == ("superseded", f"superseded by {ids['new']}")
    assert states[f"{ids['edited']}@1"] == ("outdated", f"current version is {ids['edited']}@2")
    text = seeded("check", "report.md")
    assert "report.md:3: FL-222222: unknown" in text.output


def test_clean_report_exits_0(seeded, ledger_ids, workspace):
    ids = ledger_ids
    (workspace / "clean.md").write_text(f"A [{ids['current']}] and [{ids['edited']}@2].\n")
    r = seeded("check", "clean.md")
    assert r.exit_code == 0 and "all current" in r.output


def test_cite_formats(seeded, ledger_ids):
    cid = ledger_ids["current"]
    md = seeded("cite", cid).output
    assert f"[{cid}](http://127.0.0.1:8001/claims/{cid})" in md
    assert "unconfirmed by NATO (Mark Rutte); denied by Kremlin (Dmitry Peskov)" in md
    assert "verdict: **unverified**" in md and "ledger head" in md
    r = seeded("cite", f"{cid}@1", "--format", "json", "--base-url", "https://x.org")
    data = json.loads(r.output)
    assert data["permalink"] == f"https://x.org/claims/{cid}@1"
    assert data["source"]["title"].startswith("US Lawmaker")
    text = seeded("cite", cid, "--format", "text").output
    assert text.startswith(f"{cid}: North Korean soldiers")


def test_render_adds_footnotes_and_head(seeded, ledger_ids, workspace):
    cid = ledger_ids["current"]
    (workspace / "r.md").write_text(f"First [{cid}], again [{cid}], unknown [FL-222222].\n")
    assert seeded("render", "r.md", "-o", "out.md").exit_code == 0
    out = (workspace / "out.md").read_text()
    assert f"[{cid}][^1]" in out and out.count("[^1]") == 3  # two marks and one note
    assert "[^2]: FL-222222: not in this ledger." in out
    head = json.loads(seeded("head", "--json").output)
    assert out.rstrip().endswith(f"factledger head {head['head']} ({head['entries']} entries).")


def test_claimreview_export_validates_against_schemaorg(seeded, ledger_ids):
    seeded("verdict", ledger_ids["new"], "refuted")
    data = json.loads(seeded("export", "--format", "claimreview").output)
    assert len(data) == 2  # only claims with a verdict
    assert validate(data) == []
    by_claim = {d["url"].rsplit("/", 1)[1]: d for d in data}
    refuted = by_claim[ledger_ids["new"]]["reviewRating"]
    assert refuted == {"@type": "Rating", "alternateName": "refuted", "ratingValue": 1,
                       "bestRating": 5, "worstRating": 1}  # fmt: skip
    item = by_claim[ledger_ids["current"]]["itemReviewed"]
    assert item["@type"] == "Claim" and item["appearance"][0]["headline"].startswith("US Lawmaker")
    # NATO could not confirm it and the Kremlin denied it: neither is the claim's author.
    assert "author" not in item and "datePublished" not in item
    seeded("stance", ledger_ids["current"], "--source", f"corpus/{SEED_A}", "--quote",
           "around 1,500 North Korean soldiers", "--actor", "South Korea's spy agency",
           "--stance", "asserted")  # fmt: skip
    again = json.loads(seeded("export", "--format", "claimreview").output)
    item = {d["url"].rsplit("/", 1)[1]: d for d in again}[ledger_ids["current"]]["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "South Korea's spy agency"}
    assert validate(again) == []


def test_validator_catches_wrong_domain():
    bad = {"@type": "Claim", "claimReviewed": "x", "reviewRating": {"@type": "Rating"}}
    problems = validate(bad)
    assert any("claimReviewed: not a property of Claim" in p for p in problems)
    assert any("reviewRating: not a property of Claim" in p for p in problems)


def test_annotation_export_selectors_match_source(seeded, ledger_ids, workspace):
    anns = json.loads(seeded("export", "--format", "annotation").output)
    text = (workspace / "corpus" / SEED_A).read_text()
    assert anns and all(a["type"] == "Annotation" for a in anns)
    for a in anns:
        quote, pos = a["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and pos["type"] == "TextPositionSelector"
        assert text[pos["start"] : pos["end"]] == quote["exact"]
        assert text[: pos["start"]].endswith(quote["prefix"])
    assert any(a["body"]["value"] == "denied by Kremlin (Dmitry Peskov)" for a in anns)


def test_jsonl_and_csv(seeded, ledger_ids):
    lines = seeded("export", "--format", "jsonl").output.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 5 and {"id", "text", "status", "verdict", "permalink"} <= set(rows[0])
    table = list(csv.DictReader(io.StringIO(seeded("export", "--format", "csv").output)))
    assert len(table) == 5 and table[0]["stance_summary"].startswith("unconfirmed by NATO")
    assert {r["status"] for r in table} == {"active", "retracted", "superseded"}


def test_check_missing_report(seeded):
    r = seeded("check", "nope.md")
    assert r.exit_code == 1 and "nope.md: cannot read" in r.output


def test_cite_unknown_claim(seeded):
    r = seeded("cite", "FL-222222")
    assert r.exit_code == 1 and "no claim FL-222222" in r.output
