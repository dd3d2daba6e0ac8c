"""Issue 17 item 5: one bad input never stops a ``propose --all`` batch."""

import json

from tests.conftest import SEED_A, SEED_B


def _write_hostile(workspace):
    # An attributed sentence of over 2,000 characters, and a 1 MB article in one paragraph.
    clauses = ", ".join(f"clause {i} of the statement ran on" for i in range(80))
    (workspace / "corpus" / "long.txt").write_text(
        f"The minister said that {clauses} until the end.\n"
    )
    paragraph = (
        "The mayor said that 40 people were evacuated from the village on Monday. "
        "Police could not confirm the number of injured. "
    )
    (workspace / "corpus" / "big.txt").write_text(paragraph * (1_000_000 // len(paragraph) + 1))


def test_long_sentence_and_big_article_do_not_stop_the_batch(run, workspace):
    _write_hostile(workspace)
    assert run("ingest", "corpus").exit_code == 0
    result = run("propose", "--all", "--json")
    assert result.exit_code == 0, result.output[-2000:]
    out = json.loads(result.stdout)
    by_source: dict[str, list] = {}
    for p in out:
        by_source.setdefault(p["source_id"], []).append(p)
    sources = {s["path"]: s["id"] for s in json.loads(run("sources", "--json").stdout)}
    for seed in (SEED_A, SEED_B):
        sid = next(v for k, v in sources.items() if k.endswith(seed))
        assert len(by_source[sid]) >= 8
    long_id = next(v for k, v in sources.items() if k.endswith("long.txt"))
    for p in by_source.get(long_id, []):
        assert len(p["claim"]) <= 2000 and p["anchoring"] == "exact"
    big_id = next(v for k, v in sources.items() if k.endswith("big.txt"))
    big = by_source[big_id]
    assert {p["stance"] for p in big} == {"asserted", "unconfirmed"}
    assert all(p["anchoring"] == "exact" for p in big[:50])


def test_a_source_the_proposer_fails_on_is_skipped_with_one_line(run, workspace, monkeypatch):
    import ledger.propose.offline as offline

    real = offline.propose_offline

    def fragile(text):
        if "Cardin" in text:
            raise ValueError("could not read this text")
        return real(text)

    monkeypatch.setattr(offline, "propose_offline", fragile)
    assert run("ingest", "corpus").exit_code == 0
    result = run("propose", "--all")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and "could not read this text" in warnings[0]
    assert "Traceback" not in result.output
    assert "NATO (Mark Rutte)" in result.stdout  # the other seed was proposed on
