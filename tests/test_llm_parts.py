"""LLM proposer parts that need no cassette: strict parsing, chunking, merging, cost.

The model side uses litellm's own ``mock_response``: nothing leaves the process.
"""

from __future__ import annotations

import functools
import json

import pytest

from ledger.propose import llm
from ledger.store import Ledger

OK = {"claim": "NATO has not confirmed it.", "actor": "NATO", "stance": "unconfirmed", "quote": "q"}


@pytest.mark.parametrize(
    "bad",
    [
        {**OK, "actor": 10},  # strict: a number is not a string
        {**OK, "rationale": 10},
        {**OK, "stance": "true"},  # not one of the stances
        {**OK, "stance": "confirmed everything"},
        {**OK, "status": "accepted"},  # unknown keys are refused, not dropped
        {k: v for k, v in OK.items() if k != "quote"},  # a quote is required
    ],
)
def test_strict_schema_refuses(bad):
    with pytest.raises(ValueError):
        llm.parse(json.dumps({"claims": [bad]}))


def test_strict_schema_accepts_a_good_answer_only_as_json():
    assert llm.parse(json.dumps({"claims": [OK]}))[0].stance == "unconfirmed"
    for text in ("Sure! Here they are.", "", None, json.dumps([OK])):
        with pytest.raises(ValueError):
            llm.parse(text)


def test_long_text_is_chunked_with_overlap_covering_every_cut():
    paragraphs = [f"Paragraph {i}: the ministry said {i} things happened." for i in range(800)]
    text = "\n".join(paragraphs)
    parts = llm.chunks(text)
    assert len(parts) > 3 and all(len(p) <= llm.CHUNK_CHARS for p in parts)
    assert text.startswith(parts[0]) and text.endswith(parts[-1])
    for a, b in zip(parts, parts[1:], strict=False):
        assert a[-(llm.OVERLAP // 2) :] in b  # a statement cut at the end of one is whole in next
    assert all(p in text for p in paragraphs if any(p in part for part in parts))
    assert all(any(p in part for part in parts) for p in paragraphs)  # nothing is lost


def test_overlapping_chunks_are_merged_and_every_call_logged_with_cost(workspace, monkeypatch):
    litellm = llm._litellm()  # imports it with the local price map, as the proposer does
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-sent")  # mock_response makes no request
    answer = json.dumps({"claims": [OK]})
    monkeypatch.setattr(
        litellm, "acompletion", functools.partial(litellm.acompletion, mock_response=answer)
    )
    ledger = Ledger("ledger.db")
    text = "\n".join(f"Line {i}: officials said something checkable." for i in range(400))
    source = {"id": "src-x", "text": text, "title": "t"}
    claims, info = llm.propose_with_llm(ledger, source, model="openai/gpt-4o-mini")
    n = len(llm.chunks(text))
    assert n > 1 and len(claims) == 1  # every chunk proposed the same statement: kept once
    rows = ledger.all("select * from model_calls order by seq")
    assert len(rows) == n and info.failures == []
    assert all(r["cost"] is not None and r["cost"] > 0 for r in rows)  # a priced model
    assert all("sk-test" not in r["request"] + r["response"] for r in rows)
    again, _ = llm.propose_with_llm(ledger, source, model="openai/gpt-4o-mini")
    assert again == claims and ledger.count("model_calls") == n  # all from the log


def _c(claim, on=None):
    return llm.ProposedClaim(claim=claim, actor="A", stance="denied", quote="q", stance_on=on)


def test_bad_links_are_dropped_with_a_recorded_failure():
    claims, failures = llm.check_links(
        [_c("item 0", 0), _c("item 1", 0), _c("item 2", 3), _c("item 3", 9)]
    )
    assert [c.stance_on for c in claims] == [None, 0, None, None]
    assert len(failures) == 3 and all(f.startswith("link dropped") for f in failures)


def test_links_are_renumbered_across_chunks():
    first = [_c("shared"), _c("only one")]
    second = [_c("shared"), _c("reply", 0)]  # index 0 of the second chunk is "shared"
    items, calls = llm.merge_chunks([(first, "mc-1"), (second, "mc-2")])
    assert [c.claim for c in items] == ["shared", "only one", "reply"]
    assert items[2].stance_on == 0 and calls == ["mc-1", "mc-1", "mc-2"]


def test_router_deployments_all_serve_one_model_name(workspace, monkeypatch):
    """Two deployments on 127.0.0.1 under one name; litellm's mock_response answers."""
    import yaml

    answers = {port: json.dumps({"claims": [{**OK, "actor": f"A{port}"}]}) for port in (8799, 8798)}
    config = {
        "model_list": [
            {"model_name": "news", "litellm_params": {
                "model": "openai/gpt-4o-mini", "api_base": f"http://127.0.0.1:{port}/v1",
                "mock_response": answer}}
            for port, answer in answers.items()
        ]
    }  # fmt: skip
    (workspace / "router.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    ledger = Ledger("ledger.db")
    text = "\n".join(f"Line {i}: officials said something checkable." for i in range(2000))
    source = {"id": "src-r", "text": text, "title": "t"}
    claims, info = llm.propose_with_llm(ledger, source, model="news", router="router.yaml")
    assert {c.actor for c in claims} == {"A8799", "A8798"}  # both deployments answered
    rows = ledger.all("select model, api_base from model_calls")
    assert len(rows) == len(llm.chunks(text)) and {r["model"] for r in rows} == {"news"}
