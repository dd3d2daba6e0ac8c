"""Team review: three reviewers with overlap 2, votes, settling, adjudication and agreement.

The session is scripted as a team would work: ana and ben export their queues to review files,
edit them and apply them together; chen decides from the command line; a desk editor adjudicates
one disagreement interactively and the rest through an adjudication file.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import yaml

from tests.conftest import SEED_B

# Who decides what, by proposal index on SEED_B (ten proposals, all "asserted"): A accept,
# R reject, E1 an edit of the claim, E1b the same edit with other spaces and quote marks,
# E2 another edit that also changes the stance to "disputed".
VOTES = {
    0: {"ana": "A", "ben": "A"},
    1: {"ana": "A", "chen": "R"},
    2: {"ben": "R", "chen": "R"},
    3: {"ana": "E1", "ben": "E1b"},
    4: {"ana": "R", "chen": "R"},
    5: {"ben": "A", "chen": "E2"},
    6: {"ana": "A", "ben": "A"},
    7: {"ana": "E1", "chen": "E2"},
    8: {"ben": "A", "chen": "A"},
    9: {"ana": "A", "ben": "R"},
}


def _edit(kind: str, claim: str) -> dict[str, str]:
    if kind == "E1":
        return {"claim": claim + ' "checked"'}
    if kind == "E1b":
        return {"claim": claim + "   \u201cchecked\u201d"}
    return {"claim": claim + " (other)", "stance": "disputed"}


def _json(run, *args):
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _fill(path, decisions: dict[str, str]) -> None:
    """Set each item's decision in a review file as its reviewer would in an editor."""
    data = yaml.safe_load(path.read_text())
    for item in data["items"]:
        kind = decisions[item["proposal"]]
        item["decision"] = {"A": "accept", "R": "reject"}.get(kind, "edit")
        if kind.startswith("E"):
            item.update(_edit(kind, item["claim"]))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@pytest.fixture
def team(seeded, workspace):
    """Ten proposals on SEED_B assigned to ana, ben and chen with overlap 2."""
    assert seeded("propose", f"corpus/{SEED_B}").exit_code == 0
    proposals = _json(seeded, "proposals", "--source", f"corpus/{SEED_B}")
    assert len(proposals) == 10 and {p["stance"] for p in proposals} == {"asserted"}
    pids = [p["id"] for p in proposals]
    out = _json(seeded, "assign", "--reviewers", "ana,ben,chen", "--overlap", "2", "--all")
    expected = {r: [pids[i] for i, v in VOTES.items() if r in v] for r in ("ana", "ben", "chen")}
    assert out["queues"] == expected  # balanced (7, 7, 6) and in a fixed order
    return pids


def _session(run, workspace, pids):
    """The whole scripted session; returns the claims each proposal made."""
    for name in ("ana", "ben"):
        path = workspace / "reviews" / f"{name}.yaml"
        r = run("review", "--reviewer", name, "--export", str(path))
        assert r.exit_code == 0, r.output
        _fill(path, {pids[i]: v[name] for i, v in VOTES.items() if name in v})
    r = run("review", "--apply", "reviews/ana.yaml", "reviews/ben.yaml", "--reviewer", "desk")
    assert r.exit_code == 0, r.output
    # Only what ana and ben agree on is a claim; chen's proposals wait for chen.
    claims = _json(run, "claims")
    assert len(claims) == 3
    for i, v in VOTES.items():
        if "chen" not in v:
            continue
        pid = pids[i]
        proposal = next(p for p in _json(run, "proposals") if p["id"] == pid)
        assert proposal["state"] == "pending" and proposal["claim_id"] is None
        kind = v["chen"]
        args = ["decide", pid, "reject" if kind == "R" else "accept", "--reviewer", "chen"]
        for k, value in (_edit(kind, proposal["claim"]) if kind.startswith("E") else {}).items():
            args += [f"--{k}", value]
        assert run(*args).exit_code == 0
    queue = [p for p in pids if p not in (pids[0], pids[2], pids[3], pids[4], pids[6], pids[8])]
    adj = workspace / "adj.yaml"
    assert run("review", "--adjudicate", "--export", str(adj)).exit_code == 0
    data = yaml.safe_load(adj.read_text())
    assert [item["proposal"] for item in data["items"]] == queue
    side = data["items"][2]["votes"]  # proposal 7: ana's edit beside chen's
    assert side["ana"]["claim"].endswith('"checked"') and side["chen"]["stance"] == "disputed"
    # Proposal 1 interactively: take ana's vote (the first listed).
    r = run("review", "--adjudicate", "--reviewer", "desk", input="1\nq\n")
    assert r.exit_code == 0, r.output
    assert "1 ana: accept" in r.output and "2 chen: reject" in r.output
    assert "Adjudicated 1; 3 still waiting." in r.output
    # The rest through the adjudication file: chen's vote on 5, the desk's own edit on 7, ben's
    # rejection on 9 (proposal 1's item, settled already, is left pending).
    data["items"][1]["pick"] = "chen"
    data["items"][2]["decision"] = "edit"
    data["items"][2]["claim"] += " (desk)"
    data["items"][3]["pick"] = "ben"
    adj.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    r = run("review", "--apply", str(adj), "--reviewer", "desk")
    assert r.exit_code == 0, r.output
    assert "applied 3" in r.output and "still pending 1" in r.output


