"""The review screen against hostile text and for a careful reviewer: control characters shown,
never stored unmarked; fuzzy quotes confirmed; cards, progress, colour from stdout; undo in
words; an undone accept accepted again keeps its claim ID."""

import io
import json
import os
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from ledger.propose import store_proposals
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.store import Ledger
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, SEED_A, add_nato, spawn_review

HIDDEN = (
    "North Korean troops had been sent to Russia\x1b[8m and that Ukraine had surrendered\x1b[0m"
)
FUZZY = "Kremlin spokesman Dmitri Peskov dismissed these report"  # found only fuzzily
CLAIM = "North Korean soldiers are actively engaged in the war against Ukraine."


@pytest.fixture
def propose_as_model(seeded, workspace):
    """Store proposals as the LLM proposer would after its answer validated."""

    def store(*items: dict[str, str]) -> list[str]:
        with Ledger(workspace / "ledger.db") as ledger:
            src = ledger.one("SELECT * FROM sources WHERE path LIKE ?", [f"%{SEED_A}"])
            info = ProposerInfo(proposer="llm", proposer_version="t", model="test/model")
            run = store_proposals(ledger, src, [ProposedClaim(**i) for i in items], info)
        return [p["id"] for p in run.proposals]

    return store


def _all_text(db: Path) -> str:
    """Every text value in every table, joined: to look for raw control characters."""
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = []
    for t in tables:
        if t.endswith(("_fts", "_data", "_idx", "_docsize", "_config", "_content")):
            continue
        for row in conn.execute(f'SELECT * FROM "{t}"'):
            out += [v for v in row if isinstance(v, str)]
    return "\n".join(out)


def _claims(run):
    return json.loads(run("claims", "--json").output)


def test_escape_sequence_in_a_model_answer_is_shown_and_stored_visibly(propose_as_model,
                                                                       workspace, seeded):  # fmt: skip
    propose_as_model({"claim": HIDDEN, "actor": "NATO\u202e", "stance": "asserted",
                      "quote": NATO_QUOTE})  # fmt: skip
    child = spawn_review(workspace)
    child.logfile_read = seen = io.StringIO()
    child.expect("Claim:  North Korean troops had been sent to Russia␛\\[8m and that Ukraine "
                 "had surrendered␛\\[0m")  # fmt: skip
    child.expect(r"Stance: asserted by NATO⟨U\+202E⟩")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("a")
    child.expect("accept: FL-")
    child.send("q")
    child.expect(pexpect.EOF)
    assert "\x1b[8m" not in seen.getvalue() and "\u202e" not in seen.getvalue()
    (claim,) = _claims(seeded)
    assert claim["text"] == HIDDEN.replace("\x1b", "␛")  # marked: nothing hidden in the ledger
    stored = _all_text(workspace / "ledger.db")
    assert "\x1b" not in stored and "\u202e" not in stored
    shown = seeded("show", claim["id"])
    assert "␛[8m and that Ukraine" in shown.output and "\x1b" not in shown.output


def test_a_raw_escape_already_in_a_proposal_is_refused_on_accept(seeded, propose_as_model,
                                                                 monkeypatch):  # fmt: skip
    with monkeypatch.context() as m:  # a proposal stored before proposals were marked
        m.setattr("ledger.propose.visible", lambda text, **_: text)
        (pid,) = propose_as_model({"claim": HIDDEN, "actor": "NATO", "stance": "asserted",
                                   "quote": NATO_QUOTE})  # fmt: skip
    r = seeded("review", "--all", input="a\nq\n")
    assert "␛[8m and that Ukraine" in r.output and "\x1b[8m" not in r.output
    assert f"Error: proposal {pid}: the claim has a control character U+001B ESCAPE" in r.output
    assert _claims(seeded) == []
    edited = seeded("decide", pid, "accept", "--claim", "North Korean troops were sent to Russia.")
    assert edited.exit_code == 0, edited.output


def test_review_file_with_an_escape_in_a_claim_is_refused_naming_its_line(propose_as_model,
                                                                          seeded, workspace):  # fmt: skip
    propose_as_model({"claim": CLAIM, "actor": "NATO", "stance": "unconfirmed",
                      "quote": NATO_QUOTE})  # fmt: skip
    seeded("review", "--all", "--export", "reviews/e.yaml")
    path = workspace / "reviews" / "e.yaml"
    text = path.read_text().replace("decision: pending", "decision: accept")
    path.write_text(text.replace(f"claim: {CLAIM}", 'claim: "Troops were sent\\e[8m, or not"'))
    head = json.loads(seeded("head", "--json").output)
    r = seeded("review", "--apply", "reviews/e.yaml")
    assert r.exit_code == 1 and "\x1b" not in r.output
    line = next(n for n, x in enumerate(path.read_text().splitlines(), 1) if "- proposal:" in x)
    assert f"reviews/e.yaml:{line}: item 1: proposal " in r.output
    assert "the claim has a control character U+001B ESCAPE" in r.output
    assert json.loads(seeded("head", "--json").output) == head


