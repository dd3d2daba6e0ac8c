"""Review: decisions, the interactive screen (pseudo-terminal and line mode), review files."""

import json
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import spawn_review


@pytest.fixture
def proposed(seeded):
    assert seeded("propose", "--all").exit_code == 0
    return seeded


def _pending(run):
    rows = json.loads(run("proposals", "--json").output)
    return rows


def _claims(run):
    return json.loads(run("claims", "--json").output)


def test_decide_accept_links_claim_to_proposal_and_decision(proposed):
    p = next(p for p in _pending(proposed) if "NATO" in p["actor"])
    out = json.loads(proposed("decide", p["id"], "accept", "--json").output)
    claim = json.loads(proposed("show", out["claim_id"], "--json").output)
    assert claim["proposal_id"] == p["id"]
    assert claim["stance_events"][0]["decision_id"] == out["decision_id"]
    assert claim["stance_summary"] == "unconfirmed by NATO (Mark Rutte)"
    again = proposed("decide", p["id"], "accept")
    assert again.exit_code == 1 and "already decided" in again.output


def test_decide_edit_records_changes_and_reanchors(proposed, workspace):
    p = next(p for p in _pending(proposed) if "Kremlin" in p["actor"])
    r = proposed(
        "decide", p["id"], "accept", "--claim", "North Korean troops are in Russia.",
        "--quote", "Dmitry Peskov dismissed these reports", "--json",
    )  # fmt: skip
    out = json.loads(r.output)
    assert out["action"] == "edit"
    claim = json.loads(proposed("show", out["claim_id"], "--json").output)
    assert claim["text"] == "North Korean troops are in Russia."
    assert claim["span"]["quote"] == "Dmitry Peskov dismissed these reports"
    import sqlite3

    changes = (
        sqlite3.connect(workspace / "ledger.db")
        .execute("SELECT changes FROM decisions WHERE id = ?", [out["decision_id"]])
        .fetchone()[0]
    )
    assert json.loads(changes)["claim"]["to"] == "North Korean troops are in Russia."
    bad = proposed("decide", _pending(proposed)[0]["id"], "accept", "--quote", "words not there")
    assert bad.exit_code == 1 and "not in source" in bad.output


def test_merge_adds_stance_to_existing_claim_and_acceptance_rates(proposed):
    props = _pending(proposed)
    nato = next(p for p in props if "NATO" in p["actor"] and p["stance"] == "unconfirmed")
    kremlin = next(p for p in props if "Kremlin" in p["actor"])
    cid = json.loads(proposed("decide", nato["id"], "accept", "--json").output)["claim_id"]
    assert proposed("decide", kremlin["id"], "merge", "--into", cid).exit_code == 0
    other = next(p for p in props if "Analysts" in p["actor"])
    proposed("decide", other["id"], "reject", "--reason", "speculation")
    summary = json.loads(proposed("show", cid, "--json").output)["stance_summary"]
    assert summary == "unconfirmed by NATO (Mark Rutte); denied by Kremlin (Dmitry Peskov)"
    rates = json.loads(proposed("acceptance", "--json").output)
    assert rates[0]["proposer"] == "offline" and rates[0]["decided"] == 3
    assert rates[0]["rejected"] == 1 and rates[0]["acceptance_rate"] == pytest.approx(0.667)


def test_line_mode_review_accept_reject_undo_quit_and_resume(proposed):
    # Cards, not proposals: a stance linked to a pending claim proposal is shown on its card.
    total = int(re.search(r"\[1 / (\d+)\]", proposed("review", "--all", input="q\n").output)[1])
    r = proposed("review", "--all", input="a\nr\nnot checkable\ns\nu\nq\n")
    assert r.exit_code == 0, r.output
    assert "[1 / " in r.output and "undone" in r.output
    assert len(_claims(proposed)) == 1
    resumed = proposed("review", "--all", input="q\n")
    # one accepted; the rejection was undone, so that proposal is pending again
    assert f"[1 / {total - 1}]" in resumed.output


def test_undo_of_accept_retracts_claim(proposed):
    proposed("review", "--all", input="a\nu\nq\n")
    claims = _claims(proposed)
    assert len(claims) == 1 and claims[0]["status"] == "retracted"
    assert proposed("verify").exit_code == 0


EDITOR = """#!{python}
import sys, re
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
if "# Error:" not in text and "EDITED-ONCE" not in open({marker!r}).read():
    open({marker!r}, "w").write("EDITED-ONCE")
    text = text.replace("stance: asserted", "stance: rumoured")  # invalid: reopens with the error
else:
    new = "claim: Ukraine says 11,000 North Korean troops train in Russia."
    text = re.sub(r"^claim: .*$", new, text, flags=re.M)
    text = text.replace("stance: rumoured", "stance: asserted")
open(path, "w", encoding="utf-8").write(text)
"""