def test_three_reviewers_settle_and_adjudicate(team, seeded, workspace):
    pids = team
    _session(seeded, workspace, pids)
    proposals = {p["id"]: p for p in _json(seeded, "proposals")}
    states = [proposals[p]["state"] for p in pids]
    assert states == ["accepted", "accepted", "rejected", "edited", "rejected", "edited",
                      "accepted", "edited", "accepted", "rejected"]  # fmt: skip
    claims = _json(seeded, "claims")
    assert len(claims) == 7  # one per settled accept or edit
    assert len({proposals[p]["claim_id"] for p in pids if proposals[p]["claim_id"]}) == 7
    texts = {c["id"]: c["text"] for c in claims}
    assert texts[proposals[pids[3]]["claim_id"]].endswith('"checked"')  # agreed after normalising
    assert texts[proposals[pids[7]]["claim_id"]].endswith("(other) (desk)") is False
    assert texts[proposals[pids[7]]["claim_id"]].endswith(" (desk)")
    conn = sqlite3.connect(workspace / "ledger.db")
    decisions = conn.execute("SELECT proposal_id, reviewer FROM decisions ORDER BY seq").fetchall()
    assert len(decisions) == 10 and all(r for _, r in decisions)
    by = dict(decisions)
    assert by[pids[0]] == "ana+ben" and by[pids[8]] == "ben+chen" and by[pids[5]] == "desk"
    rows = conn.execute(
        "SELECT s.proposal_id, s.how, s.votes, s.upheld, d.id FROM settlements s "
        "JOIN decisions d ON d.id = s.decision_id"
    ).fetchall()
    assert len(rows) == 10
    votes = dict(conn.execute("SELECT id, reviewer FROM votes").fetchall())
    assert len(votes) == 20 and all(v for v in votes.values())
    for pid, how, linked, upheld, _ in rows:
        i = pids.index(pid)
        assert sorted(votes[v] for v in json.loads(linked)) == sorted(VOTES[i])
        assert how == ("adjudicated" if i in (1, 5, 7, 9) else "agreed")
        if i == 7:
            assert json.loads(upheld) == []  # the desk's own edit overturned both
    assert seeded("verify").exit_code == 0


