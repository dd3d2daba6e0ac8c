"""The row format contract: golden canonical bytes and digests per format, and its shape.

A change to the encoding, to a table's hashed columns or to a column's type changes these bytes;
a format once released never changes (add a new format instead), so this test never gets edited
except to add the golden rows of a new format.
"""

import json
from pathlib import Path

import pytest

from ledger import rowformat
from ledger.hashing import canonical_row, row_hash

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "rowformat-golden.json").read_text())


def sample_row(table: str) -> dict:
    """One row with a distinct value in every column, by a rule fixed here (not the contract)."""
    values = {"TEXT": "{}: ä“x”", "INTEGER": 7, "FLOAT": 0.5, "BLOB": b"\x00raw"}
    row = {}
    for i, (name, col) in enumerate({**rowformat.TABLES[table], **rowformat.CHAIN}.items()):
        value = values[col.type]
        row[name] = value.format(name) if isinstance(value, str) else value
        if isinstance(value, int) and not isinstance(value, bool):
            row[name] = value + i
    row["seq"], row["prev_hash"], row["hash"] = 3, "ab" * 32, "not hashed"
    row["recorded_at"], row["format"] = "2026-12-01T00:00:00.000000Z", None
    return row


CASES = [(fmt, table) for fmt in rowformat.FORMATS for table in rowformat.TABLES]


@pytest.mark.parametrize(("fmt", "table"), CASES)
def test_golden_bytes_and_digest(fmt, table):
    expected = GOLDEN[str(fmt)].get(table)
    if expected is None:
        assert all(c.since > fmt for c in rowformat.TABLES[table].values()), table
        return  # the table did not exist in this format
    row = sample_row(table)
    assert canonical_row(table, row, fmt).decode() == expected["bytes"]
    assert row_hash(table, row, fmt) == expected["sha256"]


def test_every_format_has_golden_rows():
    assert sorted(GOLDEN, key=int) == [str(f) for f in rowformat.FORMATS]


def test_format_1_leaves_out_the_claim_wording_and_format_2_does_not():
    assert "text" not in rowformat.hashed_columns("claim_versions", 1)
    assert "text" in rowformat.hashed_columns("claim_versions", 2)
    for fmt in rowformat.FORMATS:
        assert {"text", "raw"}.isdisjoint(rowformat.hashed_columns("sources", fmt))
        assert "text_sha256" in rowformat.hashed_columns("sources", fmt)


def test_every_column_but_the_source_bytes_is_hashed_in_the_newest_format():
    for table in rowformat.TABLES:
        hashed = set(rowformat.hashed_columns(table, rowformat.FORMAT))
        unhashed = set(rowformat.columns(table)) - hashed
        expected = {"hash", "format"} | ({"text", "raw"} if table == "sources" else set())
        assert unhashed == expected, table


def test_a_format_2_row_cannot_pass_as_format_1():
    row = sample_row("claims")
    assert row_hash("claims", row, 1) != row_hash("claims", row, 2)


def test_rowformat_imports_nothing_of_ours():
    source = Path(rowformat.__file__).read_text()
    assert "from ledger" not in source and "import ledger" not in source


def golden_rows(fmt: int) -> dict:
    """The golden rows of format ``fmt``, to add to rowformat-golden.json when a format is new:
    ``python -m tests.test_rowformat 3`` prints them. Never regenerate an existing format."""
    return {
        table: {
            "bytes": canonical_row(table, sample_row(table), fmt).decode(),
            "sha256": row_hash(table, sample_row(table), fmt),
        }
        for table in rowformat.TABLES
        if any(c.since <= fmt for c in rowformat.TABLES[table].values())
    }


if __name__ == "__main__":
    import sys

    print(json.dumps({sys.argv[1]: golden_rows(int(sys.argv[1]))}, indent=1, ensure_ascii=False))
