"""Pages for readers (issue 12, item 11): the home page, hidden machinery, readable table pages."""

import json
import re
from html.parser import HTMLParser

import pytest

from ledger.publish.metadata import HIDDEN, QUERIES
from tests.conftest import get

MACHINERY = [*HIDDEN, "ledger_entries", "claim_versions_fts_data", "stance_events_fts_idx"]


class _Page(HTMLParser):
    """The links, forms and facet boxes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict[str, str]] = []
        self.inputs: list[dict[str, str]] = []
        self.in_details = 0
        self.column_descriptions_outside_details = 0

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "form":
            self.forms.append(a)
        if tag == "input":
            self.inputs.append(a)
        if tag == "details":
            self.in_details += 1
        if tag == "dl" and "column-descriptions" in a.get("class", "") and not self.in_details:
            self.column_descriptions_outside_details += 1

    def handle_endtag(self, tag):
        if tag == "details":
            self.in_details -= 1


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_the_home_page_tells_a_reader_what_the_ledger_holds(published):
    ds, nato = published["ds"], published["nato"]
    r = get(ds, "/")
    assert r.status_code == 200
    html, page = r.text, _page(r.text)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "A fact-checking and provenance ledger" in text
    assert "4 claims from 2 sources" in text
    # A search box over the claims.
    assert any(f.get("action") == "/ledger/current_claims" for f in page.forms)
    assert any(i.get("name") == "_search" and i.get("type") == "search" for i in page.inputs)
    # The latest claims, newest first, each with its status summary and verdict.
    latest = re.findall(r'<li>\s*<a href="/claims/(FL-\w+)">', html)
    assert len(latest) == 4 and latest[0] == nato  # its edit is the newest version
    item = html[html.index(f'<a href="/claims/{nato}">') :]
    item = item[: item.index("</li>")]
    assert "North Korean soldiers are fighting against Ukraine." in item
    assert "unconfirmed by NATO (Mark Rutte); denied by Kremlin (Dmitry Peskov)" in item
    assert "unverified" in item
    cardin = published["figures"]["Sen. Ben Cardin"]
    assert f'<a href="/claims/{cardin}">' in html and "asserted by Sen. Ben Cardin" in html
    # The canned queries, by their titles.
    for name, query in QUERIES.items():
        assert f"/ledger/{name}" in page.links, name
        assert query["title"].replace("'", "&#39;") in html
    assert "/ledger/current_claims" in page.links and "/ledger" in page.links
    # None of the machinery.
    for table in MACHINERY:
        assert f"/ledger/{table}" not in page.links, table
    head = json.loads(published["run"]("head", "--json").output)["head"]
    assert head in html


def test_the_machinery_is_hidden_from_the_database_page_too(published):
    ds = published["ds"]
    links = _page(get(ds, "/ledger").text).links
    for table in MACHINERY:
        assert f"/ledger/{table}" not in links, table
    for table in ("current_claims", "stances", "claims", "sources"):
        assert f"/ledger/{table}" in links, table
    hidden = {t["name"]: t["hidden"] for t in get(ds, "/ledger.json").json()["tables"]}
    assert all(hidden[t] for t in MACHINERY)
    assert get(ds, "/ledger/ledger_entries").status_code == 200  # still at its address


@pytest.mark.parametrize(
    "path",
    ["/ledger/current_claims", "/ledger/stances", "/ledger/current_claims?verdict=unverified"],
)
def test_table_pages_collapse_column_descriptions_and_say_newest_first(published, path):
    html = get(published["ds"], path).text
    page = _page(html)
    assert page.column_descriptions_outside_details == 0
    assert '<details class="fl-column-descriptions">' in html
    assert "What the columns mean" in html
    assert "sorted by search_rowid" not in html and "sorted by stance_rowid" not in html
    assert "(newest first)" in html
    # Sorting by another column still says so.
    other = get(published["ds"], path + ("&" if "?" in path else "?") + "_sort=claim_id").text
    assert "sorted by claim_id" in other


@pytest.mark.parametrize("table", ["proposal_decisions", "model_calls", "current_claims"])
def test_table_pages_show_no_empty_facets(published, table):
    html = get(published["ds"], f"/ledger/{table}").text
    boxes = re.findall(r'<div class="facet-info .*?</ul>', html, re.S)
    assert all("<li>" in box for box in boxes), table
    facets = get(published["ds"], f"/ledger/{table}.json").json()["facet_results"]
    shown = {name for name, f in facets.items() if f["results"]}
    assert len(boxes) == len(shown)


def test_every_page_carries_the_shared_style_sheet(published):
    ds = published["ds"]
    for path in ("/", "/ledger", "/ledger/stances", f"/claims/{published['nato']}"):
        assert '<link rel="stylesheet" href="/-/factledger.css">' in get(ds, path).text, path
    css = get(ds, "/-/factledger.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".rows-and-columns" in css.text


def test_a_claim_id_on_the_claims_table_goes_to_the_claim_page(published):
    nato = published["nato"]
    links = _page(get(published["ds"], "/ledger/current_claims").text).links
    assert f"/claims/{nato}" in links
    assert f"/ledger/current_claims/{nato}" not in links
