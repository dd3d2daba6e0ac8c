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
    (workspace / "r.md").write_text(f"First [{cid}], again [{cid}], pinned [{cid}@1].\n")
    assert seeded("render", "r.md", "-o", "out.md").exit_code == 0
    out = (workspace / "out.md").read_text()
    assert f"[{cid}][^1]" in out and out.count("[^1]") == 3  # two marks and one note
    assert f"[^2]: {cid}@1: North Korean soldiers" in out
    head = json.loads(seeded("head", "--json").output)
    assert out.rstrip().endswith(f"factledger head {head['head']} ({head['entries']} entries).")


BAD_REPORT = """# Report
Fighting [{current}]. Unknown [FL-222222].
Retracted [{retracted}]. Superseded [{old}].
Old version [{edited}@1]. Typed by hand [fl-{lower}].
"""


def test_render_refuses_a_bad_citation_and_writes_nothing(seeded, ledger_ids, workspace):
    ids = ledger_ids
    (workspace / "bad.md").write_text(BAD_REPORT.format(**ids, lower=ids["current"][3:].lower()))
    r = seeded("render", "bad.md", "-o", "out.md")
    assert r.exit_code == 1
    assert not (workspace / "out.md").exists()
    lines = r.output.strip().splitlines()
    assert lines[:-1] == [
        "bad.md:2: FL-222222: unknown — no claim FL-222222 in ledger.db",
        f"bad.md:3: {ids['retracted']}: retracted — duplicate entry",
        f"bad.md:3: {ids['old']}: superseded — superseded by {ids['new']}",
        f"bad.md:4: {ids['edited']}@1: outdated — current version is {ids['edited']}@2",
        f"bad.md:4: fl-{ids['current'][3:].lower()}: malformed — not a citation: write "
        f"[{ids['current']}] (upper case, no spaces)",
    ]
    assert lines[-1].startswith("Error: bad.md: 5 citations with problems; nothing written")
    r = seeded("render", "bad.md", "-o", "out.md", "--allow-problems")
    assert r.exit_code == 0, r.output
    notes = [
        line for line in (workspace / "out.md").read_text().splitlines() if line.startswith("[^")
    ]
    assert notes[0].startswith(f"[^1]: {ids['current']}: ")
    assert notes[1] == "[^2]: **UNKNOWN:** `FL-222222`: no claim FL-222222 in ledger.db."
    assert notes[2].startswith(f"[^3]: **RETRACTED:** duplicate entry. {ids['retracted']}: ")
    assert notes[3].startswith(f"[^4]: **SUPERSEDED:** superseded by {ids['new']}. {ids['old']}:")
    assert notes[4].startswith(f"[^5]: **OUTDATED:** current version is {ids['edited']}@2. ")
    assert notes[5].startswith(f"[^6]: **MALFORMED:** `fl-{ids['current'][3:].lower()}`: ")


def _parse(text):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark").use(footnote_plugin)
    inline = [t for tok in md.parse(text) if tok.type == "inline" for t in tok.children]
    labels = {tok.meta["label"] for tok in md.parse(text) if tok.type == "footnote_open"}
    return inline, labels


def test_rendered_cite_output_stays_valid_commonmark(seeded, ledger_ids, workspace):
    cid = ledger_ids["current"]
    cited = seeded("cite", cid).output.strip()
    assert " > " not in cited and "\n" not in cited
    (workspace / "r.md").write_text(
        f"# Troops\n\nAs recorded: {cited}\n\nSee also [{cid}] and [{ledger_ids['edited']}@2][].\n"
    )
    assert seeded("render", "r.md", "-o", "out.md").exit_code == 0
    out = (workspace / "out.md").read_text()
    inline, labels = _parse(out)
    refs = [t for t in inline if t.type == "footnote_ref"]
    assert [t.meta["label"] for t in refs] == ["1", "1", "2"]
    assert {t.meta["label"] for t in refs} <= labels  # every footnote resolves
    assert not [t for t in inline if t.type == "text" and "[^" in t.content]
    links = [(t.attrs["href"], inline[i + 1].content) for i, t in enumerate(inline)
             if t.type == "link_open"]  # fmt: skip
    assert (f"http://127.0.0.1:8001/claims/{cid}", cid) in links  # the cite link is intact
    # the footnote follows the link rather than splitting it
    assert f"[{cid}](http://127.0.0.1:8001/claims/{cid})[^1]" in out


def test_cite_markdown_escapes_claim_text(seeded, workspace):
    from tests.conftest import NATO_QUOTE, SEED_A

    r = seeded("add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim",
               "Troops *are* fighting [FL-222222] <b>now</b>.", "--actor", "NATO", "--stance",
               "unconfirmed")  # fmt: skip
    cid = r.output.strip()
    cited = seeded("cite", cid).output.strip()
    inline, _ = _parse(cited)
    assert [t.type for t in inline if t.type not in ("text", "softbreak")] == [
        "link_open", "link_close", "em_open", "em_close", "strong_open", "strong_close"]  # fmt: skip
    (workspace / "r.md").write_text(cited + "\n")
    assert json.loads(seeded("check", "r.md", "--json").output)["citations"] == [
        {"ref": cid, "state": "ok", "detail": "unconfirmed by NATO", "line": 1}
    ]


def test_check_reports_near_miss_citations(seeded, workspace):
    (workspace / "r.md").write_text(
        "Troops [FL-USMH2O] and [fl-usmh26] and [FL-USMH26@0].\n"
        "Not citations: [flowers], [FL], [^1], [link](http://x).\n"
    )
    r = seeded("check", "r.md")
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "r.md:1: FL-USMH2O: malformed — not a claim ID: claim IDs have no O (they use "
        "23456789ABCDEFGHJKMNPQRSTUVWXYZ)",
        "r.md:1: fl-usmh26: malformed — not a citation: write [FL-USMH26] (upper case, no spaces)",
        "r.md:1: FL-USMH26@0: malformed — not a citation: the version after @ must be a whole "
        "number from 1",
        "3 citations, problems found",
    ]


def test_check_huge_version_is_one_line(seeded, workspace):
    (workspace / "r.md").write_text("Troops [FL-USMH26@" + "9" * 5000 + "].\n")
    r = seeded("check", "r.md")
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "r.md:1: FL-USMH26@99999999999999999999… (5010 characters): malformed — version "
        "number too long (5000 digits): no claim has it",
        "1 citations, problems found",
    ]


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
