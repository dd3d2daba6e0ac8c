"""`e` on a grouped card: one $EDITOR form with the claim and each listed stance's actor, stance
and quote; saving accepts the group with every edit, in one transaction, and `u` undoes it."""

from __future__ import annotations

import json
import sys

import pexpect

from tests.conftest import KREMLIN_QUOTE, spawn_review
from tests.test_group_actions import _events, _mark, _rows, _team
from tests.test_review_groups import _proposed, _to_deployment_card

# Run once per opening of the form: save what it showed (seen-N.yaml), then apply step N of the
# plan (regex substitutions, or "cancel" to save an empty file); past the plan, cancel.
EDITOR = """#!{python}
import json, re, sys
path, plan = sys.argv[1], json.load(open({plan!r}, encoding="utf-8"))
count = open({count!r}, encoding="utf-8").read()
n = len(count)
open({count!r}, "w", encoding="utf-8").write(count + "x")
text = open(path, encoding="utf-8").read()
open({seen!r}.format(n), "w", encoding="utf-8").write(text)
step = plan[n] if n < len(plan) else "cancel"
if step == "cancel":
    text = ""
else:
    for pattern, new in step:
        text, k = re.subn(pattern, new, text, flags=re.M)
        assert k, pattern
open(path, "w", encoding="utf-8").write(text)
"""
KREMLIN_ACTOR = ("^  actor: Kremlin \\(Dmitry Peskov\\)$", "  actor: Kremlin spokesman")
KREMLIN_CUT = ("^  quote: In contrast, Kremlin spokesman", "  quote: Kremlin spokesman")


def _editor(workspace, *plan):
    (workspace / "plan.json").write_text(json.dumps(plan))
    (workspace / "count.txt").write_text("")
    path = workspace / "editor.py"
    path.write_text(EDITOR.format(python=sys.executable, plan=str(workspace / "plan.json"),
                                  count=str(workspace / "count.txt"),
                                  seen=str(workspace / "seen-{}.yaml")))  # fmt: skip
    path.chmod(0o755)
    return {"EDITOR": str(path), "VISUAL": str(path)}


def _seen(workspace, n):
    return (workspace / f"seen-{n}.yaml").read_text(encoding="utf-8")


def _edit_on_the_card(workspace, expect, *plan, marks=(), **env):
    """Open review, go to the deployment card, mark stances, press e; returns the claim ID."""
    child = spawn_review(workspace, **_editor(workspace, *plan), **env)
    _to_deployment_card(child)
    for key, n, mark in marks:
        _mark(child, key, n, mark)
    child.send("e")
    child.expect(expect)
    found = child.match.group(1) if child.match.groups() else None
    child.expect(r"/q/\?\] ")
    return child, found


def _quit(child):
    child.send("q")
    child.expect(pexpect.EOF)


def _source_text(workspace, proposal_id):
    [row] = _rows(workspace, "SELECT s.text FROM sources s JOIN proposals p ON p.source_id = s.id "
                             "WHERE p.id = ?", proposal_id)  # fmt: skip
    return row["text"]


def _pending(seeded):
    proposals = json.loads(seeded("proposals", "--json").output)
    return {p["id"] for p in proposals if p["state"] == "pending"}