def test_show_claims_and_cite_print_control_characters_visibly(seeded):
    r = seeded("add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim",
               "Troops\x1b[2J\x1b[8m are hidden\u202e here.", "--actor", "NATO\x07",
               "--stance", "unconfirmed")  # fmt: skip
    cid = r.output.strip()
    for args in (["show", cid], ["claims"], ["cite", cid], ["cite", cid, "--format", "text"]):
        out = seeded(*args).output
        if args[:1] == ["cite"] and "--format" not in args:
            out = out.replace("\\[", "[")  # Markdown escapes the brackets
        assert "Troops␛[2J␛[8m are hidden⟨U+202E⟩ here." in out, args
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, args
    assert "\x1b" not in seeded("log").output


def test_fuzzy_quote_needs_confirming_on_the_review_screen(propose_as_model, seeded):
    # "dismissed ... as fake news", proposed as confirmed: the reviewer must read the words.
    (pid,) = propose_as_model({"claim": CLAIM, "actor": "Kremlin", "stance": "confirmed",
                               "quote": FUZZY})  # fmt: skip
    r = seeded("review", "--all", input="a\nx\nq\n")
    assert f"Quote (found only fuzzily: check it):  “{KREMLIN_QUOTE}”" in r.output
    assert "Do they show “confirmed by Kremlin”?" in r.output
    assert "not decided: the fuzzily found quote was not confirmed" in r.output
    assert _claims(seeded) == []
    r = seeded("review", "--all", input="a\ny\nq\n")
    assert "accept: FL-" in r.output
    (claim,) = _claims(seeded)
    shown = json.loads(seeded("show", claim["id"], "--json").output)
    assert shown["stance_events"][0]["quote"] == KREMLIN_QUOTE  # the source's whole words
    assert seeded("verify").exit_code == 0


def test_fuzzy_quote_needs_confirming_with_decide_and_in_review_files(propose_as_model, seeded,
                                                                      workspace):  # fmt: skip
    a, b = propose_as_model(
        {"claim": CLAIM, "actor": "Kremlin", "stance": "confirmed", "quote": FUZZY},
        {"claim": "The Kremlin calls the reports fake.", "actor": "Kremlin", "stance": "denied",
         "quote": FUZZY + "s, labelling them"},
    )  # fmt: skip
    bad = seeded("decide", a, "accept")
    assert bad.exit_code == 1 and "found only fuzzily" in bad.output and "confirm" in bad.output
    ok = seeded("decide", a, "accept", "--confirm-quote")
    assert ok.exit_code == 0, ok.output
    seeded("review", "--all", "--export", "reviews/f.yaml")
    path = workspace / "reviews" / "f.yaml"
    data = yaml.safe_load(path.read_text())
    (item,) = data["items"]
    assert item["proposal"] == b and item["confirm_quote"] is False
    item["decision"] = "accept"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    refused = seeded("review", "--apply", "reviews/f.yaml")
    assert refused.exit_code == 1 and "item 1:" in refused.output
    assert "found only fuzzily" in refused.output and len(_claims(seeded)) == 1
    item["confirm_quote"] = True
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert seeded("review", "--apply", "reviews/f.yaml").exit_code == 0
    assert len(_claims(seeded)) == 2


def test_cards_clear_the_screen_show_the_quote_and_a_progress_bar(propose_as_model, workspace):
    propose_as_model(
        {"claim": CLAIM, "actor": "NATO", "stance": "unconfirmed", "quote": NATO_QUOTE},
        {"claim": "The Kremlin denies it.", "actor": "Kremlin", "stance": "denied",
         "quote": KREMLIN_QUOTE},
    )  # fmt: skip
    child = spawn_review(workspace)
    child.logfile_read = seen = io.StringIO()
    child.expect(r"\x1b\[2J")  # a fresh screen for the first card
    child.expect(r"\[1 / 2\] ─{24} 0%")
    child.expect(f"Quote:  “{NATO_QUOTE}”")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("a")
    child.expect(r"\x1b\[2J")  # cleared again; what the key did is at the top of the next card
    child.expect("accept: FL-")
    child.expect(r"\[2 / 2\] ━{12}─{12} 50%")
    child.expect(f"Quote:  “{KREMLIN_QUOTE}”")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("q")
    child.expect(pexpect.EOF)
    assert "\x1b[7m" in seen.getvalue() or "\x1b[1;7m" in seen.getvalue()  # reverse highlight