def test_agreement_matches_the_hand_computation(team, seeded, workspace):
    _session(seeded, workspace, team)
    data = _json(seeded, "agreement")
    d, s = data["decision"], data["stance"]
    # Decision, ten items; 7 agree (0, 2, 3, 4, 6, 7, 8).
    assert d["items"] == 10 and round(d["observed"], 3) == 0.7
    pairs = {(p["a"], p["b"]): p for p in d["pairs"]}
    # ana/ben on 0, 3, 6, 9: (A,A) (E,E) (A,A) (A,R): p_o = 3/4; ana A3 E1, ben A2 E1 R1:
    # p_e = (3*2 + 1*1) / 16 = 7/16; kappa = (12/16 - 7/16) / (9/16) = 5/9.
    assert pairs["ana", "ben"]["items"] == 4 and round(pairs["ana", "ben"]["kappa"], 3) == 0.556
    # ana/chen on 1, 4, 7: (A,R) (R,R) (E,E): p_o = 2/3; p_e = (R 1*2 + E 1*1) / 9 = 1/3;
    # kappa = (2/3 - 1/3) / (2/3) = 0.5.
    assert round(pairs["ana", "chen"]["observed"], 3) == 0.667
    assert round(pairs["ana", "chen"]["kappa"], 3) == 0.5
    # ben/chen on 2, 5, 8: (R,R) (A,E) (A,A): p_o = 2/3; p_e = (R 1*1 + A 2*1) / 9 = 1/3.
    assert round(pairs["ben", "chen"]["kappa"], 3) == 0.5
    # Alpha: coincidences AA 6, RR 4, EE 4, AR 2+2, AE 1+1; n_A 9, n_R 6, n_E 5, n 20;
    # alpha = 1 - (n - 1) * 6 / (2 * (9*6 + 9*5 + 6*5)) = 1 - 19 * 6 / 258.
    assert round(d["alpha"], 3) == round(1 - 19 * 6 / 258, 3) == 0.558
    # Stance: rejects have none, so items 0, 3, 5, 6, 7, 8; 5 and 7 are asserted vs disputed.
    assert s["items"] == 6 and round(s["observed"], 3) == 0.667
    sp = {(p["a"], p["b"]): p for p in s["pairs"]}
    assert sp["ana", "ben"]["items"] == 3 and sp["ana", "ben"]["kappa"] is None  # all asserted
    assert sp["ana", "chen"]["kappa"] == 0 and sp["ben", "chen"]["kappa"] == 0
    # o(as,as) 8, o(as,dis) 2 + 2: n_as 10, n_dis 2, n 12; alpha = 1 - 11 * 4 / (2 * 10 * 2).
    assert round(s["alpha"], 3) == -0.1
    counts = {r["reviewer"]: r for r in data["reviewers"]}
    assert {k: counts["ana"][k] for k in ("decided", "agreed", "adjudicated", "overturned")} == {
        "decided": 7, "agreed": 4, "adjudicated": 3, "overturned": 2}  # fmt: skip
    assert (counts["ben"]["decided"], counts["ben"]["overturned"]) == (7, 1)
    assert (counts["chen"]["decided"], counts["chen"]["overturned"]) == (6, 2)


def test_agreement_against_the_krippendorff_package(team, seeded, workspace):
    krippendorff = pytest.importorskip("krippendorff", reason="the krippendorff test extra")
    import numpy as np

    _session(seeded, workspace, team)
    data = _json(seeded, "agreement")
    names = ["ana", "ben", "chen"]
    codes = {"accept": 0, "edit": 1, "reject": 2}
    matrix = [[np.nan] * 10 for _ in names]
    for i, v in VOTES.items():
        for r, kind in v.items():
            matrix[names.index(r)][i] = codes[{"A": "accept", "R": "reject"}.get(kind, "edit")]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert round(data["decision"]["alpha"], 6) == round(expected, 6)


def test_canned_queries_give_the_same_figures(team, seeded, workspace):
    from ledger.publish.metadata import QUERIES

    _session(seeded, workspace, team)
    data = _json(seeded, "agreement")
    conn = sqlite3.connect(workspace / "ledger.db")
    conn.row_factory = sqlite3.Row
    pairs = [dict(r) for r in conn.execute(QUERIES["agreement_pairs"]["sql"])]
    for row in pairs:
        mine = next(p for p in data[row["on"]]["pairs"] if (p["a"], p["b"]) == (row["a"], row["b"]))
        assert row["items"] == mine["items"]
        assert row["kappa"] == (None if mine["kappa"] is None else round(mine["kappa"], 3))
    assert len(pairs) == 6
    overall = {r["on"]: dict(r) for r in conn.execute(QUERIES["agreement_overall"]["sql"])}
    for dim in ("decision", "stance"):
        assert overall[dim]["items"] == data[dim]["items"]
        assert overall[dim]["alpha"] == round(data[dim]["alpha"], 3)
        assert overall[dim]["observed"] == round(data[dim]["observed"], 3)
    counts = [dict(r) for r in conn.execute(QUERIES["reviewer_counts"]["sql"])]
    assert [(c["reviewer"], c["overturned"]) for c in counts] == [("ana", 2), ("ben", 1),
                                                                   ("chen", 2)]  # fmt: skip


def test_review_is_blind_to_the_other_reviewers_votes(team, seeded, workspace):
    pids = team
    assert seeded("decide", pids[0], "reject", "--reviewer", "ben", "--reason", "BENSAYSNO")
    r = seeded("review", "--reviewer", "ana", input="q\n")
    assert r.exit_code == 0, r.output
    assert "[1 / 7]" in r.output and "7 pending" in r.output  # ana's queue only
    assert "BENSAYSNO" not in r.output and "reject" not in r.output
    # chen is not assigned proposal 0: neither a vote nor a decision is allowed.
    r = seeded("decide", pids[0], "accept", "--reviewer", "chen")
    assert r.exit_code == 1 and "assigned to ana, ben, not chen" in r.output


