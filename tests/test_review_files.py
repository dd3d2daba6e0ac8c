"""Review files read as a careful (or hostile) user writes them: one line for every bad file."""

import json
import re

import pytest
import yaml

from tests.conftest import ROOT


@pytest.fixture
def proposed(seeded):
    assert seeded("propose", "--all").exit_code == 0
    return seeded


def _head(run):
    return json.loads(run("head", "--json").output)


def _one_error(r, *parts):
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.output
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_readme_example_applies(proposed, workspace):
    readme = (ROOT / "reviews" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    item = yaml.safe_load(block)["items"][0]
    pending = {p["id"]: p for p in json.loads(proposed("proposals", "--json").output)}
    if item["proposal"] not in pending:  # the README names the offline proposer's seed proposal
        pytest.fail(f"reviews/README.md's example names {item['proposal']}, not a seed proposal")
    path = workspace / "reviews" / "example.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(block, encoding="utf-8")
    r = proposed("review", "--apply", "reviews/example.yaml", "--json")
    assert r.exit_code == 0, r.output
    applied = json.loads(r.output)["applied"]
    assert [a["action"] for a in applied] == ["edit"]
    claim = json.loads(proposed("show", applied[0]["claim_id"], "--json").output)
    assert claim["text"] == item["claim"] and claim["span"]["quote"] == item["quote"]


@pytest.mark.parametrize(
    "data, says",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0x89 at offset 0)"),
        ("items:\n- proposal: café\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset"),
        (b"items:\n- proposal: P-1\x00\n", "reviews/x.yaml:2: not a review file: character #x0000"),
    ],
)
def test_binary_or_non_utf8_file_is_one_line(proposed, workspace, data, says):
    path = workspace / "reviews" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    head = _head(proposed)
    _one_error(proposed("review", "--apply", "reviews/x.yaml"), "reviews/x.yaml", says)
    assert _head(proposed) == head


def test_yaml_error_points_at_the_unclosed_quote(proposed, workspace):
    proposed("review", "--all", "--export", "reviews/q.yaml")
    path = workspace / "reviews" / "q.yaml"
    lines = path.read_text().splitlines()
    assert len(lines) > 100
    n = next(i for i, x in enumerate(lines) if x.startswith("  decision:")) + 1
    lines[n] = lines[n].replace(": ", ': "', 1)  # this line opens a quote and never closes it
    path.write_text("\n".join(lines) + "\n")
    line = _one_error(proposed("review", "--apply", "reviews/q.yaml"), f"reviews/q.yaml:{n + 1}: ")
    assert "quoted scalar" in line


def test_yaml_error_in_a_block_points_at_the_bad_line(proposed, workspace):
    path = workspace / "reviews" / "b.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("items:\n- proposal: P-1\n  decision: accept\n claim: x\n")
    _one_error(proposed("review", "--apply", "reviews/b.yaml"), "reviews/b.yaml:4: invalid YAML")


def test_duplicate_items_key_is_one_line(proposed, workspace):
    proposed("review", "--all", "--export", "reviews/d.yaml")
    path = workspace / "reviews" / "d.yaml"
    text = path.read_text().replace("decision: pending", "decision: accept")
    path.write_text(text + "items: []\n")
    n = len(text.splitlines()) + 1
    first = text.splitlines().index("items:") + 1
    head = _head(proposed)
    _one_error(
        proposed("review", "--apply", "reviews/d.yaml"),
        f"reviews/d.yaml:{n}: invalid YAML (duplicate key 'items' (first on line {first}))",
    )
    assert _head(proposed) == head


@pytest.mark.parametrize(
    "text, says",
    [
        (
            "base: &b {decision: accept, actor: A, stance: asserted, quote: q, claim: c c c}\n"
            "items:\n- proposal: P-1\n  <<: *b\n",
            "reviews/m.yaml:4: invalid YAML (aliases (*name) are not allowed in a review file)",
        ),
        (
            "items:\n- proposal: P-1\n  <<: {decision: accept}\n",
            "reviews/m.yaml:3: invalid YAML (merge keys (<<) are not allowed in a review file)",
        ),
        ("items:\n- proposal: P-1\n  decision: accept\n  decision: reject\n", "m.yaml:4: invalid"),
        ("items: " + "[" * 5000 + "]" * 5000 + "\n", "reviews/m.yaml"),
        ("- proposal: P-1\n  decision: accept\n", "expected a mapping with an `items:` list"),
        ("--- {items: []}\n--- {items: []}\n", "reviews/m.yaml:2: invalid YAML"),
        ("items: !!python/object:os.system {}\n", "reviews/m.yaml:1: invalid YAML"),
    ],
)
def test_shapes_safe_yaml_allows_are_refused_in_one_line(proposed, workspace, text, says):
    path = workspace / "reviews" / "m.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    _one_error(proposed("review", "--apply", "reviews/m.yaml"), says)


def test_unknown_proposal_names_its_line(proposed, workspace):
    path = workspace / "reviews" / "u.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "items:\n- proposal: P-0000000000000000\n  decision: accept\n  claim: c c c\n"
        "  actor: A\n  stance: asserted\n  quote: q\n"
    )
    _one_error(
        proposed("review", "--apply", "reviews/u.yaml"),
        "reviews/u.yaml:2: item 1: no proposal P-0000000000000000",
    )
