"""Issue 13: attribution that generalises, claims that stand alone, stances attached to claims.

Driven through ``factledger propose --json`` on short articles written for these tests in plain
newsroom style (not taken from any corpus the proposer was tuned on).
"""

import json

import pytest

ARTICLE = """\
Council faces questions over bridge repairs

The mayor said the bridge would reopen on 14 March. According to the transport department, repairs have cost £2.4m so far.

"The steel was in far worse shape than anyone expected," said Ambassador Rui Costa, who chairs the bridge trust.

The Evening Post reported that two inspectors resigned last year. The council refused to confirm the resignations. A spokesman would not comment on the reports.

Engineering firm Dalton says the contract was signed in 2021. Dalton admitted that it had missed two deadlines. The union claims workers were not paid overtime, but Dalton rejected the union's account.

"It is wrong to suggest that the bridge was ever unsafe," Transport Secretary Lena Brooks told reporters. Residents' groups called for a public inquiry. Analysts suggest costs could double.

IBM said on Monday that it will sell a workstation with the new chip. He had received more than 40 business proposals, the company's founder Sam Ortiz said.
"""


@pytest.fixture
def proposed(run, workspace):
    (workspace / "bridge.txt").write_text(ARTICLE)
    assert run("ingest", "bridge.txt").exit_code == 0
    r = run("propose", "bridge.txt", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _one(proposals, quote_part):
    found = [p for p in proposals if quote_part in p["quote"]]
    assert len(found) == 1, (quote_part, [p["quote"] for p in proposals])
    return found[0]


@pytest.mark.parametrize(
    "quote_part,actor_part,stance",
    [
        ("The mayor said", "Mayor", "asserted"),
        ("According to the transport department", "ransport department", "asserted"),
        ("said Ambassador Rui Costa", "Rui Costa", "asserted"),
        ("The Evening Post reported", "Evening Post", "asserted"),
        ("refused to confirm", "ouncil", "unconfirmed"),
        ("would not comment on the reports", "pokesman", "unconfirmed"),
        ("Dalton says", "Dalton", "asserted"),
        ("Dalton admitted", "Dalton", "confirmed"),
        ("The union claims", "nion", "asserted"),
        ("Dalton rejected", "Dalton", "denied"),
        ("wrong to suggest", "Lena Brooks", "denied"),
        ("Analysts suggest", "Analysts", "asserted"),
    ],
)
def test_cues_in_any_tense_frame_and_position(proposed, quote_part, actor_part, stance):
    p = _one(proposed, quote_part)
    assert actor_part in p["actor"] and p["stance"] == stance, p


def test_stances_attach_to_what_they_answer(proposed):
    report = _one(proposed, "The Evening Post reported")
    assert report["stance_on"] is None
    for part in ("refused to confirm", "would not comment on the reports"):
        stance = _one(proposed, part)
        assert stance["stance_on"] == report["id"] and stance["claim"] == report["claim"]
    union = _one(proposed, "The union claims")
    assert _one(proposed, "Dalton rejected")["stance_on"] == union["id"]


def test_claims_stand_alone(proposed):
    assert _one(proposed, "The mayor said")["claim"] == "The bridge would reopen on 14 March."
    assert _one(proposed, "According to")["claim"] == "Repairs have cost £2.4m so far."
    assert _one(proposed, "IBM said")["claim"] == "IBM will sell a workstation with the new chip."
    ortiz = _one(proposed, "Sam Ortiz said")
    assert ortiz["claim"].startswith("Sam Ortiz had received more than 40 business proposals")
    # The denial in the minister's own words is a denial of what follows "wrong to suggest".
    assert _one(proposed, "wrong to suggest")["claim"] == "The bridge was ever unsafe."
    for p in proposed:
        claim = p["claim"]
        assert claim[0].isupper() and claim.endswith((".", "?", "!")), claim
        assert claim.count("“") == claim.count("”") and claim.count('"') % 2 == 0, claim
        assert not claim.startswith(("He ", "She ", "It ", "This ", "These ", "Adding")), claim


def test_opinions_forecasts_and_demands_are_flagged(proposed):
    assert not _one(proposed, "Analysts suggest")["checkable"]  # "costs could double"
    assert not _one(proposed, "IBM said")["checkable"]  # "will sell": a forecast
    assert _one(proposed, "The mayor said")["checkable"] is False  # "would reopen"
    assert _one(proposed, "The Evening Post reported")["checkable"]
    assert not [p for p in proposed if "inquiry" in p["claim"] and p["checkable"]]


def test_results_show_and_quotations_credited_after_a_dash(run, workspace):
    (workspace / "roundup.txt").write_text(
        "The results show turnout fell to 41 per cent in the northern districts.\n\n"
        "Estimates suggest about 9,000 voters were turned away.\n\n"
        "“Polling stations ran out of ballots by noon” — The Northern Echo, 3 May 2025\n"
    )
    assert run("ingest", "roundup.txt").exit_code == 0
    out = json.loads(run("propose", "roundup.txt", "--json").output)
    got = {(p["actor"], p["claim"]) for p in out}
    assert ("Results", "Turnout fell to 41 per cent in the northern districts.") in got
    assert ("Estimates", "About 9,000 voters were turned away.") in got
    assert ("Northern Echo", "Polling stations ran out of ballots by noon.") in got
