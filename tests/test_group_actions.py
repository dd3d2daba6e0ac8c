"""A grouped card (a claim proposal with the stances proposed on it) decided with e, m and a,
and under team review: every decision of the group is the reviewer's vote."""

from __future__ import annotations

import json
import sqlite3
import sys

import pexpect
import yaml

from tests.conftest import SEED_A, spawn_review
from tests.test_review_groups import _deployment_claims, _proposed, _to_deployment_card

EDITED = "North Korea has reportedly sent around 1,500 soldiers to aid Russian forces."
EDITOR = """#!{python}
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
open({seen!r}, "w", encoding="utf-8").write(text)
text = re.sub(r"^claim: .*$", "claim: {claim}", text, flags=re.M)
open(path, "w", encoding="utf-8").write(text)
"""


def _editor(workspace):
    path = workspace / "editor.py"
    seen = str(workspace / "seen.yaml")
    path.write_text(EDITOR.format(python=sys.executable, claim=EDITED, seen=seen))
    path.chmod(0o755)
    return {"EDITOR": str(path), "VISUAL": str(path)}


def _events(seeded, claim_id):
    return json.loads(seeded("show", claim_id, "--json").output)["stance_events"]


def _rows(workspace, sql, *params):
    conn = sqlite3.connect(workspace / "ledger.db")
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql, params)]


def _mark(child, key, n, mark):
    child.send(key)
    child.expect("Which stance")
    child.sendline(str(n))
    child.expect(mark)
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")


def test_e_edits_the_claim_and_accepts_it_with_its_stances_but_the_rejected_one(seeded, workspace):
    _, head, linked = _proposed(seeded)
    child = spawn_review(workspace, **_editor(workspace))
    _to_deployment_card(child)
    _mark(child, "x", 1, r"\[REJECT\]")  # the Pentagon's non-verification
    child.send("e")
    child.expect(r"edit: (FL-\S+) with 2 stance events")
    claim_id = child.match.group(1)
    child.expect(r"\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    seen = (workspace / "seen.yaml").read_text()
    assert "# Saving accepts the claim with every stance listed on its card." in seen
    assert f"claim: {head['claim']}" in seen
    [claim] = json.loads(seeded("claims", "--json").output)
    assert claim["id"] == claim_id and claim["text"] == EDITED
    events = _events(seeded, claim_id)
    assert sorted(e["stance"] for e in events) == ["asserted", "denied"]
    actions = {
        r["proposal_id"]: r["action"]
        for r in _rows(workspace, "SELECT proposal_id, action FROM decisions")
    }
    assert actions[head["id"]] == "edit"
    assert actions[linked[0]["id"]] == "reject" and actions[linked[1]["id"]] == "merge"


def test_e_on_a_grouped_card_says_what_saving_does_and_a_cancelled_edit_decides_nothing(
    seeded, workspace
):
    _proposed(seeded)
    cancel = workspace / "cancel.py"
    cancel.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'w').write('')\n")
    cancel.chmod(0o755)
    child = spawn_review(workspace, EDITOR=str(cancel), VISUAL=str(cancel))
    _to_deployment_card(child)
    child.send("e")
    child.expect("edit cancelled")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    assert json.loads(seeded("claims", "--json").output) == []