def test_stdout_not_a_terminal_gets_the_plain_highlight(propose_as_model, workspace):
    propose_as_model({"claim": CLAIM, "actor": "NATO", "stance": "unconfirmed",
                      "quote": NATO_QUOTE})  # fmt: skip
    cli = str(Path(sys.executable).with_name("factledger"))
    env = {**os.environ, "TERM": "xterm", "FACTLEDGER_REVIEWER": "pty-reviewer"}
    # stdin is the terminal (single keys), stdout a pipe: no colour codes, but >>> <<<
    child = pexpect.spawn("/bin/sh", ["-c", f"'{cli}' review --all | cat"], cwd=str(workspace),
                          env=env, encoding="utf-8", timeout=20)  # fmt: skip
    child.logfile_read = seen = io.StringIO()
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("q")
    child.expect(pexpect.EOF)
    out = seen.getvalue()
    assert f">>>{NATO_QUOTE}<<<" in out and "\x1b[" not in out


def test_undo_says_what_it_undid_and_accepting_again_keeps_the_claim_id(propose_as_model,
                                                                        seeded):  # fmt: skip
    (pid,) = propose_as_model({"claim": CLAIM, "actor": "NATO", "stance": "unconfirmed",
                               "quote": NATO_QUOTE})  # fmt: skip
    r = seeded("review", "--all", input="a\nu\na\nq\n")
    assert r.exit_code == 0, r.output
    assert r.output.count("accept: FL-") == 2
    (claim,) = _claims(seeded)
    cid = claim["id"]
    assert f"undone: retracted {cid}, the claim that accept made; {pid} is pending again" in (
        r.output
    )
    assert f"accept: {cid} (the same claim, brought back)" in r.output
    assert f"similar 1: {cid}" not in r.output  # a retracted claim is not offered for a merge
    assert claim["status"] == "active" and claim["version"] == 1
    assert claim["stance_summary"] == "unconfirmed by NATO"
    report = Path("report.md")
    report.write_text(f"Troops are engaged [{cid}].\n")
    assert seeded("check", "report.md").exit_code == 0
    # undone again, then accepted as an edit: still the same claim, with a new version
    propose_as_model({"claim": "The Kremlin denies it.", "actor": "Kremlin", "stance": "denied",
                      "quote": KREMLIN_QUOTE})  # fmt: skip
    r = seeded("review", "--all", input="u\nq\n")
    assert f"undone: retracted {cid}" in r.output
    edit = json.loads(seeded("decide", pid, "accept", "--claim", "NATO cannot confirm it.",
                             "--json").output)  # fmt: skip
    assert edit["claim_id"] == cid
    (claim,) = _claims(seeded)
    assert (claim["id"], claim["version"], claim["text"]) == (cid, 2, "NATO cannot confirm it.")
    assert claim["status"] == "active" and seeded("verify").exit_code == 0


def test_undo_of_a_rejection_and_of_a_merge_in_words(seeded, propose_as_model):
    cid = json.loads(add_nato(seeded, "--json").output)["id"]
    (pid,) = propose_as_model({"claim": CLAIM, "actor": "Kremlin", "stance": "denied",
                               "quote": KREMLIN_QUOTE})  # fmt: skip
    r = seeded("review", "--all", input="r\n\nu\nm\n1\nu\nq\n")
    assert f"undone: took back the rejection of {pid}: it is pending again" in r.output
    assert f"undone: withdrew the denied stance that merge added to {cid}" in r.output


def test_fuzzy_quote_confirmed_with_one_key_in_a_pseudo_terminal(propose_as_model, seeded,
                                                                 workspace):  # fmt: skip
    propose_as_model({"claim": CLAIM, "actor": "Kremlin", "stance": "confirmed", "quote": FUZZY})
    child = spawn_review(workspace)
    child.expect(r"\[FUZZY \d+\.\d\]")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("a")
    child.expect("Do they show “confirmed by Kremlin”")
    child.expect(r"\[y confirm the quote / e edit it / any other key: back\]")
    child.send("n")
    child.expect("not decided: the fuzzily found quote was not confirmed")
    child.expect(r"\[a/e/r/s/m/u/q/\?\]")
    child.send("a")
    child.expect(r"\[y confirm the quote")
    child.send("y")
    child.expect("accept: FL-")
    child.expect("End of the queue")
    child.send("q")
    child.expect(pexpect.EOF)
    (claim,) = _claims(seeded)
    shown = json.loads(seeded("show", claim["id"], "--json").output)
    assert shown["span"]["quote"] == KREMLIN_QUOTE
    assert claim["stance_summary"] == "confirmed by Kremlin"