def test_e_edits_a_linked_stances_actor_and_quote_and_accepts_the_group(seeded, workspace):
    _, head, linked = _proposed(seeded)
    kremlin = linked[1]
    assert kremlin["actor"] == "Kremlin (Dmitry Peskov)" and kremlin["quote"] != KREMLIN_QUOTE
    child, claim_id = _edit_on_the_card(
        workspace, r"stance 2 edited: actor, quote[\s\S]*?edit: (FL-\S+) with 3 stance events",
        [KREMLIN_ACTOR, KREMLIN_CUT],
    )  # fmt: skip
    _quit(child)
    form = _seen(workspace, 0)
    assert "# Each item under `stances:` is the stance proposal named by its `id`" in form
    assert f"- id: {linked[0]['id']}  # stance 1\n  actor: Pentagon\n" in form
    assert f"- id: {kremlin['id']}  # stance 2\n  actor: Kremlin (Dmitry Peskov)\n" in form
    assert f"claim: {head['claim']}" in form
    # The claim's stances: the Kremlin's with the edited actor and quote, at the quote's place.
    events = {e["stance"]: e for e in _events(seeded, claim_id)}
    assert set(events) == {"asserted", "unconfirmed", "denied"}
    denial = events["denied"]
    assert denial["actor"] == "Kremlin spokesman" and denial["quote"] == KREMLIN_QUOTE
    text = _source_text(workspace, kremlin["id"])
    assert text[denial["start"] : denial["end"]] == KREMLIN_QUOTE
    assert denial["start"] == text.index(KREMLIN_QUOTE) != kremlin["start"]
    assert events["unconfirmed"]["actor"] == "Pentagon"
    shown = json.loads(seeded("show", claim_id, "--json").output)
    assert "denied by Kremlin spokesman" in shown["stance_summary"]
    # The stance's decision is on its own proposal and records what the reviewer changed.
    rows = {r["proposal_id"]: r for r in _rows(workspace, "SELECT * FROM decisions")}
    assert rows[kremlin["id"]]["claim_id"] == claim_id
    assert json.loads(rows[kremlin["id"]]["changes"]) == {
        "actor": {"from": "Kremlin (Dmitry Peskov)", "to": "Kremlin spokesman"},
        "quote": {"from": kremlin["quote"], "to": KREMLIN_QUOTE},
    }
    assert rows[linked[0]["id"]]["changes"] is None and rows[head["id"]]["changes"] is None
    r = seeded("verify")
    assert r.exit_code == 0, r.output


def test_an_invalid_stance_reopens_the_form_with_the_error_naming_that_stance(seeded, workspace):
    _, head, linked = _proposed(seeded)
    welcomed = ("^  quote: In contrast, Kremlin spokesman Dmitry Peskov dismissed",
                "  quote: Kremlin spokesman Dmitry Peskov welcomed")  # fmt: skip
    plan = [
        [("^  stance: denied$", "  stance: rumoured")],  # not a stance
        [("^  stance: rumoured$", "  stance: denied"), welcomed],  # not the source's words
        [("welcomed", "dismissed")],
    ]
    child, claim_id = _edit_on_the_card(workspace, r"edit: (FL-\S+) with 3 stance events", *plan)
    _quit(child)
    assert "# Error: stances item 2.stance: Input should be" in _seen(workspace, 1)
    reopened = _seen(workspace, 2)
    error = next(line for line in reopened.splitlines() if line.startswith("# Error: "))
    assert error.startswith("# Error: stance 2 (denied by Kremlin (Dmitry Peskov)): ")
    assert f"edited quote for {linked[1]['id']} is not in source" in error
    assert "Kremlin spokesman Dmitry Peskov welcomed these reports" in reopened  # kept
    denial = next(e for e in _events(seeded, claim_id) if e["stance"] == "denied")
    assert denial["quote"] == KREMLIN_QUOTE


def test_a_form_without_one_of_the_stances_is_refused_and_a_cancel_leaves_all_pending(
    seeded, workspace
):
    _, head, linked = _proposed(seeded)
    drop = (rf"^- id: {linked[0]['id']}.*\n(  .*\n)*", "")
    child, _ = _edit_on_the_card(workspace, r"(edit cancelled)", [drop], "cancel")
    _quit(child)
    assert linked[0]["id"] not in _seen(workspace, 1).split("# Error:")[0]
    error = next(line for line in _seen(workspace, 1).splitlines() if "# Error: " in line)
    assert f"missing {linked[0]['id']}" in error and "mark it with x N" in error
    assert _rows(workspace, "SELECT * FROM decisions") == []
    assert json.loads(seeded("claims", "--json").output) == []
    assert {head["id"], *(s["id"] for s in linked)} <= _pending(seeded)


def test_u_after_a_grouped_edit_puts_every_proposal_back_to_pending(seeded, workspace):
    _, head, linked = _proposed(seeded)
    claim = ("^claim: .*$", "claim: North Korea sent about 1,500 soldiers to aid Russia.")
    child, claim_id = _edit_on_the_card(
        workspace, r"edit: (FL-\S+) with 3 stance events", [claim, KREMLIN_ACTOR, KREMLIN_CUT]
    )
    child.send("u")
    child.expect(r"the whole group: 3 decisions undone")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    _quit(child)
    assert {head["id"], *(s["id"] for s in linked)} <= _pending(seeded)
    assert json.loads(seeded("show", claim_id, "--json").output)["status"] == "retracted"
    undone = _rows(workspace, "SELECT reverses FROM decisions WHERE action = 'undo'")
    assert len(undone) == 3
    r = seeded("verify")
    assert r.exit_code == 0, r.output


