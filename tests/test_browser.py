"""A real browser: headless Chromium (Debian's package) opens a claim permalink from the seeds.

The screenshot is kept at artifacts/claim-permalink.png (CI keeps it as an artifact).
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


def test_claim_permalink_in_a_real_browser(server):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), (
        "Debian's chromium is needed: apt-get install chromium (.ci/run does)"
    )
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
