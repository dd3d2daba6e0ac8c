"""A stance listed under its claim whose quote was found only fuzzily: the reviewer confirms the
source's words on the grouped card or in the review file, as for a claim's own quote."""

from __future__ import annotations

import json

import pexpect
import pytest
import yaml

from ledger.errors import InputError
from ledger.propose import store_proposals
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.review import grouping
from ledger.store import Ledger
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, SEED_A, spawn_review

FUZZY = "Kremlin spokesman Dmitri Peskov dismissed these report"  # found only fuzzily
CLAIM = "North Korean soldiers are actively engaged in the war against Ukraine."


@pytest.fixture
def grouped(seeded, workspace):
    """A claim proposal (exact quote) with one linked stance found only fuzzily: their IDs."""
    with Ledger(workspace / "ledger.db") as ledger:
        src = ledger.one("SELECT * FROM sources WHERE path LIKE ?", [f"%{SEED_A}"])
        info = ProposerInfo(proposer="llm", proposer_version="t", model="test/model")
        items = [
            ProposedClaim(claim=CLAIM, actor="NATO", stance="unconfirmed", quote=NATO_QUOTE),
            ProposedClaim(claim=CLAIM, actor="Kremlin", stance="denied", quote=FUZZY, stance_on=0),
        ]
        run = store_proposals(ledger, src, items, info)
        head, stance = (p["id"] for p in run.proposals)
        anchoring = ledger.one("SELECT anchoring, stance_on FROM proposals WHERE id = ?", [stance])
    assert anchoring == {"anchoring": "fuzzy", "stance_on": head}
    return head, stance


def _stance_events(seeded):
    claims = json.loads(seeded("claims", "--json").output)
    return [
        e
        for c in claims
        for e in json.loads(seeded("show", c["id"], "--json").output)["stance_events"]
    ]


def test_a_asks_to_confirm_the_linked_stance_and_n_decides_nothing(grouped, seeded, workspace):
    child = spawn_review(workspace)
    child.expect(r"1\. denied by Kremlin — “[^”]*”  \[FUZZY \d+\.\d: confirm it\]")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("a")
    child.expect("Do they show “denied by Kremlin”")
    child.expect(r"\[y confirm the quote / e edit it / any other key: back\]")
    child.send("n")
    child.expect("not decided: stance 1's fuzzily found quote was not confirmed")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    assert json.loads(seeded("claims", "--json").output) == []
    child.send("a")
    child.expect(r"\[y confirm the quote")
    child.send("y")
    child.expect("with 2 stance events")
    child.send("q")
    child.expect(pexpect.EOF)
    events = _stance_events(seeded)
    assert sorted(e["quote"] for e in events) == sorted([NATO_QUOTE, KREMLIN_QUOTE])
    assert seeded("verify").exit_code == 0


def test_review_file_stance_needs_confirm_quote(grouped, seeded, workspace):
    head, stance = grouped
    assert seeded("review", "--all", "--export", "reviews/g.yaml").exit_code == 0
    path = workspace / "reviews" / "g.yaml"
    data = yaml.safe_load(path.read_text())
    (item,) = data["items"]
    (nested,) = item["stances"]
    assert item["proposal"] == head and "confirm_quote" not in item
    assert nested["proposal"] == stance and nested["confirm_quote"] is False
    item["decision"] = "accept"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    refused = seeded("review", "--apply", "reviews/g.yaml")
    assert refused.exit_code == 1
    assert "item 1: stance 1:" in refused.output and "found only fuzzily" in refused.output
    assert json.loads(seeded("claims", "--json").output) == []  # the claim's accept rolled back
    nested["confirm_quote"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    applied = seeded("review", "--apply", "reviews/g.yaml")
    assert applied.exit_code == 0, applied.output
    assert sorted(e["quote"] for e in _stance_events(seeded)) == sorted([NATO_QUOTE, KREMLIN_QUOTE])


def test_grouped_form_lets_an_unchanged_fuzzy_stance_quote_through(grouped, workspace):
    head, stance = grouped
    with Ledger(workspace / "ledger.db") as ledger:
        p = ledger.one("SELECT * FROM proposals WHERE id = ?", [head])
        edits = {k: p[k] for k in ("claim", "actor", "stance", "quote")}
        kept = {"actor": "Kremlin", "stance": "denied", "quote": KREMLIN_QUOTE}
        grouping.check_edits(ledger, p, edits, {stance: kept})  # asked to confirm next
        with pytest.raises(InputError, match="stance 1 .*not in source"):
            grouping.check_edits(ledger, p, edits, {stance: kept | {"quote": "no such words"}})
        with pytest.raises(InputError, match="found only fuzzily"):
            grouping.decide_group(ledger, head, {stance: "accept"}, reviewer="r")
        assert ledger.count("claims") == 0
        outs = grouping.decide_group(
            ledger, head, {stance: "accept"}, reviewer="r", confirmed={stance}
        )
        assert [o.action for o in outs] == ["accept", "merge"]
        assert ledger.count("stance_events") == 2