def test_stances_marked_x_are_left_out_and_a_detached_one_is_edited_as_its_own_claim(
    seeded, workspace
):
    _, head, linked = _proposed(seeded)
    marks = [("x", 1, r"\[REJECT\]"), ("d", 2, r"\[DETACH")]
    child, claim_id = _edit_on_the_card(
        workspace, r"edit: (FL-\S+) with 1 stance events", [KREMLIN_ACTOR], marks=marks
    )
    _quit(child)
    form = _seen(workspace, 0)
    assert linked[0]["id"] not in form and "Stances marked x on the card are not listed" in form
    assert f"- id: {linked[1]['id']}  # stance 2, detached: a claim of its own" in form
    claims = json.loads(seeded("claims", "--json").output)
    [own] = [c for c in claims if c["id"] != claim_id]
    assert own["stance_summary"].startswith("denied by Kremlin spokesman")
    actions = {r["proposal_id"]: r["action"] for r in _rows(workspace, "SELECT * FROM decisions")}
    assert actions[linked[0]["id"]] == "reject" and actions[linked[1]["id"]] == "edit"


def test_under_team_review_the_edited_stances_are_the_reviewers_votes(seeded, workspace):
    head, linked = _team(seeded)
    child, _ = _edit_on_the_card(
        workspace, r"votes on (P-\S+) and its 2 stances recorded", [KREMLIN_ACTOR, KREMLIN_CUT],
        FACTLEDGER_REVIEWER="ana",
    )  # fmt: skip
    _quit(child)
    votes = {v["proposal_id"]: v for v in _rows(workspace, "SELECT * FROM votes")}
    assert set(votes) == {head["id"], *(s["id"] for s in linked)}
    kremlin = votes[linked[1]["id"]]
    assert (kremlin["reviewer"], kremlin["action"]) == ("ana", "edit")
    assert (kremlin["actor"], kremlin["quote"]) == ("Kremlin spokesman", KREMLIN_QUOTE)
    assert votes[linked[0]["id"]]["action"] == "accept"
    assert json.loads(seeded("claims", "--json").output) == []


def test_a_single_cards_quote_not_in_the_source_reopens_its_form(seeded, workspace):
    proposals, _, _ = _proposed(seeded)
    first = proposals[0]  # the first card, a card of its own
    assert not first.get("stance_on") and not any(
        p.get("stance_on") == first["id"] for p in proposals
    )
    child = spawn_review(workspace, **_editor(workspace, [("^quote: .*$", "quote: not said")]))
    child.expect(r"\[a/e/r/s/m/u/q/\?\] ")
    child.send("e")
    child.expect("edit cancelled")  # the plan's second opening cancels
    child.expect(r"/q/\?\] ")
    _quit(child)
    error = next(line for line in _seen(workspace, 1).splitlines() if "# Error: " in line)
    assert error == (
        f"# Error: edited quote for {first['id']} is not in source {first['source_id']}: "
        "copy the exact words"
    )
    assert "quote: not said" in _seen(workspace, 1)
    assert _rows(workspace, "SELECT * FROM decisions") == []


def test_a_review_file_edits_a_nested_stance_as_the_form_does(seeded, workspace):
    import yaml

    _, head, linked = _proposed(seeded)
    path = workspace / "reviews" / "batch.yaml"
    assert seeded("review", "--all", "--export", str(path)).exit_code == 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["proposal"] == head["id"])
    item["decision"] = "accept"
    kremlin = item["stances"][1]
    kremlin["actor"], kremlin["quote"] = "Kremlin spokesman", KREMLIN_QUOTE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    r = seeded("review", "--apply", str(path))
    assert r.exit_code == 0, r.output
    [row] = _rows(workspace, "SELECT * FROM decisions WHERE proposal_id = ?", linked[1]["id"])
    denial = next(e for e in _events(seeded, row["claim_id"]) if e["stance"] == "denied")
    assert (denial["actor"], denial["quote"]) == ("Kremlin spokesman", KREMLIN_QUOTE)
    text = _source_text(workspace, linked[1]["id"])
    assert text[denial["start"] : denial["end"]] == KREMLIN_QUOTE
    assert set(json.loads(row["changes"])) == {"actor", "quote"}
