from ledger.anchoring import anchor_quote

TEXT = (
    "In contrast, Kremlin spokesman Dmitry Peskov dismissed these reports, "
    "labeling them as “fake news.”"
)


def test_exact():
    a = anchor_quote("s", TEXT, "Dmitry Peskov dismissed these reports")
    assert a.anchoring == "exact" and a.span is not None
    assert TEXT[a.span.start : a.span.end] == "Dmitry Peskov dismissed these reports"


def test_straight_quotes_case_and_spaces_normalised_to_source_characters():
    a = anchor_quote("s", TEXT, 'labeling  them as "Fake News."')
    assert a.anchoring == "normalized" and a.span is not None
    assert a.span.quote == "labeling them as “fake news.”"
    assert TEXT[a.span.start : a.span.end] == a.span.quote


def test_fuzzy_flagged_with_score():
    a = anchor_quote("s", TEXT, "Kremlin spokesman Dmitri Peskov dismissed these reports")
    assert a.anchoring == "fuzzy" and a.score is not None and 90 <= a.score < 100
    assert a.span is not None and "Peskov dismissed" in a.span.quote


def test_invented_quote_unanchored():
    a = anchor_quote("s", TEXT, "The Kremlin confirmed the deployment of troops to Kursk")
    assert a.anchoring == "unanchored" and a.span is None


def test_fuzzy_span_snaps_to_whole_words():
    # The alignment alone ends at "report" and starts at "an" (from "spokesman"): cut words.
    a = anchor_quote("s", TEXT, "Kremlin spokesmen Dmitry Peskov dismised these reports")
    assert a.anchoring == "fuzzy" and a.span is not None
    assert a.span.quote == "Kremlin spokesman Dmitry Peskov dismissed these reports"
    b = anchor_quote("s", TEXT, "Dmitry Peskov had dismissed these reports")
    assert b.anchoring == "fuzzy" and b.span is not None
    assert b.span.quote.startswith("spokesman Dmitry") and TEXT[b.span.start - 1] == " "
    assert TEXT[b.span.start : b.span.end] == b.span.quote
