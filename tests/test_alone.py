"""A user's machine: a clone with nothing beside it, a shell with FACTLEDGER_* variables set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT

VOCAB_TESTS = [
    "tests/test_reports.py::test_claimreview_export_validates_against_schemaorg",
    "tests/test_reports.py::test_validator_catches_wrong_domain",
    "tests/test_publish.py::test_permalink_json_and_jsonld",
]


def test_tests_needing_shared_data_skip_in_a_clone_with_nothing_beside_it(tmp_path):
    clone = tmp_path / "alone" / "factledger"
    for name in ["tests", "ledger", "corpus", "prompts"]:
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", clone)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = str(clone)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *VOCAB_TESTS],
        cwd=clone, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(VOCAB_TESTS)} skipped in" in out.stdout, out.stdout
    assert "needs ../shared/vocab/schemaorg-30.0: absent here" in out.stdout, out.stdout


ENV_SENSITIVE = [
    "tests/test_propose_offline.py::test_rerun_adds_nothing",  # FACTLEDGER_MODEL picks the LLM
    "tests/test_reports.py::test_cite_formats",  # FACTLEDGER_BASE_URL moves the permalinks
]


def test_factledger_variables_in_the_shell_do_not_reach_the_tests():
    env = {
        **os.environ,
        "FACTLEDGER_MODEL": "openai/x",
        "FACTLEDGER_BASE_URL": "http://example.org",
    }
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *ENV_SENSITIVE],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0 and f"{len(ENV_SENSITIVE)} passed" in out.stdout, out.stdout
