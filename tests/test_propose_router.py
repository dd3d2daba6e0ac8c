"""`factledger propose --router CONFIG`: a litellm Router over two deployments, from the CLI.

Each deployment answers with litellm's own ``mock_response`` (its ``litellm_params``), so
nothing leaves the process; the two answers differ by actor, so the proposals show which
deployment served which chunk.
"""

from __future__ import annotations

import json

import yaml

LINE = "Officials said the bridge on Route {i} would reopen after repairs."
QUOTE = "the bridge on Route 7 would reopen after repairs"


def _answer(actor: str) -> str:
    claim = {"claim": "The bridge on Route 7 will reopen after repairs.", "actor": actor,
             "stance": "asserted", "quote": QUOTE}  # fmt: skip
    return json.dumps({"claims": [claim]})


def _router(workspace, name="news"):
    config = {
        "model_list": [
            {"model_name": name, "litellm_params": {
                "model": "openai/gpt-4o-mini", "api_base": f"http://127.0.0.1:{port}/v1",
                "mock_response": _answer(f"Desk {port}")}}
            for port in (8791, 8792)
        ]
    }  # fmt: skip
    path = workspace / "router.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _long_source(run, workspace):
    # Long enough for about twenty chunks: both deployments serve some of them.
    (workspace / "news").mkdir()
    path = workspace / "news" / "bridges.txt"
    path.write_text("\n".join(LINE.format(i=i) for i in range(2000)) + "\n")
    r = run("ingest", str(path))
    assert r.exit_code == 0, r.output
    return path


def test_propose_with_a_router_config_fans_out_over_its_deployments(run, workspace, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    source = _long_source(run, workspace)
    _router(workspace)
    r = run("propose", str(source), "--router", "router.yaml", "--concurrency", "8", "--json")
    assert r.exit_code == 0, r.output
    proposals = json.loads(r.output)
    # The same statement from every chunk; one proposal per deployment's wording of the actor.
    assert {p["actor"] for p in proposals} == {"Desk 8791", "Desk 8792"}
    assert {p["proposer"] for p in proposals} == {"llm"}
    assert all(p["quote"] == QUOTE and p["anchoring"] == "exact" for p in proposals)
    listed = json.loads(run("proposals", "--json").output)
    assert {p["model"] for p in listed} == {"news"}  # the router's model name, not a deployment
    import sqlite3

    rows = sqlite3.connect(workspace / "ledger.db").execute("SELECT model FROM model_calls")
    assert {m for (m,) in rows} == {"news"}
    # Unchanged, again: every call comes from the log, nothing new is proposed.
    again = run("propose", str(source), "--router", "router.yaml")
    assert again.exit_code == 0 and "(0 new)" in again.output


def test_router_model_is_picked_with_model_and_a_wrong_name_is_one_line(run, workspace):
    source = _long_source(run, workspace)
    _router(workspace, name="news")
    r = run("propose", str(source), "--router", "router.yaml", "--model", "sport")
    assert r.exit_code != 0
    assert r.output.strip() == (
        "Error: router config router.yaml has no model 'sport': use one of ['news']"
    )
    r = run("propose", str(source), "--router", "missing.yaml")
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert r.output.strip().startswith("Error: cannot read router config missing.yaml")
    (workspace / "bad.yaml").write_text("model_list: []\n")
    r = run("propose", str(source), "--router", "bad.yaml")
    assert r.exit_code != 0 and "router config bad.yaml: model_list:" in r.output
    assert json.loads(run("proposals", "--json").output) == []