def test_two_review_files_applied_twice(seeded, workspace):
    assert seeded("propose", f"corpus/{SEED_B}").exit_code == 0
    assert seeded("assign", "--reviewers", "ana,ben", "--overlap", "2", "--all").exit_code == 0
    pids = [p["id"] for p in _json(seeded, "proposals")]
    for name in ("ana", "ben"):
        path = workspace / f"{name}.yaml"
        assert seeded("review", "--reviewer", name, "--export", str(path)).exit_code == 0
        decisions = dict.fromkeys(pids, "A")
        decisions[pids[1]] = "R" if name == "ben" else "A"
        _fill(path, decisions)
    first = _json(seeded, "review", "--apply", "ana.yaml", "ben.yaml")
    assert len(first["applied"]) == 9 and first["adjudication"] == [pids[1]]
    head = seeded("head").output
    again = _json(seeded, "review", "--apply", "ana.yaml", "ben.yaml")
    assert again["applied"] == [] and again["voted"] == [] and again["skipped"] == 20
    assert again["adjudication"] == [pids[1]]
    assert seeded("head").output == head
    r = seeded("review", "--adjudicate", "--reviewer", "desk", input="q\n")
    assert "1 ana: accept" in r.output and "2 ben: reject" in r.output


def test_without_assign_review_is_unchanged(seeded):
    assert seeded("propose", f"corpus/{SEED_B}").exit_code == 0
    pid = _json(seeded, "proposals")[0]["id"]
    out = _json(seeded, "decide", pid, "accept")
    assert out["action"] == "accept" and out["claim_id"]


def test_assign_refuses_a_bad_overlap(seeded):
    assert seeded("propose", f"corpus/{SEED_B}").exit_code == 0
    r = seeded("assign", "--reviewers", "ana,ben", "--overlap", "3", "--all")
    assert r.exit_code == 1 and "overlap 3" in r.output
    assert seeded("assign", "--reviewers", " , ", "--all").exit_code == 1


def test_agreement_by_proposer_and_reviewer(team, seeded, workspace):
    _session(seeded, workspace, team)
    by = _json(seeded, "agreement", "--by", "proposer")
    assert [g["group"] for g in by["groups"]] == ["offline"]
    assert round(by["groups"][0]["decision"]["alpha"], 3) == 0.558
    per = _json(seeded, "agreement", "--by", "reviewer")
    ana = next(g for g in per["groups"] if g["group"] == "ana")
    assert {(p["a"], p["b"]) for p in ana["pairs"]["decision"]} == {("ana", "ben"), ("ana", "chen")}
    text = seeded("agreement").output
    assert "ana / ben: 4 items, observed 0.750, kappa 0.556" in text
    assert "alpha 0.558" in text


def test_interactive_votes_settle_when_both_agree(team, seeded):
    pids = team
    r = seeded("review", "--reviewer", "ana", input="a\nq\n")
    assert r.exit_code == 0 and "recorded: voted accept; waiting for ben" in r.output
    assert _json(seeded, "claims") == []  # one vote is not a decision
    r = seeded("review", "--reviewer", "ben", input="a\nq\n")
    assert r.exit_code == 0
    proposal = next(p for p in _json(seeded, "proposals") if p["id"] == pids[0])
    assert proposal["state"] == "accepted" and len(_json(seeded, "claims")) == 1
    assert _json(seeded, "agreement")["decision"]["items"] == 1


def test_a_vote_cannot_change_once_all_have_voted(team, seeded):
    pids = team
    assert seeded("decide", pids[1], "accept", "--reviewer", "ana").exit_code == 0
    assert seeded("decide", pids[1], "accept", "--reviewer", "ana").exit_code == 0  # same again
    assert seeded("decide", pids[1], "reject", "--reviewer", "ana").exit_code == 0  # changed
    assert seeded("decide", pids[1], "accept", "--reviewer", "chen").exit_code == 0
    assert _json(seeded, "claims") == []  # ana's latest vote (reject) disagrees with chen's
    r = seeded("decide", pids[1], "reject", "--reviewer", "chen")
    assert r.exit_code == 1 and "waiting for adjudication" in r.output


def test_a_pick_outside_an_adjudication_file_is_refused(team, seeded, workspace):
    path = workspace / "ana.yaml"
    assert seeded("review", "--reviewer", "ana", "--export", str(path)).exit_code == 0
    data = yaml.safe_load(path.read_text())
    data["items"][0]["pick"] = "ben"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    r = seeded("review", "--apply", str(path))
    assert r.exit_code == 1 and "only an adjudication file picks a vote" in r.output
    assert seeded("review", "--adjudicate", input="q\n").output.startswith("Nothing to adjudicate")
