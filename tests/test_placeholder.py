"""The placeholder check: what it refuses and what it lets through, and that its fast paths (ASCII
text in one regex pass, the TODO and template patterns tried only where they can match) give the
answers of the plain word-by-word definition."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.placeholder import WORDS, is_placeholder

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")


def by_definition(text: str) -> bool:
    """Placeholder by the definition: empty, a template slot, starts with TODO:, or every word
    (none at all included) a stand-in word or a run of x."""
    stripped = text.strip()
    if not stripped or re.match(r"^\s*(?:<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\})\s*$", stripped):
        return True
    if re.match(r"(?i)^(?:todo|fixme|tbd|tk)\s*[:\-\u2013\u2014]", stripped):
        return True
    words = [m.group().lower() for m in _WORD.finditer(stripped)]
    return all(w in WORDS or (len(w) > 1 and set(w) == {"x"}) for w in words)


@pytest.mark.parametrize(
    "text",
    ["", " \t", "...", "…", "?!", "TODO", "tbd", "TBD?", "xxx", "XX", "n/a", "N/A.",
     "<claim>", " [actor] ", "{quote}", "TODO: the figure", "tk \u2013 later", "FIXME-now",
     "Lorem ipsum dolor sit amet", "claim text here", "foo_bar", "\u00a0tbd\u3000",
     "n/a n/a", "Todo\u2014later"],
)  # fmt: skip
def test_placeholders_are_refused(text):
    assert is_placeholder(text)
    assert by_definition(text)


@pytest.mark.parametrize(
    "text",
    ["X", "x", "X (formerly Twitter)", "N.A.T.O.", "TBD Media Group", "NATO (Mark Rutte)",
     "Claim number 7: troops are engaged.", "n/ab", "xn/a", "n/a/b", "na/na", "xx/xx", "xxa", "X x X", "none/null?",
     "todo list for the summit", "[1] troops", "<b>troops</b>", "Ukraine\u2019s Defense Intelligence",
     "tbd \u00e9t\u00e9", "\u017fomething", "\u212aK", "2024", "xx 3"],
)  # fmt: skip
def test_real_words_pass(text):
    assert not is_placeholder(text)
    assert not by_definition(text)


# Words the check knows, in any case, run together with the characters that end or join words.
PIECES = st.sampled_from(
    sorted(WORDS) + [w.upper() for w in WORDS] + ["Claim", "x", "xx", "XxX", "/", "//", "_", " ",
     "\t", ".", ":", "-", "\u2013", "<", ">", "[", "]", "{", "}", "a", "1", "\u00e9", "\u017f",
     "\u212a", "\u0130", "\u2019", "TODO", "TK:", "n", "/a", "troops", "\u00a0", "\u00b2"]
)  # fmt: skip
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=8).map("".join)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_fast_paths_agree_with_the_definition(text):
    assert is_placeholder(text) == by_definition(text)
