"""Control characters: what is refused, how it is shown, and JSON that keeps the data."""

import json

import pytest
from pydantic import ValidationError

from ledger.controls import describe, find_control, json_escaped, visible
from ledger.review.interactive import EditForm


@pytest.mark.parametrize(
    "ch", ["\x00", "\x07", "\x08", "\r", "\x1b", "\x7f", "\x85", "\x9b", "\u202a", "\u202e",
           "\u2066", "\u2069"],
)  # fmt: skip
def test_refused_and_shown(ch):
    text = f"North Korean troops{ch} were sent."
    assert find_control(text) == (19, ch)
    shown = visible(text)
    assert (
        ch not in shown and shown.startswith("North Korean troops") and find_control(shown) is None
    )


def test_text_that_hides_nothing_is_unchanged():
    text = "Tab\tand\nnewline, café, “quotes” — dashes, زبان\u200cها, emoji 👩\u200d🔬"
    assert find_control(text) is None and visible(text) == text


def test_invisible_format_characters_shown_not_refused():
    text = "zero\u200bwidth soft\u00adhyphen \u200fmark\u2028line"
    assert find_control(text) is None
    assert visible(text) == "zero⟨U+200B⟩width soft⟨U+00AD⟩hyphen ⟨U+200F⟩mark⟨U+2028⟩line"


def test_marks_and_description():
    assert visible("a\x1b[8mb\x7f") == "a␛[8mb␡"
    assert visible("claim\nStance: confirmed", oneline=True) == "claim␤Stance: confirmed"
    assert describe("line one\nab\u202ecd") == (
        "control character U+202E RIGHT-TO-LEFT OVERRIDE at line 2, column 3 (offset 11)"
    )


def test_json_escaped_keeps_the_data():
    data = {"claim": "x\u202ey\x7f\x85\x1b"}
    text = json_escaped(json.dumps(data, ensure_ascii=False))
    assert find_control(text) is None and json.loads(text) == data


def test_edit_form_refuses_control_characters():
    with pytest.raises(ValidationError, match="control character U\\+001B ESCAPE"):
        EditForm.model_validate({"claim": "Hidden\x1b[8m words", "actor": "NATO",
                                 "stance": "asserted", "quote": "words"})  # fmt: skip


def test_json_output_escapes_bidi_but_keeps_it(seeded):
    from tests.conftest import NATO_QUOTE, SEED_A

    claim = "Troops are \u202eeno\u202c here."
    cid = seeded("add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim", claim,
                 "--actor", "NATO", "--stance", "unconfirmed").output.strip()  # fmt: skip
    for args in (["show", cid, "--json"], ["cite", cid, "--format", "json"]):
        out = seeded(*args).output
        assert "\u202e" not in out and "\\u202e" in out
        data = json.loads(out)
        assert claim in (data.get("text"), data.get("claim"))
