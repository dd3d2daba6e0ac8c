"""The installed package carries what it needs: built as a wheel, installed in a fresh venv
outside the repository, it ingests, proposes (offline and with a model), serves and publishes.

The venv gets the wheel alone (``--no-deps --no-index``); its dependencies come from the venv
running the tests, through a .pth file (its .pth files are not processed, so an editable install
of the checkout there cannot leak in). Nothing is read from the repository at run time."""

from __future__ import annotations

import json
import os
import shutil
import site
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import NATO_QUOTE, ROOT, SEED_A

pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of a fresh venv with the factledger wheel installed, its environment)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves no build/ or egg-info in the checkout
    shutil.copytree(ROOT / "ledger", src / "ledger", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp / "dist"), str(src)], check=True)
    (wheel,) = (tmp / "dist").glob("factledger-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    env = {
        k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("FACTLEDGER_")
    }
    env["FACTLEDGER_REVIEWER"] = "wheel-test"
    return venv / "bin", env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, wait_s: float = 0) -> tuple[int, str]:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status, r.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_installed_wheel_ingests_proposes_serves_and_publishes(installed, tmp_path):
    bin_dir, env = installed
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")

    def factledger(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(bin_dir / "factledger"), *args]
        return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)

    where = factledger("--version")
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import ledger; print(ledger.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.returncode == 0 and str(bin_dir.parent) in located.stdout, located.stdout

    assert factledger("ingest", "corpus/").returncode == 0
    offline = factledger("propose", "--all", "--json")
    assert offline.returncode == 0 and json.loads(offline.stdout), offline.stderr
    # The built-in prompt is found (no prompts/ here): the model call is what fails, in one line.
    llm = factledger(
        "propose", "--all", "--model", "openai/x", "--api-base", "http://127.0.0.1:9/v1"
    )
    message = (llm.stdout + llm.stderr).strip()
    assert llm.returncode == 1 and "cannot reach http://127.0.0.1:9/v1" in message, message
    assert len(message.splitlines()) == 1 and "Traceback" not in message

    add = factledger(
        "add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim",
        "North Korean soldiers are actively engaged in the war against Ukraine.",
        "--actor", "NATO (Mark Rutte)", "--stance", "unconfirmed",
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    claim = add.stdout.strip()

    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "factledger"), "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        status, home = _get(f"http://127.0.0.1:{port}/", wait_s=30)
        assert status == 200 and "ledger" in home
        status, page = _get(f"http://127.0.0.1:{port}/claims/{claim}")
        assert status == 200 and claim in page and NATO_QUOTE in page
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "Traceback" not in output, output

    published = factledger("publish", "--out", "site")
    assert published.returncode == 0, published.stderr
    assert (tmp_path / "site" / "templates" / "claim.html").is_file()
    assert (tmp_path / "site" / "plugins" / "ledger" / "prompts" / "default.yaml").is_file()
