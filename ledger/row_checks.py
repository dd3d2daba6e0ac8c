"""Checks of one ledger row for ``verify``: its hash, format, span or source hashes, and the
running check of what row format 1 left out of the hash against its attestation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import cache
from typing import Any

from ledger import hashing, rowformat
from ledger.errors import IntegrityError
from ledger.hashing import sha256_hex
from ledger.spans import check_span


def label(table: str, row: dict[str, Any]) -> str:
    """How a message names a row: its seq, table and id."""
    return f"seq {row.get('seq')} ({table} {row.get('id')})"


class Attested:
    """The running check of what format 1 left out, against ``attested_fields``."""

    def __init__(self, conn: sqlite3.Connection):
        try:
            self.rows: Iterator[tuple[Any, ...]] = iter(
                conn.execute(
                    "SELECT seq, tbl, row_id, digest, attestation_id FROM attested_fields "
                    "ORDER BY seq"
                )
            )
        except sqlite3.OperationalError:  # a ledger from before m007
            self.rows = iter(())
        self.digest, self.count, self.unattested, self.done = hashing.attestation_hasher(), 0, 0, 0
        self.by: set[str] = set()

    def row(self, table: str, row: dict[str, Any]) -> None:
        if self.done:
            raise IntegrityError(
                f"{label(table, row)}: written with row format 1 after the ledger's upgrade"
            )
        if table not in rowformat.FORMAT_1_LEFT_OUT:
            return
        mine = hashing.line_digest(hashing.left_out_line(table, row))
        kept = next(self.rows, None)
        if kept is None:
            self.unattested += 1
            return
        fields = ", ".join(f"{table}.{c}" for c in rowformat.FORMAT_1_LEFT_OUT[table])
        if tuple(kept[:3]) != (row["seq"], table, row["id"]):
            raise IntegrityError(
                f"{label(table, row)}: missing from attested_fields (it lists seq {kept[0]})"
            )
        if kept[3] != mine:
            raise IntegrityError(
                f"{label(table, row)}: {fields} differs from what the upgrade attested "
                "(changed after it)"
            )
        self.digest.update(str(kept[3]).encode("ascii"))
        self.count += 1
        self.by.add(kept[4])

    def attestation(self, row: dict[str, Any]) -> None:
        if row["from_format"] != 1 or self.unattested:
            raise IntegrityError(
                f"{label('attestations', row)}: does not cover the format 1 rows before it"
            )
        named = self.by <= {row["id"]}
        if not named or (self.count, self.digest.hexdigest()) != (row["rows"], row["digest"]):
            raise IntegrityError(
                f"{label('attestations', row)}: attested_fields differ from what it attested"
            )
        self.done += 1


@cache
def added_after(table: str, fmt: int, newest: int) -> tuple[str, ...]:
    # ``newest`` (rowformat.FORMAT) is part of the key: the contract only grows between releases.
    return tuple(c for c in rowformat.added_after(table, fmt) if c != "format")


def check_row(conn: sqlite3.Connection, table: str, row: dict[str, Any], source_text: Any) -> int:
    """Check one row's hash, format and content; returns its format."""
    fmt = 1 if row.get("format") is None else row["format"]
    if fmt not in rowformat.FORMATS:
        raise IntegrityError(f"{label(table, row)}: unknown row format {fmt!r}")
    for column in added_after(table, fmt, rowformat.FORMAT):
        if row.get(column) is not None:
            raise IntegrityError(
                f"{label(table, row)}: {column} holds a value, but row format {fmt} has no {column}"
            )
    try:
        digest = hashing.row_hash(table, row, fmt)
    except TypeError:
        column = next((c for c, v in row.items() if not isinstance(v, str | int | float)), "?")
        if column == "?" or row[column] is None:
            raise
        kind = type(row[column]).__name__
        raise IntegrityError(
            f"{label(table, row)}: {column} holds {kind} where text or a number belongs"
        ) from None
    if digest != row["hash"]:
        raise IntegrityError(
            f"{label(table, row)}: hash does not match its contents (row was altered)"
        )
    if table == "sources":
        check_source(conn, row, label(table, row))
    elif table in rowformat.SPAN_TABLES:
        text = source_text(row["source_id"])
        if text is None:
            raise IntegrityError(f"{label(table, row)}: its source {row['source_id']} is missing")
        if not isinstance(text, str):
            raise IntegrityError(f"{label(table, row)}: its source's text is not text")
        mismatch = check_span(text, row)
        if mismatch:
            raise IntegrityError(f"{label(table, row)}: {mismatch}")
    return int(fmt)


def check_source(conn: sqlite3.Connection, row: dict[str, Any], where: str) -> None:
    text, raw = conn.execute("SELECT text, raw FROM sources WHERE id = ?", [row["id"]]).fetchone()
    if not isinstance(text, str) or sha256_hex(text.encode("utf-8")) != row["text_sha256"]:
        raise IntegrityError(f"{where}: source text does not match its text_sha256")
    if not isinstance(raw, bytes) or sha256_hex(raw) != row["raw_sha256"]:
        raise IntegrityError(f"{where}: source bytes do not match their raw_sha256")
