"""Writing commands as a careful user drives them: placeholders refused, --dry-run, verdict
words, mistyped claim IDs, quotes typed with straight quote marks, non-UTF-8 arguments."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SEED_A, add_nato

TROOPS = [
    "--source", f"corpus/{SEED_A}",
    "--claim", "Close to 11,000 North Korean troops train in eastern Russia.",
    "--actor", "Ukraine’s Defense Intelligence", "--stance", "asserted",
]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["...", "…", "  ", "TODO", "tbd", "xxx", "<claim>", "?!", "TK", "TODO: the figure"]
)
def test_placeholder_claim_text_is_refused_and_nothing_written(seeded, text):
    head = seeded("head").output
    r = seeded("add", "--quote", "close to 11,000 North Korean infantry troops", *TROOPS[:2],
               "--claim", text, *TROOPS[4:])  # fmt: skip
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "looks like a placeholder" in r.output
    assert seeded("head").output == head


def test_placeholder_reason_note_and_edit_refused(seeded):
    cid = add_nato(seeded).output.strip()
    head = seeded("head").output
    for args in (
        ["edit", cid, "--claim", "...", "--reason", "clearer wording"],
        ["edit", cid, "--claim", "North Korean troops fight Ukraine.", "--reason", "..."],
        ["retract", cid, "--reason", "..."],
        ["retract", cid, "--reason", "TODO"],
        ["verdict", cid, "unverified", "--note", "TBD"],
        ["supersede", cid, cid, "--reason", "xxx"],
    ):
        r = seeded(*args)
        assert r.exit_code == 1 and "looks like a placeholder" in r.output, (args, r.output)
    assert seeded("head").output == head
    # Real words still go in.
    assert seeded("retract", cid, "--reason", "duplicate").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["verdict", "{cid}", "supported", "--note", "Two sources agree."],
        ["retract", "{cid}", "--reason", "duplicate"],
        ["edit", "{cid}", "--claim", "North Korean troops fight Ukraine.", "--reason", "shorter"],
        [
            "stance",
            "{cid}",
            "--source",
            f"corpus/{SEED_A}",
            "--quote",
            "Kremlin spokesman Dmitry Peskov dismissed these reports",
            "--actor",
            "Kremlin",
            "--stance",
            "denied",
        ],
        ["supersede", "{cid}", "{other}", "--reason", "duplicate"],
    ],  # fmt: skip
)
def test_dry_run_shows_what_would_be_appended_and_writes_nothing(seeded, args):
    cid = add_nato(seeded).output.strip()
    other = add_nato(seeded).output.strip()
    args = [a.format(cid=cid, other=other) for a in args]
    head = seeded("head").output
    r = seeded(*args, "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("dry run: would append ") and cid in r.output
    assert seeded("head").output == head
    data = json.loads(seeded(*args, "--dry-run", "--json").output)
    assert data["dry_run"] is True and data["would_append"]
    assert all(e["row"]["id"] == e["row_id"] for e in data["would_append"])
    assert seeded("head").output == head
    assert seeded(*args).exit_code == 0  # the same command without --dry-run writes
    assert seeded("head").output != head


def test_add_dry_run_lists_claim_version_and_stance(seeded):
    r = seeded("add", "--quote", "close to 11,000 North Korean infantry troops", *TROOPS,
               "--verdict", "unverified", "--dry-run", "--json")  # fmt: skip
    rows = json.loads(r.output)["would_append"]
    assert [e["table"] for e in rows] == ["claims", "claim_versions", "stance_events", "verdicts"]
    assert rows[1]["row"]["quote"] == "close to 11,000 North Korean infantry troops"
    assert json.loads(seeded("claims", "--json").output) == []


@pytest.mark.parametrize("word", ["mostly supported", "Mostly-Supported", " MOSTLY_SUPPORTED "])
def test_verdict_words_ignore_case_spaces_and_hyphens(seeded, word):
    cid = add_nato(seeded).output.strip()
    r = seeded("verdict", cid, word)
    assert r.exit_code == 0 and r.output.strip() == f"{cid}: mostly_supported"
    assert json.loads(seeded("show", cid, "--json").output)["verdict"] == "mostly_supported"
    assert add_nato(seeded, "--verdict", word).exit_code == 0


def _slips(cid: str) -> list[str]:
    body = cid[3:]
    i = next(k for k in range(len(body) - 1) if body[k] != body[k + 1])  # a swap that changes it
    return [
        cid[:-1] + "0",  # 0 for a letter
        cid[:4] + "I" + cid[5:],  # I for a character
        cid[:4] + "l" + cid[5:],  # lower-case l
        cid[:-1] + ("Z" if cid[-1] != "Z" else "Y"),  # one character mistyped
        body,  # no FL-
        "FL" + body,  # no dash
        cid[:-1],  # one character dropped
        cid[:3] + body[:i] + body[i + 1] + body[i] + body[i + 2 :],  # two swapped
    ]


def test_mistyped_claim_id_gets_did_you_mean(seeded):
    cid = add_nato(seeded).output.strip()
    for typo in _slips(cid):
        for cmd in (["show", typo], ["verdict", typo, "supported"], ["cite", typo],
                    ["retract", typo, "--reason", "duplicate"]):  # fmt: skip
            r = seeded(*cmd)
            assert r.exit_code == 1, (cmd, r.output)
            assert f"did you mean {cid}?" in r.output, (cmd, r.output)
    # Nothing near: no guess.
    r = seeded("show", "FL-222222")
    assert r.exit_code == 1 and "did you mean" not in r.output


def test_add_quote_with_straight_quotes_stores_the_source_s_curly_ones(seeded):
    typed = "Ukraine's Defense Intelligence revealed that close to 11,000"
    r = seeded("add", "--quote", typed, *TROOPS, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output[r.output.index("{") :])
    assert data["span"]["quote"] == "Ukraine’s Defense Intelligence revealed that close to 11,000"
    assert "differs from the source only in quote marks" in r.output
    # A dash typed as a hyphen, on a stance.
    r = seeded("stance", data["id"], "--source", f"corpus/{SEED_A}", "--quote",
               "Russia-Ukraine war-an escalatory move", "--actor", "Mike Turner",
               "--stance", "asserted")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "only in dashes" in r.output
    shown = seeded("show", data["id"]).output
    assert "“Russia-Ukraine war—an escalatory move”" in shown
    assert seeded("verify").exit_code == 0
    # The exact quote prints no note.
    r = seeded("add", "--quote", "close to 11,000 North Korean infantry troops", *TROOPS)
    assert r.exit_code == 0 and "note:" not in r.output


def test_non_utf8_arguments_and_reviewer_are_refused_in_one_line(seeded, monkeypatch):
    cid = add_nato(seeded).output.strip()
    head = seeded("head").output
    bad = b"\xff\xfeabc".decode("utf-8", "surrogateescape")  # what the OS hands Python
    for args, name in (
        (["verdict", cid, "supported", "--reviewer", bad], "--reviewer"),
        (["verdict", cid, "supported", "--note", bad], "--note"),
        (["retract", cid, "--reason", bad], "--reason"),
    ):
        r = seeded(*args)
        assert (
            r.exit_code == 1
            and r.output
            == f"Error: {name} is not valid UTF-8 text: check your terminal's encoding\n"
        ), r.output
    monkeypatch.setenv("FACTLEDGER_REVIEWER", bad)
    r = seeded("verdict", cid, "supported")
    assert r.exit_code == 1 and "FACTLEDGER_REVIEWER is not valid UTF-8" in r.output
    assert seeded("head").output == head


def test_non_utf8_bytes_from_a_real_shell(seeded, workspace):
    cid = add_nato(seeded).output.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTLEDGER_")}
    env["PYTHONPATH"] = str(ROOT)
    argv = [sys.executable.encode(), b"-m", b"ledger", b"retract", cid.encode(),
            b"--reason", b"dup\xfflicate"]  # fmt: skip
    p = subprocess.run(argv, cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert (
        p.stderr.strip() == "Error: --reason is not valid UTF-8 text: check your terminal's "
        "encoding"
    )
    env["FACTLEDGER_REVIEWER"] = "bad\udcffname"
    p = subprocess.run([sys.executable, "-m", "ledger", "verdict", cid, "supported"],
                       cwd=workspace, env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert p.returncode == 1 and p.stderr.strip().endswith(
        "FACTLEDGER_REVIEWER is not valid UTF-8 text: check its encoding"
    )


@pytest.mark.parametrize("actor", ["X", "X (formerly Twitter)", "N.A.T.O.", "TBD Media Group"])
def test_real_words_that_look_short_are_not_placeholders(seeded, actor):
    r = seeded("add", "--quote", "close to 11,000 North Korean infantry troops", *TROOPS[:4],
               "--actor", actor, "--stance", "asserted")  # fmt: skip
    assert r.exit_code == 0, r.output
