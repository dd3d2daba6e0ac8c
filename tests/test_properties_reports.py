"""Property-based tests (hypothesis) for check, render and review --apply on hostile input.

Whatever the report or review file holds: no traceback (the CLI runner re-raises any), exit
code 0, 1 or 2 only, and nothing written when the command refuses.
"""

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import add_kremlin, add_nato

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def ids(seeded):
    current = add_nato(seeded).output.strip()
    add_kremlin(seeded, current)
    retracted = add_nato(seeded).output.strip()
    seeded("retract", retracted, "--reason", "duplicate entry")
    edited = add_nato(seeded).output.strip()
    seeded("edit", edited, "--claim", "North Korean troops fight for Russia.", "--reason", "x")
    return {"current": current, "retracted": retracted, "edited": edited}


def _citation(ids):
    known = st.sampled_from(sorted(ids.values()) + ["FL-222222"])
    version = st.one_of(
        st.just(""),
        st.integers(0, 3).map(lambda n: f"@{n}"),
        st.integers(1, 10**12).map(lambda n: f"@{n}"),
        st.integers(1, 4000).map(lambda n: "@" + "9" * n),
        st.text(max_size=5).map(lambda s: "@" + s),
    )
    typo = st.one_of(
        known,
        known.map(str.lower),
        known.map(lambda s: s.replace("-", "–")),
        known.map(lambda s: s[:-1] + "O"),
        known.map(lambda s: s[:-1]),
        st.text("FLfl-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ@ ", min_size=3, max_size=14),
    )
    link = st.sampled_from(["", "(http://127.0.0.1:8001/claims/x)", "[]", "[ref]", "(", "[^1]"])
    return st.tuples(typo, version, link).map(lambda t: f"[{t[0]}{t[1]}]{t[2]}")


def _report(ids):
    piece = st.one_of(
        _citation(ids),
        st.text(max_size=20),
        st.sampled_from(["\n", "\n\n", "`", "```\n", "    ", "[", "]", "(", ")", "> ", "[^1]: "]),
    )
    return st.lists(piece, max_size=12).map("".join)


@given(data=st.data())
@BOUNDED
def test_check_and_render_on_any_report(seeded, ids, workspace, data):
    text = data.draw(_report(ids))
    (workspace / "r.md").write_text(text, encoding="utf-8")
    out = workspace / "out.md"
    out.unlink(missing_ok=True)
    checked = seeded("check", "r.md", "--json")
    assert checked.exit_code in (0, 1)
    cited = json.loads(checked.output)
    assert cited["ok"] == (checked.exit_code == 0)
    for c in cited["citations"]:
        assert "\n" not in c["ref"] + c["detail"] and len(c["ref"]) <= 60
    rendered = seeded("render", "r.md", "-o", "out.md")
    assert rendered.exit_code == checked.exit_code  # render refuses exactly what check flags
    assert out.exists() == (rendered.exit_code == 0)  # nothing written on refusal
    if rendered.exit_code:
        assert rendered.output.strip().splitlines()[-1].startswith("Error: r.md: ")
    marked = seeded("render", "r.md", "-o", "out.md", "--allow-problems")
    assert marked.exit_code == 0 and out.exists()


@given(data=st.binary(max_size=200))
@BOUNDED
def test_check_and_render_on_any_bytes(seeded, workspace, data):
    (workspace / "r.md").write_bytes(data)
    (workspace / "out.md").unlink(missing_ok=True)
    assert seeded("check", "r.md").exit_code in (0, 1)
    r = seeded("render", "r.md", "-o", "out.md")
    assert r.exit_code in (0, 1)
    assert (workspace / "out.md").exists() == (r.exit_code == 0)


WORDS = st.text("abcdefghij .,", min_size=1, max_size=15).map(str.strip).filter(bool)


@given(data=st.data())
@BOUNDED
def test_rendered_markdown_resolves_every_footnote(seeded, ids, workspace, data):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    good = st.sampled_from([ids["current"], ids["edited"], f"{ids['edited']}@2"])
    cite = st.tuples(good, st.sampled_from(["", "(http://x.org/c)", "[]"]))
    pieces = st.lists(st.one_of(WORDS, cite), min_size=1, max_size=10)
    paragraphs = data.draw(st.lists(pieces, min_size=1, max_size=4))
    text = "\n\n".join(
        " ".join(p if isinstance(p, str) else f"[{p[0]}]{p[1]}" for p in para)
        for para in paragraphs
    )
    n = sum(1 for para in paragraphs for p in para if not isinstance(p, str))
    (workspace / "r.md").write_text(text + "\n", encoding="utf-8")
    assert seeded("render", "r.md", "-o", "out.md").exit_code == 0
    tokens = MarkdownIt("commonmark").use(footnote_plugin).parse((workspace / "out.md").read_text())
    inline = [t for tok in tokens if tok.type == "inline" for t in tok.children]
    refs = [t.meta["label"] for t in inline if t.type == "footnote_ref"]
    defined = {t.meta["label"] for t in tokens if t.type == "footnote_open"}
    assert len(refs) == n and set(refs) <= defined
    assert not any(t.type == "text" and "[^" in t.content for t in inline)


def _item(proposals):
    value = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.lists(st.integers()))
    return st.fixed_dictionaries(
        {
            "proposal": st.one_of(st.sampled_from(proposals), st.text(max_size=20)),
            "decision": st.one_of(st.sampled_from(["pending", "accept", "edit", "reject"]), value),
            "claim": st.one_of(st.text(max_size=60), value),
            "actor": st.one_of(st.sampled_from(["NATO", "Kremlin"]), value),
            "stance": st.one_of(st.sampled_from(["asserted", "denied", "mumbled"]), value),
            "quote": st.one_of(st.sampled_from(["North Korean", "Peskov", "nowhere"]), value),
        },
        optional={"reason": value, "context": value, "extra": value},
    )


@given(data=st.data())
@BOUNDED
def test_review_apply_on_any_file(seeded, workspace, data):
    if not (workspace / "reviews" / "base.yaml").exists():
        assert seeded("propose", "--all").exit_code == 0
        assert seeded("review", "--all", "--export", "reviews/base.yaml").exit_code == 0
    base = (workspace / "reviews" / "base.yaml").read_text(encoding="utf-8")
    proposals = [i["proposal"] for i in yaml.safe_load(base)["items"]]
    structured = st.lists(_item(proposals), max_size=4).map(
        lambda items: yaml.safe_dump({"items": items}, allow_unicode=True)
    )
    mutated = st.tuples(st.integers(0, len(base)), st.integers(0, 3), st.text(max_size=3)).map(
        lambda t: base[: t[0]] + t[2] + base[t[0] + t[1] :]
    )
    body = data.draw(st.one_of(structured, mutated, st.text(max_size=300)))
    raw = data.draw(st.one_of(st.just(body.encode("utf-8")), st.binary(max_size=100)))
    (workspace / "reviews" / "x.yaml").write_bytes(raw)
    head = seeded("head", "--json").output
    r = seeded("review", "--apply", "reviews/x.yaml")
    assert r.exit_code in (0, 1, 2)
    if r.exit_code:
        assert seeded("head", "--json").output == head  # nothing written on refusal
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: reviews/x.yaml")
    else:
        assert r.output.strip().splitlines()[-1].startswith("applied ")
