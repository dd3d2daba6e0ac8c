"""Fast start: the CLI imports nothing heavy until a command needs it."""

import json
import subprocess
import sys

HEAVY = ["litellm", "datasette", "trafilatura", "pydantic", "sqlite_utils", "rich"]


def test_help_imports_no_heavy_library():
    code = (
        "import sys, json; from ledger.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_core_commands_never_import_litellm(tmp_path):
    code = (
        "import sys; from click.testing import CliRunner; from ledger.cli import cli\n"
        "r = CliRunner()\n"
        f"db = {str(tmp_path / 'l.db')!r}\n"
        "for args in (['ingest', 'corpus/'], ['sources'], ['claims'], ['head'], ['verify']):\n"
        "    res = r.invoke(cli, ['--db', db, *args])\n"
        "    assert res.exit_code == 0, res.output\n"
        "print('litellm' in sys.modules)"
    )
    from tests.conftest import ROOT

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_python_dash_m_ledger():
    out = subprocess.run(
        [sys.executable, "-m", "ledger", "--version"], capture_output=True, text=True, check=True
    )
    assert "factledger" in out.stdout
