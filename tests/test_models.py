"""The plain check that spares a bulk append the pydantic models: it passes only what the models
take, so every fault is still named by the model."""

from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ledger.models import STANCES, ClaimInput, Stance, StanceInput, plainly_valid


def model_takes(claim, actor, stance, quote) -> bool:
    try:
        if claim is None:
            StanceInput(actor=actor, stance=stance, quote=quote)
        else:
            ClaimInput(claim=claim, actor=actor, stance=stance, quote=quote)
    except ValidationError:
        return False
    return True


def test_the_stances_checked_are_the_models():
    assert get_args(Stance) == STANCES


@pytest.mark.parametrize(
    "values",
    [
        ("Troops train in Russia.", "NATO", "asserted", "troops train"),
        (None, "NATO", "denied", "q"),
        ("abc", "X", "confirmed", "Ukraine\u2019s \U0001f600 quote"),
        ("a" * 2000, "b" * 300, "retracted", "c" * 5000),
    ],
)
def test_what_the_models_take_passes_plainly(values):
    assert model_takes(*values) and plainly_valid(*values)


@pytest.mark.parametrize(
    "values",
    [
        ("ab", "NATO", "asserted", "q"),
        (" ab  ", "NATO", "asserted", "q"),
        ("a" * 2001, "NATO", "asserted", "q"),
        ("abc", "", "asserted", "q"),
        ("abc", "  ", "asserted", "q"),
        ("abc", "b" * 301, "asserted", "q"),
        ("abc", "NATO", "Asserted", "q"),
        ("abc", "NATO", "asserted", ""),
        ("abc", "NATO", "asserted", "c" * 5001),
        ("abc", "NA\udcffTO", "asserted", "q"),
        ("abc", "NATO", "asserted", 7),
        (None, "NATO", None, "q"),
    ],
)
def test_what_the_models_refuse_goes_to_the_model(values):
    assert not model_takes(*values) and not plainly_valid(*values)


def _around(lo: int, hi: int) -> st.SearchStrategy[object]:
    """Strings of lengths at and near the limits, some blank, some not UTF-8; and non-strings."""
    alphabet = ["a", " ", "\t", "\u00e9", "\U0001f600", "\udc80", "\u3000"]
    length = st.sampled_from([0, 1, 2, 3, 4, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1])
    # A few characters of any kind, filled up to the length with one of them.
    text = st.tuples(
        st.text(st.sampled_from(alphabet), max_size=4), st.sampled_from(alphabet), length
    )
    return st.one_of(
        text.map(lambda t: t[0] + t[1] * (t[2] - len(t[0]))),
        st.none(),
        st.integers(),
        st.binary(max_size=4),
    )


@settings(max_examples=1500, deadline=None)
@given(
    claim=st.one_of(st.none(), _around(3, 2000)),
    actor=_around(1, 300),
    stance=st.one_of(st.sampled_from(STANCES), st.text(max_size=10), st.none()),
    quote=_around(1, 5000),
)
def test_plain_check_agrees_with_the_models(claim, actor, stance, quote):
    assert plainly_valid(claim, actor, stance, quote) == model_takes(claim, actor, stance, quote)
