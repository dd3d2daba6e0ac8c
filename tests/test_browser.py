"""A real browser: headless Chromium (Debian's package) opens the pages a reader sees.

The screenshots are kept in artifacts/ (CI keeps them): claim-permalink.png, home.png and
table-current_claims.png (1280 px wide, as a reader's laptop shows them).
"""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import NATO_QUOTE, ROOT, add_kremlin, add_nato

ARTIFACT = ROOT / "artifacts" / "claim-permalink.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(seeded, workspace):
    cid = add_nato(seeded).output.strip()
    add_kremlin(seeded, cid)
    seeded("verdict", cid, "unverified")
    yield from _serve(workspace, cid)


def _serve(workspace, cid):
    port = _free_port()
    cli = str(Path(sys.executable).with_name("factledger"))
    proc = subprocess.Popen([cli, "serve", "--port", str(port)], cwd=workspace,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(
                f"factledger serve did not start: {proc.stdout.read() if proc.stdout else ''}"
            )
        yield base, cid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _chromium() -> str:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), (
        "Debian's chromium is needed: apt-get install chromium (.ci/run does)"
    )
    return chromium


def test_claim_permalink_in_a_real_browser(server):
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    base, cid = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{base}/claims/{cid}")
        assert page.locator("h1").inner_text() == f"{cid}@1"
        marks = page.locator("mark.fl-quote")
        assert marks.count() == 2
        first = marks.first
        assert first.is_visible()
        assert first.inner_text() == NATO_QUOTE
        bg = first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted
        assert page.get_by_text("denied by Kremlin (Dmitry Peskov)").first.is_visible()
        ld = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
        assert ld["@type"] == "ClaimReview"
        ARTIFACT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACT), full_page=True)
        browser.close()
    assert ARTIFACT.stat().st_size > 10_000


@pytest.fixture
def seeds_server(seeded, workspace):
    """The seeds proposed and every proposal accepted, one claim with stances and a verdict."""
    assert seeded("propose", "--all").exit_code == 0
    for proposal in json.loads(seeded("proposals", "--json").output):
        assert seeded("decide", proposal["id"], "accept").exit_code == 0
    cid = add_nato(seeded).output.strip()
    add_kremlin(seeded, cid)
    seeded("verdict", cid, "unverified")
    yield from _serve(workspace, cid)


# How far a page reaches to the right, and how far the widest scrolling box (a table) does.
OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth,
    boxes: [...document.querySelectorAll('.table-wrapper')].map(e => e.scrollWidth - e.clientWidth),
})"""


@pytest.mark.parametrize(
    "path, artifact",
    [("/", "home.png"), ("/ledger/current_claims", "table-current_claims.png"),
     ("/ledger/stances", "table-stances.png"),
     ("/ledger/conflicting_figures?subject=troops", "query-conflicting_figures.png")],
)  # fmt: skip
def test_reader_pages_fit_a_1280_pixel_screen(seeds_server, path, artifact):
    from playwright.sync_api import sync_playwright

    base, cid = seeds_server
    shot = ROOT / "artifacts" / artifact
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + path)
        sizes = page.evaluate(OVERFLOW)
        assert sizes["page"] <= 1280, sizes
        assert all(extra <= 0 for extra in sizes["boxes"]), sizes  # no table scrolls sideways
        if path == "/":
            assert page.get_by_role("searchbox").is_visible()
            item = page.locator("ul.fl-latest li").filter(has_text=cid)
            assert item.is_visible()
            assert "denied by Kremlin (Dmitry Peskov)" in item.inner_text()
        elif "subject=" in path:
            figures = page.locator("td.col-figure").all_inner_texts()
            assert figures == ["1,500", "3,000", "11,000"]
        else:
            descriptions = page.locator("details.fl-column-descriptions dl")
            assert not descriptions.is_visible()  # collapsed until a reader opens them
            page.locator("details.fl-column-descriptions summary").click()
            assert descriptions.is_visible()
            page.locator("details.fl-column-descriptions summary").click()
            assert page.locator("h3").first.inner_text().endswith("(newest first)")
            assert page.locator(f'td a[href="/claims/{cid}"]').first.is_visible()
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000


@pytest.fixture
def signed_server(seeded, workspace, monkeypatch):
    """A claim in a ledger with a signed checkpoint, served."""
    monkeypatch.setenv("FACTLEDGER_ORIGIN", "factcheck.example.org/ledger")
    cid = add_nato(seeded).output.strip()
    add_kremlin(seeded, cid)
    assert seeded("keygen", "factcheck.example.org", "-o", "key.txt").exit_code == 0
    assert seeded("checkpoint", "--key", "key.txt").exit_code == 0
    yield from _serve(workspace, cid)


def test_claim_page_verifies_its_proof_in_the_browser(signed_server):
    """The page checks the checkpoint's signature and the inclusion proofs with WebCrypto; a
    proof altered in the page's data is reported as failing."""
    from playwright.sync_api import sync_playwright

    base, cid = signed_server
    status = "#fl-proof-status[data-state]"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/claims/{cid}")
        page.wait_for_selector(status, timeout=10_000)
        text = page.locator("#fl-proof-status").inner_text()
        assert text.startswith("Verified against checkpoint ") and "factcheck.example.org" in text
        assert "all 4 entries of this claim" in text  # claim, version, two stances
        shot = ROOT / "artifacts" / "claim-proof-verified.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)

        def altered(route):
            html = route.fetch().text()
            data = html.split('id="fl-proof">')[1].split("</script>")[0]
            proof = json.loads(data)
            h = proof["proofs"][1]["inclusion_path"][0]
            proof["proofs"][1]["inclusion_path"][0] = ("1" if h[0] == "0" else "0") + h[1:]
            route.fulfill(body=html.replace(data, json.dumps(proof)), content_type="text/html")

        page.route(f"{base}/claims/{cid}", altered)
        page.goto(f"{base}/claims/{cid}")
        page.wait_for_selector(status, timeout=10_000)
        text = page.locator("#fl-proof-status").inner_text()
        assert text.startswith("Not verified: ") and "not included in the checkpoint" in text
        browser.close()
