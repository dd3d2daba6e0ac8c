"""Review: unanchored proposals, undo (of merges, across sessions, at the end of the queue),
decision rows with their reviewer, similar claims and merge, and a review with nothing to read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.ids import new_row_id
from ledger.spans import find_span
from ledger.store import Ledger
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, SEED_A, add_nato, spawn_review

NATO_CLAIM = "North Korean soldiers are actively engaged in the war against Ukraine."
INVENTED = "NATO has proof of 50,000 North Korean soldiers at the front"


@pytest.fixture
def add_proposal(seeded, workspace):
    """Append a proposal row to the ledger as a proposer would (span found in the seed text)."""

    def add(quote: str | None, *, claim: str, actor: str, stance: str, **extra: str) -> str:
        with Ledger(workspace / "ledger.db") as ledger:
            src = ledger.one("SELECT id, text, published FROM sources WHERE path LIKE ?",
                             [f"%{SEED_A}"])  # fmt: skip
            assert src is not None
            if quote is None:
                span, anchoring = {"quote": INVENTED}, "unanchored"
            else:
                span, anchoring = find_span(src["id"], src["text"], quote).columns(), "exact"
            pid = new_row_id("P")
            with ledger.transaction():
                ledger.append("proposals", {
                    "id": pid, **span, "source_id": src["id"], "claim": claim, "actor": actor,
                    "stance": stance, "stated_on": src["published"], "rationale": "test",
                    "anchoring": anchoring, "anchor_score": None, "proposer": "llm",
                    "proposer_version": "1", "model": extra.get("model", "ollama/qwen2.5"),
                    "prompt_name": "claims", "prompt_hash": "abc123", "params": "{}",
                    "model_call_id": None,
                })  # fmt: skip
        return pid

    return add


def _rows(raw_db, sql, params=()):
    conn = raw_db()
    conn.row_factory = __import__("sqlite3").Row
    return [dict(r) for r in conn.execute(sql, params)]


def _claims(run):
    return json.loads(run("claims", "--json").output)


def test_unanchored_proposal_cannot_be_accepted_until_its_quote_is_fixed(seeded, add_proposal):
    pid = add_proposal(None, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    r = seeded("review", "--all", input="a\nq\n")
    assert "UNANCHORED" in r.output and "llm ollama/qwen2.5 · prompt claims" in r.output
    assert "Error: proposal " in r.output and "is unanchored" in r.output
    assert _claims(seeded) == []
    bad = seeded("decide", pid, "accept")
    assert bad.exit_code == 1 and "edit its quote" in bad.output
    fixed = json.loads(seeded("decide", pid, "accept", "--quote", NATO_QUOTE, "--json").output)
    assert fixed["action"] == "edit"
    shown = json.loads(seeded("show", fixed["claim_id"], "--json").output)
    assert shown["span"]["quote"] == NATO_QUOTE and shown["proposal_id"] == pid
    assert seeded("verify").exit_code == 0


def test_review_file_refuses_an_unanchored_accept_naming_its_line(seeded, add_proposal, workspace):
    add_proposal(NATO_QUOTE, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    add_proposal(None, claim="Fifty thousand troops are at the front.", actor="NATO",
                 stance="asserted")  # fmt: skip
    seeded("review", "--all", "--export", "reviews/u.yaml")
    path = workspace / "reviews" / "u.yaml"
    path.write_text(path.read_text().replace("decision: pending", "decision: accept"))
    second = [n for n, line in enumerate(path.read_text().splitlines(), 1) if "- proposal:" in line]
    r = seeded("review", "--apply", "reviews/u.yaml")
    assert r.exit_code == 1 and f"reviews/u.yaml:{second[1]}: item 2:" in r.output
    assert "unanchored" in r.output and _claims(seeded) == []


def test_decisions_record_reviewer_and_undo_is_a_reversing_row(seeded, add_proposal, raw_db,
                                                              monkeypatch):  # fmt: skip
    monkeypatch.setenv("FACTLEDGER_REVIEWER", "alice")
    add_proposal(NATO_QUOTE, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    r = seeded("review", "--all", input="a\nu\nq\n")
    assert r.exit_code == 0, r.output
    rows = _rows(raw_db, "SELECT id, action, reviewer, reverses, claim_id FROM decisions "
                         "ORDER BY seq")  # fmt: skip
    assert [(d["action"], d["reviewer"]) for d in rows] == [("accept", "alice"), ("undo", "alice")]
    assert rows[1]["reverses"] == rows[0]["id"] and rows[1]["claim_id"] == rows[0]["claim_id"]
    status = _rows(raw_db, "SELECT status, reason, reviewer FROM status_changes")
    assert status == [
        {"status": "retracted", "reason": f"undo of decision {rows[0]['id']}", "reviewer": "alice"}
    ]
    # nothing was deleted: the claim stays readable, retracted; the proposal is pending again
    assert [c["status"] for c in _claims(seeded)] == ["retracted"]
    assert "[1 / 1]" in seeded("review", "--all", input="q\n").output


def test_undo_of_a_merge_withdraws_the_stance_but_keeps_the_claim(seeded, add_proposal, raw_db):
    cid = json.loads(add_nato(seeded, "--json").output)["id"]
    add_proposal(KREMLIN_QUOTE, claim=NATO_CLAIM, actor="Kremlin", stance="denied")
    r = seeded("review", "--all", input="m\n1\nu\nq\n")
    assert r.exit_code == 0, r.output
    assert f"similar 1: {cid}" in r.output and f"merge: {cid}" in r.output
    shown = json.loads(seeded("show", cid, "--json").output)
    assert shown["status"] == "active"
    assert shown["stance_summary"] == "unconfirmed by NATO (Mark Rutte)"
    reader = _rows(raw_db, "SELECT stance_summary FROM current_claims WHERE claim_id = ?", [cid])
    assert reader == [{"stance_summary": "unconfirmed by NATO (Mark Rutte)"}]
    # merge again and keep it: the stance is on the claim, no new claim was made
    seeded("review", "--all", input="m\n1\nq\n")
    shown = json.loads(seeded("show", cid, "--json").output)
    assert shown["stance_summary"] == "unconfirmed by NATO (Mark Rutte); denied by Kremlin"
    assert len(_claims(seeded)) == 1 and seeded("verify").exit_code == 0


def test_undo_in_a_later_session_brings_the_proposal_back(seeded, add_proposal):
    add_proposal(NATO_QUOTE, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    add_proposal(KREMLIN_QUOTE, claim="The Kremlin denies the reports.", actor="Kremlin",
                 stance="denied")  # fmt: skip
    first = seeded("review", "--all", input="a\nq\n")
    assert "[1 / 2]" in first.output and "Review: 1 accept; 1 pending." in first.output
    second = seeded("review", "--all", input="u\nr\n\nq\n").output
    # the undone accept comes back into this session, counted in the progress, and shows next
    assert "[1 / 1]" in second and "undone: retracted FL-" in second
    assert "the claim that accept made" in second
    after_undo = second.split("undone: retracted FL-")[1]
    assert after_undo.index("[1 / 2]") < after_undo.index(f"Claim:  {NATO_CLAIM}")
    assert "Review: 1 reject, 1 undo; 1 pending." in second
    assert [c["status"] for c in _claims(seeded)] == ["retracted"]


def test_end_of_the_queue_still_offers_undo(seeded, add_proposal):
    add_proposal(NATO_QUOTE, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    r = seeded("review", "--all", input="a\nu\nr\nnot a claim\nq\n")
    assert r.exit_code == 0, r.output
    assert r.output.count("End of the queue") == 2 and r.output.count("[1 / 1]") == 2
    assert "Review: 1 accept, 1 reject, 1 undo; 0 pending." in r.output
    assert [c["status"] for c in _claims(seeded)] == ["retracted"]


def test_review_without_a_terminal_and_nothing_to_read_exits(seeded, add_proposal, workspace):
    add_proposal(NATO_QUOTE, claim=NATO_CLAIM, actor="NATO", stance="unconfirmed")
    r = seeded("review", "--all", input="")
    assert r.exit_code == 0 and "Review: no decisions; 1 pending." in r.output
    cli = str(Path(sys.executable).with_name("factledger"))
    done = subprocess.run([cli, "review", "--all"], cwd=workspace, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "1 pending" in done.stdout


def test_merge_in_a_pseudo_terminal(seeded, add_proposal, workspace):
    """'m' in the full-screen review lists the similar claims and merges into the one chosen."""
    import pexpect

    cid = json.loads(add_nato(seeded, "--json").output)["id"]
    add_proposal(KREMLIN_QUOTE, claim=NATO_CLAIM, actor="Kremlin", stance="denied")
    child = spawn_review(workspace)
    child.expect(f"similar 1: {cid}")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("m")
    child.expect(r"Merge into which similar claim \(1-1\)")
    child.sendline("1")
    child.expect(f"merge: {cid}")
    child.expect(r"End of the queue .*\[u undo the last decision / q quit\]")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(seeded("show", cid, "--json").output)
    assert shown["stance_summary"] == "unconfirmed by NATO (Mark Rutte); denied by Kremlin"
    assert len(_claims(seeded)) == 1