def test_interactive_review_in_a_pseudo_terminal(proposed, workspace):
    marker = workspace / "marker.txt"
    marker.write_text("")
    editor = workspace / "editor.py"
    editor.write_text(EDITOR.format(python=sys.executable, marker=str(marker)))
    editor.chmod(0o755)
    child = spawn_review(workspace, EDITOR=str(editor), VISUAL=str(editor))
    child.expect(r"\[1 / \d+\]")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("?")
    child.expect("a accept · e edit · r reject · s skip")
    child.expect(r"\[1 / \d+\]")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("a")  # single key, no Enter
    child.expect("accept: FL-")
    child.expect(r"\[2 / ")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("e")  # scripted $EDITOR: first an invalid stance, then a valid edit
    child.expect("edit: FL-")
    child.expect(r"\[3 / ")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("r")
    child.expect("Reason")
    child.sendline("duplicate")
    child.expect("reject: P-")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("u")
    child.expect("undone")
    child.expect(r"\[3 / ")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("q")
    child.expect("Review: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    claims = _claims(proposed)
    assert len(claims) == 2
    assert any(
        c["text"] == "Ukraine says 11,000 North Korean troops train in Russia." for c in claims
    )
    shown = json.loads(proposed("show", claims[0]["id"], "--json").output)
    assert shown["created_by"] == "pty-reviewer"
    import sqlite3

    rows = sqlite3.connect(workspace / "ledger.db").execute(
        "SELECT action, reviewer FROM decisions ORDER BY seq"
    )
    assert [tuple(r) for r in rows] == [
        ("accept", "pty-reviewer"), ("edit", "pty-reviewer"), ("reject", "pty-reviewer"),
        ("undo", "pty-reviewer"),
    ]  # fmt: skip
    # resume: the undone rejection is pending again and comes first
    again = proposed("review", "--all", input="q\n")
    assert "[1 / " in again.output


def test_review_file_round_trip(proposed, workspace):
    r = proposed("review", "--all", "--export", "reviews/batch.yaml")
    assert r.exit_code == 0 and "pending proposals" in r.output
    import yaml

    path = workspace / "reviews" / "batch.yaml"
    data = yaml.safe_load(path.read_text())
    items = data["items"]
    for item in items:  # linked stances are decided with their claim: here, left pending
        for stance in item.get("stances", []):
            stance["decision"] = "pending"
    items[0]["decision"] = "accept"
    items[1]["decision"] = "reject"
    items[1]["reason"] = "opinion"
    items[2]["decision"] = "edit"
    items[2]["claim"] = "Edited claim text for review."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    first = proposed("review", "--apply", "reviews/batch.yaml", "--json")
    assert first.exit_code == 0, first.output
    out = json.loads(first.output)
    assert [a["action"] for a in out["applied"]] == ["accept", "reject", "edit"]
    assert len(_claims(proposed)) == 2
    head = json.loads(proposed("head", "--json").output)
    second = json.loads(proposed("review", "--apply", "reviews/batch.yaml", "--json").output)
    assert second["applied"] == [] and second["skipped"] == 3
    assert json.loads(proposed("head", "--json").output) == head  # nothing added


def test_review_file_with_one_bad_item_applies_nothing(proposed, workspace):
    proposed("review", "--all", "--export", "reviews/bad.yaml")
    path = workspace / "reviews" / "bad.yaml"
    text = path.read_text()
    text = text.replace("decision: pending", "decision: accept", 2)
    lines = text.splitlines()
    third = [i for i, line in enumerate(lines) if line.startswith("- proposal:")][2]
    lines = [*lines[: third + 1], "  decision: maybe", *lines[third + 2 :]]
    path.write_text("\n".join(lines) + "\n")
    head = json.loads(proposed("head", "--json").output)
    r = proposed("review", "--apply", "reviews/bad.yaml")
    assert r.exit_code == 1
    assert f"reviews/bad.yaml:{third + 1}: item 3: decision" in r.output
    assert json.loads(proposed("head", "--json").output) == head
    assert _claims(proposed) == []


def test_review_file_unknown_field_and_bad_yaml(proposed, workspace):
    path = workspace / "reviews" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "items:\n  - proposal: P-1\n    decision: accept\n    claim: c c c\n"
        "    actor: A\n    stance: asserted\n    quote: q\n    colour: red\n"
    )
    r = proposed("review", "--apply", str(path))
    assert r.exit_code == 1 and ":2: item 1: colour: Extra inputs are not permitted" in r.output
    path.write_text("items: [\n")
    r = proposed("review", "--apply", str(path))
    assert r.exit_code == 1 and "invalid YAML" in r.output


def test_dumb_terminal_degrades_to_line_prompts(proposed, workspace):
    env = {**os.environ, "TERM": "dumb", "FACTLEDGER_REVIEWER": "dumb-term"}
    cli = str(Path(sys.executable).with_name("factledger"))
    child = pexpect.spawn(
        cli, ["review", "--all"], cwd=str(workspace), env=env, encoding="utf-8", timeout=20
    )
    import io

    child.logfile_read = seen = io.StringIO()
    child.expect(r"\[1 / \d+\]")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.send("a")  # a single key is not enough here: a line is read
    child.sendline("")
    child.expect("accept: FL-")
    child.expect(r"\[a/e/r/s/m/(x/d/)?u/q/\?\]")
    child.sendline("q")
    child.expect("Review: 1 accept")
    child.expect(pexpect.EOF)
    assert (
        "\x1b[" not in seen.getvalue() and ">>>" in seen.getvalue()
    )  # plain highlight, no colour codes