def test_m_merges_the_claim_and_its_stances_into_a_similar_claim(seeded, workspace):
    _, head, linked = _proposed(seeded)
    existing = seeded("add", "--source", f"corpus/{SEED_A}", "--quote",
                      "around 1,500 North Korean soldiers have already been sent to aid Russian "
                      "forces", "--claim", "Around 1,500 North Korean soldiers were sent to aid "
                      "Russian forces.", "--actor", "Reuters", "--stance", "asserted")  # fmt: skip
    assert existing.exit_code == 0, existing.output
    target = existing.output.strip()
    child = spawn_review(workspace)
    _to_deployment_card(child)
    _mark(child, "d", 2, r"\[DETACH")  # the Kremlin's denial: a claim of its own
    child.send("m")
    child.expect(r"Merge into which similar claim")
    child.sendline("1")
    child.expect(rf"merge: 2 stance events added to {target}")
    child.expect(r"\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    events = _events(seeded, target)
    assert sorted(e["stance"] for e in events) == ["asserted", "asserted", "unconfirmed"]
    claims = json.loads(seeded("claims", "--json").output)
    own = [c for c in claims if c["id"] != target]
    assert len(own) == 1 and own[0]["stance_summary"].startswith("denied by Kremlin")


def _team(seeded):
    _, head, linked = _proposed(seeded)
    r = seeded("assign", "--reviewers", "ana,ben", "--overlap", "2", "--all")
    assert r.exit_code == 0, r.output
    return head, linked


def test_group_accept_under_team_review_is_a_vote_per_proposal(seeded, workspace):
    head, linked = _team(seeded)
    group = [head["id"], *(s["id"] for s in linked)]
    child = spawn_review(workspace, FACTLEDGER_REVIEWER="ana")
    _to_deployment_card(child)
    child.send("a")
    child.expect(
        rf"votes on {head['id']} and its 2 stances recorded: voted accept; waiting for ben"
    )
    child.expect(r"/q/\?\] ")
    child.send("u")  # a vote is not ana's decision to take back
    child.expect("a vote is not undone")
    child.expect(r"/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    assert json.loads(seeded("claims", "--json").output) == []
    assert _rows(workspace, "SELECT * FROM decisions") == []
    votes = _rows(workspace, "SELECT proposal_id, reviewer, action FROM votes ORDER BY seq")
    assert votes == [{"proposal_id": p, "reviewer": "ana", "action": "accept"} for p in group]

    child = spawn_review(workspace, FACTLEDGER_REVIEWER="ben")
    _to_deployment_card(child)
    child.send("a")
    child.expect(r"accept: (FL-\S+) with 3 stance events")
    claim_id = child.match.group(1)
    child.expect(r"/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    [claim] = _deployment_claims(seeded)
    assert claim["id"] == claim_id and len(_events(seeded, claim_id)) == 3
    settled = _rows(workspace, "SELECT proposal_id, how, reviewer FROM settlements ORDER BY seq")
    assert settled == [{"proposal_id": p, "how": "agreed", "reviewer": "ana+ben"} for p in group]


def test_team_votes_that_disagree_on_a_stance_send_only_it_to_adjudication(seeded, workspace):
    head, linked = _team(seeded)
    for name, keys in (("ana", []), ("ben", [("x", 2, r"\[REJECT\]")])):
        child = spawn_review(workspace, FACTLEDGER_REVIEWER=name)
        _to_deployment_card(child)
        for key, n, mark in keys:
            _mark(child, key, n, mark)
        child.send("a")
        child.expect(r"/q/\?\] ")
        child.send("q")
        child.expect(pexpect.EOF)
    [claim] = _deployment_claims(seeded)
    assert sorted(e["stance"] for e in _events(seeded, claim["id"])) == ["asserted", "unconfirmed"]
    r = seeded("review", "--adjudicate", "--export", "adj.yaml")
    assert r.exit_code == 0, r.output
    data = yaml.safe_load((workspace / "adj.yaml").read_text())
    assert [i["proposal"] for i in data["items"]] == [linked[1]["id"]]


def test_a_detached_stance_cannot_be_voted_on_and_nothing_is_written(seeded, workspace):
    _team(seeded)
    child = spawn_review(workspace, FACTLEDGER_REVIEWER="ana")
    _to_deployment_card(child)
    _mark(child, "d", 1, r"\[DETACH")
    child.send("a")
    child.expect("Error: proposal P-\\S+ is under team review: accept, edit or reject it")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    assert _rows(workspace, "SELECT * FROM votes") == []


def test_assign_gives_a_stance_the_reviewers_of_its_claim(seeded):
    _, head, linked = _proposed(seeded)
    r = seeded("assign", "--reviewers", "ana,ben,chen", "--overlap", "2", "--all", "--json")
    queues = json.loads(r.output)["queues"]

    def reviewers(pid):
        return {name for name, q in queues.items() if pid in q}

    assert len(reviewers(head["id"])) == 2
    for s in linked:
        assert reviewers(s["id"]) == reviewers(head["id"])


def test_a_review_file_with_nested_stances_votes_on_each_under_team_review(seeded, workspace):
    head, linked = _team(seeded)
    group = [head["id"], *(s["id"] for s in linked)]
    for name in ("ana", "ben"):
        # ana's own queue, and for ben the whole pending list: both nest the stances.
        who = ["--reviewer", name] if name == "ana" else []
        path = workspace / "reviews" / f"{name}.yaml"
        assert seeded("review", "--all", *who, "--export", str(path)).exit_code == 0
        data = yaml.safe_load(path.read_text())
        assert not set(group[1:]) & {i["proposal"] for i in data["items"]}
        item = next(i for i in data["items"] if i["proposal"] == head["id"])
        assert [s["proposal"] for s in item["stances"]] == group[1:]
        item["decision"] = "accept"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        r = seeded("review", "--apply", str(path), "--reviewer", name, "--json")
        assert r.exit_code == 0, r.output
        out = json.loads(r.output)
        if name == "ana":  # three votes, no claim yet
            assert [v["proposal"] for v in out["voted"]] == group and out["applied"] == []
            assert json.loads(seeded("claims", "--json").output) == []
    [claim] = _deployment_claims(seeded)
    assert len(_events(seeded, claim["id"])) == 3
    assert len(_rows(workspace, "SELECT * FROM settlements")) == 3


def test_agreed_stances_wait_for_their_claim_to_be_adjudicated(seeded, workspace):
    head, linked = _team(seeded)
    child = spawn_review(workspace, FACTLEDGER_REVIEWER="ana")
    _to_deployment_card(child)
    child.send("a")
    child.expect(r"/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    # ben rejects the claim but agrees on both stances: only the claim is in dispute.
    assert seeded("decide", head["id"], "reject", "--reviewer", "ben").exit_code == 0
    for s in linked:
        r = seeded("decide", s["id"], "accept", "--reviewer", "ben", "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["action"] == "voted"
    assert json.loads(seeded("claims", "--json").output) == []  # not claims of their own
    r = seeded("review", "--adjudicate", "--reviewer", "desk", input="1\nq\n")  # ana's accept
    assert r.exit_code == 0 and "Adjudicated 1; 0 still waiting." in r.output, r.output
    [claim] = json.loads(seeded("claims", "--json").output)
    assert len(_events(seeded, claim["id"])) == 3
    settled = _rows(workspace, "SELECT proposal_id, how FROM settlements ORDER BY seq")
    assert settled == [{"proposal_id": head["id"], "how": "adjudicated"}] + [
        {"proposal_id": s["id"], "how": "agreed"} for s in linked
    ]


def test_u_after_e_undoes_the_edited_group_as_one(seeded, workspace):
    _, head, linked = _proposed(seeded)
    child = spawn_review(workspace, **_editor(workspace))
    _to_deployment_card(child)
    child.send("e")
    child.expect(r"edit: FL-\S+ with 3 stance events")
    child.expect(r"/q/\?\] ")
    child.send("u")
    child.expect(r"the whole group: 3 decisions undone")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")  # the grouped card again, stances listed
    child.send("q")
    child.expect(pexpect.EOF)
    assert {c["status"] for c in json.loads(seeded("claims", "--json").output)} == {"retracted"}
    pending = {p["id"] for p in json.loads(seeded("proposals", "--json").output)
               if p["state"] == "pending"}  # fmt: skip
    assert {head["id"], *(s["id"] for s in linked)} <= pending
