import json
from pathlib import Path

import pytest

from tests.conftest import SEED_A, SEED_B


def test_ingest_seeds_keeps_text_and_metadata(run, workspace):
    result = run("ingest", "corpus/", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["status"] for r in rows] == ["added", "added"]
    sources = json.loads(run("sources", "--json").output)
    by_path = {s["path"]: s for s in sources}
    b = by_path[f"corpus/{SEED_B}"]
    assert b["publisher"] == "The Washington Times"
    assert b["published"] == "2024-10-25"
    assert b["author"] == "Mike Glenn"
    a = by_path[f"corpus/{SEED_A}"]
    assert a["title"].startswith("US Lawmaker Warns")
    assert a["publisher"] is None  # not shown in the text: left empty, not guessed
    import hashlib

    raw = (workspace / "corpus" / SEED_A).read_bytes()
    assert a["raw_sha256"] == hashlib.sha256(raw).hexdigest()


def test_reingest_same_bytes_is_noop(run):
    first = json.loads(run("ingest", "corpus/", "--json").output)
    again = run("ingest", "corpus/", "--json")
    assert again.exit_code == 0
    second = json.loads(again.output)
    assert [r["status"] for r in second] == ["unchanged", "unchanged"]
    assert [r["source_id"] for r in second] == [r["source_id"] for r in first]
    assert len(json.loads(run("sources", "--json").output)) == 2


def test_changed_file_becomes_new_source_replacing_old(run, workspace):
    path = workspace / "article.txt"
    path.write_text("First version of the story. The minister said 12 people were hurt.\n")
    first = json.loads(run("ingest", "article.txt", "--json").output)[0]
    path.write_text("Corrected story. The minister said 14 people were hurt.\n")
    second = json.loads(run("ingest", "article.txt", "--json").output)[0]
    assert second["status"] == "replaced"
    assert second["replaces"] == first["source_id"]
    assert second["source_id"] != first["source_id"]


def test_crlf_and_nfc_normalised(run, workspace):
    (workspace / "crlf.txt").write_bytes("Cafe\u0301 line one\r\nline two\r\n".encode())
    run("ingest", "crlf.txt")
    src = json.loads(run("sources", "--json").output)[0]
    assert src["characters"] == len("Café line one\nline two\n")


def test_front_matter_metadata(run, workspace):
    (workspace / "fm.md").write_text(
        "---\ntitle: A Title\npublisher: Example News\npublished: 2024-10-20\n---\n"
        "Body text here.\n"
    )
    assert run("ingest", "fm.md").exit_code == 0
    src = json.loads(run("sources", "--json").output)[0]
    assert (src["title"], src["publisher"], src["published"]) == (
        "A Title",
        "Example News",
        "2024-10-20",
    )


def test_html_article_text_extracted(run, workspace):
    body = " ".join(["The ministry said the convoy arrived on Monday."] * 8)
    (workspace / "page.html").write_text(
        f"<html><head><title>Convoy arrives</title></head><body><nav>Home | About</nav>"
        f"<article><h1>Convoy arrives</h1><p>{body}</p></article></body></html>"
    )
    result = run("ingest", "page.html", "--json")
    assert result.exit_code == 0, result.output
    src = json.loads(run("sources", "--json").output)[0]
    assert src["media_type"] == "text/html"
    assert src["title"] == "Convoy arrives"


BAD_INPUTS = [
    ("binary.txt", b"abc\x00def", "binary file"),
    ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not valid UTF-8"),
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"   \n\n", "empty file"),
    ("image.png", b"\x89PNG....", "unsupported file type"),
]


@pytest.mark.parametrize("name,content,reason", BAD_INPUTS)
def test_bad_input_one_line_error_nothing_written(run, workspace, name, content, reason):
    (workspace / name).write_bytes(content)
    result = run("ingest", name)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert name in lines[0] and reason in lines[0]
    assert "Traceback" not in result.output
    assert json.loads(run("sources", "--json").output) == []


def test_oversize_and_unreadable(run, workspace, monkeypatch):
    import ledger.corpus

    monkeypatch.setattr(ledger.corpus, "MAX_BYTES", 10)
    (workspace / "big.txt").write_text("x" * 11)
    result = run("ingest", "big.txt")
    assert result.exit_code == 1 and "big.txt" in result.output and "limit" in result.output
    missing = run("ingest", "nope.txt")
    assert (
        missing.exit_code == 1 and "nope.txt" in missing.output and "cannot read" in missing.output
    )


def test_other_files_still_go_in(run, workspace):
    (workspace / "corpus" / "broken.txt").write_bytes(b"\xff\xfe\x00")
    result = run("ingest", "corpus/")
    assert result.exit_code == 1
    assert "broken.txt" in result.output
    assert len(json.loads(run("sources", "--json").output)) == 2


HIDDEN = [
    (
        "esc.txt",
        "Intro.\nTroops were sent\x1b[8m and Ukraine surrendered\x1b[0m.\n",
        "U+001B",
        2,
        17,
    ),
    ("bidi.md", "The figure is \u202e000,11\u202c troops.\n", "U+202E", 1, 15),
    ("c1.txt", "Troops\u009b8m were sent.\n", "U+009B", 1, 7),
    ("bs.txt", "Troops were sent.\x08\x08\x08\x08\x08 not sent\n", "U+0008", 1, 18),
]


@pytest.mark.parametrize("name,content,char,line,column", HIDDEN)
def test_control_characters_refused_naming_file_and_position(run, name, content, char, line,
                                                             column, workspace):  # fmt: skip
    (workspace / name).write_text(content, encoding="utf-8")
    result = run("ingest", name)
    assert result.exit_code == 1
    (message,) = result.output.strip().splitlines()
    assert message.startswith(f"Error: {name}: control character {char}")
    assert f"line {line}, column {column}" in message
    assert "\x1b" not in message and "\u202e" not in message
    assert json.loads(run("sources", "--json").output) == []


def test_control_character_in_metadata_refused(run, workspace):
    (workspace / "fm.md").write_text('---\ntitle: "Calm\\e[8m news"\n---\nBody text.\n')
    result = run("ingest", "fm.md")
    assert (
        result.exit_code == 1 and "metadata title has a control character U+001B" in result.output
    )
    assert json.loads(run("sources", "--json").output) == []


def test_tabs_and_invisible_format_characters_still_go_in(run, workspace):
    text = "Col\tumn and a zero\u200bwidth space, a soft\u00adhyphen, \u200fRTL mark.\n"
    (workspace / "ok.txt").write_text(text, encoding="utf-8")
    assert run("ingest", "ok.txt").exit_code == 0


def test_file_name_not_utf8_skipped_with_one_line(run, workspace):
    import os

    bad = os.fsdecode(b"corpus/caf\xe9.txt")
    Path(bad).write_text("The minister said 14 people were hurt.\n")
    result = run("ingest", "corpus/")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == [
        "Error: corpus/caf\\xe9.txt: the file name is not valid UTF-8; rename it to ingest it"
    ]
    assert "Traceback" not in result.output
    assert len(json.loads(run("sources", "--json").output)) == 2  # the seeds went in
