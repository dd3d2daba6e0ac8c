"""``factledger eval``: a proposer scored on a gold file and on the ledger's own reviews."""

import json
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.fake_openai import BASE, FakeOpenAI

GOLD = Path(__file__).parent / "data" / "gold_small.yaml"


@pytest.fixture
def fake(record_mode):
    """The scripted provider while recording a cassette; nothing while replaying."""
    return lambda script: FakeOpenAI(script) if record_mode != "none" else nullcontext()


@pytest.fixture
def llm_env(monkeypatch):
    monkeypatch.setenv("FACTLEDGER_BACKOFF_S", "0.01")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("FACTLEDGER_MODEL", raising=False)


def test_eval_offline_on_a_gold_file(run):
    r = run("eval", str(GOLD), "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["gold"] == 6 and report["sources"] == 1
    assert report["recall"] == round(5 / 6, 3)  # the weather sentence has no attribution
    assert report["precision"] == 1.0
    assert report["stance_accuracy"] == 0.8  # Ana Silva is marked denied in the gold, on purpose
    assert report["actor_accuracy"] == 1.0
    assert report["link_recall"] == 1.0 and report["false_links"] == 0.0
    assert [m["actor"] for m in report["misses"]] == ["Met Office"]
    assert report["wrong"][0]["proposed"].startswith("asserted by Ana Silva")
    assert report["standing_alone"] == 1.0


def test_eval_table_lists_figures_and_misses(run):
    r = run("eval", str(GOLD))
    assert r.exit_code == 0, r.output
    assert "recall                 0.833" in r.output
    assert "missed: Harbour: asserted by Met Office" in r.output


def test_eval_refuses_a_bad_gold_file_in_one_line(run, workspace):
    (workspace / "bad.yaml").write_text(
        "sources:\n  - text: Some words.\n    gold:\n      - quote: Other words\n"
    )
    r = run("eval", "bad.yaml")
    assert r.exit_code == 1 and "gold quote not in the text" in r.output
    (workspace / "bad2.yaml").write_text("sources:\n  - text: x\n    extra: 1\n")
    r = run("eval", "bad2.yaml")
    assert r.exit_code == 1 and "extra" in r.output and "Traceback" not in r.output
    assert run("eval").exit_code == 2  # neither a gold file nor --from-reviews


def test_eval_from_reviews_uses_decisions_as_gold(seeded):
    assert seeded("propose", "--all").exit_code == 0
    rows = json.loads(seeded("proposals", "--json").output)
    nato = next(p for p in rows if "NATO" in p["actor"])
    kremlin = next(p for p in rows if "Kremlin" in p["actor"])
    white_house = next(p for p in rows if p["actor"] == "White House")
    assert seeded("decide", nato["id"], "accept").exit_code == 0
    assert seeded("decide", kremlin["id"], "accept", "--stance", "disputed").exit_code == 0
    assert seeded("decide", white_house["id"], "reject", "--reason", "policy").exit_code == 0
    before = seeded("proposals", "--json").output
    r = seeded("eval", "--from-reviews", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["gold_from"] == "reviews" and report["gold"] == 2
    assert report["recall"] == 1.0
    assert report["stance_accuracy"] == 0.5  # the Kremlin's stance was edited to disputed
    assert report["on_rejected"] == 1  # the offline proposer still proposes what was rejected
    assert seeded("proposals", "--json").output == before  # nothing written to the ledger


@pytest.mark.vcr
def test_eval_scores_the_llm_proposer_through_litellm(run, llm_env, fake):
    answer = {
        "claims": [
            {"claim": "Two cargo ships ran aground near the port on Sunday.",
             "actor": "Harbour officials", "stance": "confirmed",
             "quote": "Harbour officials confirmed that two cargo ships ran aground near the port"},
            {"claim": "A third ship sank.", "actor": "Police", "stance": "denied",
             "quote": "Police could not confirm these reports."},
        ]
    }  # fmt: skip
    with fake([(200, json.dumps(answer))]):
        r = run(
            "eval", str(GOLD), "--model", "openai/gpt-4o-mini", "--api-base", BASE, "--json"
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["proposer"] == "llm" and report["proposals"] == 2
    assert report["recall"] == round(2 / 6, 3) and report["precision"] == 1.0
    assert report["stance_accuracy"] == 0.5  # the police did not deny it: they could not confirm
    assert len(report["misses"]) == 4


def test_gold_file_names_its_texts_relative_to_itself(run, workspace):
    (workspace / "gold").mkdir()
    (workspace / "gold" / "port.txt").write_text(
        "Police could not confirm that a ship sank.\n", encoding="utf-8"
    )
    (workspace / "gold" / "g.yaml").write_text(
        "sources:\n  - file: port.txt\n    gold:\n"
        "      - {quote: Police could not confirm, actor: Police, stance: unconfirmed}\n"
    )
    report = json.loads(run("eval", "gold/g.yaml", "--json").output)
    assert report["recall"] == 1.0 and report["stance_accuracy"] == 1.0
    (workspace / "gold" / "h.yaml").write_text("sources:\n  - file: missing.txt\n")
    r = run("eval", "gold/h.yaml")
    assert r.exit_code == 1 and "cannot read missing.txt" in r.output
