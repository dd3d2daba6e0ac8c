"""A source's url from an article's metadata never becomes a script link (issue 17, item 2)."""

import json
from html.parser import HTMLParser

import pytest

from ledger.publish.serve import make_datasette
from ledger.urls import http_url
from tests.conftest import SEED_A, get

EVIL = "javascript:alert(1)"


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/a?b=1#c", True),
        ("HTTP://EXAMPLE.ORG/", True),
        (EVIL, False),
        ("JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//example.org/a", False),
        ("http://", False),
        ("http://[::1", False),
        ("/relative/path", False),
        (None, False),
    ],
)
def test_only_http_addresses_pass(url, ok):
    assert http_url(url) == (url if ok else None)


def test_ingest_refuses_a_script_url_in_one_line_naming_the_file(run, workspace):
    (workspace / "evil.txt").write_text(
        f"---\ntitle: Evil\nurl: '{EVIL}'\n---\nThe agency said the troops had left.\n"
    )
    (workspace / "good.txt").write_text(
        "---\nurl: https://example.org/good\n---\nThe ministry said the troops had arrived.\n"
    )
    r = run("ingest", "evil.txt", "good.txt")
    assert r.exit_code == 1
    refusal = [line for line in r.output.splitlines() if "evil.txt" in line]
    assert len(refusal) == 1 and "not an http(s) address" in refusal[0], r.output
    assert "Traceback" not in r.output
    sources = json.loads(run("sources", "--json").output)
    assert [s["url"] for s in sources] == ["https://example.org/good"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v or "" for k, v in attrs if k in ("href", "src", "action", "formaction")]


def _followable(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [link for link in parser.links if "script:" in link.lower().replace("\t", "")]


def test_a_script_url_already_in_a_ledger_is_never_a_link_nor_exported(seeded, workspace):
    """An older ledger may hold such a url: the row is appended here without ingest's check."""
    from ledger.corpus import Document, ingest_document
    from ledger.store import Ledger

    text = "The agency said the troops had left the border region on Monday.\n"
    meta = {"title": "Evil", "publisher": "Evil Press", "author": None, "url": EVIL,
            "published": "2024-10-20", "retrieved": None}  # fmt: skip
    with Ledger(workspace / "ledger.db") as ledger:
        src = ingest_document(
            ledger, Document("evil.txt", text.encode(), text, "text/plain", meta), ingested_by="t"
        ).source_id
    cid = seeded("add", "--source", src, "--quote", "the troops had left the border region",
                 "--claim", "The troops had left the border region.", "--actor", "The agency",
                 "--stance", "asserted").output.strip()  # fmt: skip
    seeded("stance", cid, "--source", f"corpus/{SEED_A}", "--quote",
           "Kremlin spokesman Dmitry Peskov dismissed these reports",
           "--actor", "Kremlin", "--stance", "denied")  # fmt: skip
    assert seeded("verdict", cid, "unverified").exit_code == 0
    ds = make_datasette(str(workspace / "ledger.db"))
    pages = [
        "/", "/ledger", f"/claims/{cid}", "/ledger/source_list", "/ledger/sources",
        f"/ledger/sources/{src}", "/ledger/stances", "/ledger/current_claims",
        "/ledger/source_list?_search=x", "/ledger/claims_by_actor?actor=agency",
    ]  # fmt: skip
    for path in pages:
        r = get(ds, path)
        assert r.status_code == 200, path
        assert _followable(r.text) == [], path
    shown = get(ds, f"/claims/{cid}")
    assert "Evil Press" in shown.text  # the source is still shown, without its link
    for path in (f"/claims/{cid}.json", f"/claims/{cid}.jsonld"):
        assert "script:" not in get(ds, path).text.lower(), path
    ld = get(ds, f"/claims/{cid}.jsonld").json()
    assert [a.get("url") for a in ld["itemReviewed"]["appearance"]] == [None, None]
    for fmt in ("claimreview", "annotation", "jsonl", "csv"):
        r = seeded("export", "--format", fmt)
        assert r.exit_code == 0, r.output
        assert "script:" not in r.output.lower(), fmt
    annotations = json.loads(seeded("export", "--format", "annotation").output)
    evil = [a for a in annotations if a["target"]["source"].startswith("urn:sha256:")]
    assert evil  # the script address is replaced by the text's hash
