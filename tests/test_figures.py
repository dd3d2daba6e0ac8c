"""The figure a claim gives for a subject (publish/figures.py), as conflicting_figures reads it."""

import sqlite3

import pytest

from ledger.publish.figures import figure, figure_value, subject_match


@pytest.mark.parametrize(
    "text, subject, want",
    [
        (
            "Close to 11,000 North Korean infantry troops are training in Russia.",
            "troops",
            "11,000",
        ),
        ("Around 1,500 North Korean soldiers have been sent.", "troops", "1,500"),
        ("In 2024, about 3,000 troops were deployed.", "troops", "3,000"),
        ("In October 2024 troops were deployed.", "troops", None),
        ("Some 1.5 million refugees left in 2022.", "displaced", "1.5 million"),
        ("There have been troop movements.", "troops", None),
        ("About 3,000 troops moved on day 12 of the month of the war.", "soldiers", "3,000"),
        ("Kim sent 12 ships and, much later, 500 soldiers.", "soldiers", "500"),
        ("About 3,000 troops.", "", None),
        (None, "troops", None),
    ],
)
def test_the_figure_is_the_number_that_counts_the_subject(text, subject, want):
    assert figure(text, subject) == want


def test_figures_sort_by_their_value():
    shown = ["11,000", "3 million", "1,500", "2.5 thousand"]
    assert sorted(shown, key=figure_value) == ["1,500", "2.5 thousand", "11,000", "3 million"]
    assert figure_value("many") is None


@pytest.mark.parametrize("subject", ['troops"', "soldiers OR", "NEAR(x", "a*", "forces - x"])
def test_any_subject_makes_a_valid_search(subject):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(text, quote)")
    conn.execute("INSERT INTO f VALUES ('About 3,000 troops moved.', 'x')")
    found = conn.execute("SELECT count(*) FROM f WHERE f MATCH ?", [subject_match(subject)])
    assert found.fetchone()[0] in (0, 1)
    assert subject_match("") is None and subject_match("!!") is None
