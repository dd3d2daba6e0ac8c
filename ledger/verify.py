"""Verify the ledger: recompute the chain, re-check every span and every source hash, check the
attestations of fields an older row format left out, and derive every reader table again.

Rows are streamed from each table in ``seq`` order, so memory stays flat however long the ledger
is; source texts are cached a few at a time for the span checks. A quick pass, driven by the
spine, only says whether anything is wrong; then the naming pass (every table merged by seq)
names the first row that disagrees. The derived tables are compared by ``verify_derived``, on a
second connection beside the chain when it can read the same snapshot.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from operator import itemgetter
from typing import Any

from ledger import chain_pass, derived, migrations, rowformat, tree, verify_derived
from ledger.errors import InputError, IntegrityError
from ledger.hashing import GENESIS
from ledger.row_checks import Attested, check_row, label
from ledger.store import Head, Ledger
from ledger.verify_derived import Beside

ENTRIES = rowformat.ENTRIES


@dataclass
class VerifyResult:
    """A verified ledger: its head, whether an earlier head was found in it, how many rows were
    written under format 1 with no attestation yet, and whether derived tables were checked."""

    head: Head
    earlier_head_found: bool | None = None
    unattested: int = 0
    derived_checked: bool = False


def _rows(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """One table's rows in ``seq`` order, as dicts of its contract's columns (a column the
    database does not have yet is None; a source's text and bytes are left out)."""
    present = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
    cols = [c for c in rowformat.columns(table) if c in present]
    if table == "sources":
        cols = [c for c in cols if c not in ("text", "raw")]
    if not cols:
        return  # a table a newer format added, in a ledger not yet upgraded
    missing = dict.fromkeys(c for c in rowformat.columns(table) if c not in present)
    if table == "sources":
        missing.pop("text", None), missing.pop("raw", None)
    cur = conn.execute(
        "SELECT {} FROM [{}] ORDER BY seq".format(", ".join(f"[{c}]" for c in cols), table)
    )
    if missing:
        for values in cur:
            yield {**missing, **dict(zip(cols, values, strict=True))}
    else:
        for values in cur:
            yield dict(zip(cols, values, strict=True))


def _stream(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    for row in _rows(conn, table):
        yield row["seq"], table, row


# Hex characters a quoted head needs: 128 bits, so that nobody rewriting the ledger can grind out
# a new entry whose hash starts the same way (48 bits take hours on a GPU).
SHORT_HEAD = 32


def verify(ledger: Ledger, earlier_head: str | None = None, *, quick: bool = False) -> VerifyResult:
    """Check everything; raise IntegrityError naming the first row that disagrees.

    ``earlier_head`` is a head hash quoted earlier, whole or its first 32 or more hex characters
    (as ``factledger cite`` prints it); the ledger must still contain that entry. ``quick``
    leaves out deriving the reader tables and counts again.
    """
    if earlier_head is not None:
        earlier_head = earlier_head.strip().removeprefix("sha256:").strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{SHORT_HEAD},64}}", earlier_head):
            raise InputError(
                f"--head {earlier_head!r}: give a head hash as `factledger head` prints it "
                f"(64 hex characters, or at least its first {SHORT_HEAD})"
            )
    conn = ledger.conn
    # One read transaction: every stream, and the derived check, read the same snapshot even
    # while a writer appends.
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    side: Beside | None = None
    try:
        problem = migrations.record_problem(conn)
        if problem:
            raise IntegrityError(f"{problem}; restore the ledger from a copy")
        # The derived tables are compared on a second connection in the same snapshot, beside
        # the chain (SQLite work, off the GIL); in sequence when that snapshot cannot be had.
        # Derived tables another version built hold what it derived (other columns, other
        # counts): this one's derivations would differ from them everywhere, so they cannot be
        # checked, and verify says so after the chain (whose problems come first) rather than
        # pass: a reader may be shown them. Any write rebuilds them.
        built = derived.installed_version(conn)
        compare = not quick and built == derived.VERSION
        if compare and own:
            side = Beside.start(ledger.path, conn)
        head, unattested, in_tree = _verify_chain(conn, earlier_head, not quick)
        difference = in_tree
        if compare:
            # The tree was checked with the chain; the kept tables are compared beside.
            beside, side = side, None
            difference = verify_derived.tables_difference(conn, beside) or in_tree
        if difference:
            raise IntegrityError(difference)
        if not quick and not compare:
            raise IntegrityError(
                f"derived tables (current_claims, stances, the counts) were built by another "
                f"factledger, at derived version {built}; this one derives version "
                f"{derived.VERSION} and cannot check them: run 'factledger rebuild', then verify "
                "again (the chain verified)"
            )
    finally:
        if side is not None:  # the chain failed first: its row is the one to name
            side.cancel()
        if own and conn.in_transaction:
            conn.execute("COMMIT")
    return VerifyResult(head, None if earlier_head is None else True, unattested, compare)


# The spine: what each entry lists, and what a row must give to match it. Both passes use these.
SPINE = f"SELECT seq, tbl, row_id FROM {ENTRIES} ORDER BY seq"


def _spine_entry(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["seq"], table, row["id"])


def _source_texts(conn: sqlite3.Connection) -> Any:
    @lru_cache(maxsize=64)
    def source_text(source_id: str) -> Any:
        row = conn.execute("SELECT text FROM sources WHERE id = ?", [source_id]).fetchone()
        return None if row is None else row[0]

    return source_text


def _verify_chain(
    conn: sqlite3.Connection, earlier_head: str | None, with_tree: bool
) -> tuple[Head, int, str | None]:
    """The chain, spans, source hashes and attestation: the quick pass, and when it sees
    anything wrong, the naming pass from the start to name the first row that disagrees. With
    ``with_tree``, also what :func:`tree.difference` says of the stored tree: the quick pass
    hands it each entry's hash as it goes, instead of the tree reading them all again."""
    leaves = tree.Check(conn) if with_tree else None
    try:
        head, unattested = _quick_chain(conn, earlier_head, leaves)
    except Exception:  # anything at all: the naming pass meets it again and names it
        head, unattested = _naming_chain(conn, earlier_head)
        return head, unattested, tree.difference(conn) if with_tree else None
    return head, unattested, leaves.result() if leaves is not None else None


def _quick_chain(
    conn: sqlite3.Connection, earlier_head: str | None, leaves: chain_pass.Leaves | None = None
) -> tuple[Head, int]:
    """Every check of :func:`_naming_chain` in one fast pass (:mod:`ledger.chain_pass`); raises
    at the first thing wrong without naming it. Accepts exactly what the naming pass accepts."""
    count, digest, unattested = chain_pass.quick(conn, earlier_head, _source_texts(conn), leaves)
    return Head(count, digest), unattested


def _naming_chain(conn: sqlite3.Connection, earlier_head: str | None) -> tuple[Head, int]:
    """The chain pass that names the first row that disagrees: every table's rows merged by
    seq beside the spine."""
    source_text = _source_texts(conn)
    quoted = earlier_head or ""
    merged = heapq.merge(*(_stream(conn, t) for t in rowformat.TABLES), key=itemgetter(0))
    spine = conn.execute(SPINE)
    attested = Attested(conn)
    expected_prev: str = GENESIS
    count, found = 0, earlier_head is None
    for item, entry in zip_longest(merged, spine):
        if item is None:
            raise IntegrityError(
                f"seq {entry[0]} ({entry[1]} {entry[2]}): listed in {ENTRIES} but "
                f"missing from {entry[1]} (deleted)"
            )
        seq, table, row = item
        if seq != count + 1:
            if entry is not None and entry[0] == count + 1:
                raise IntegrityError(
                    f"seq {entry[0]} ({entry[1]} {entry[2]}): missing from {entry[1]} (deleted)"
                )
            problem = "is a duplicate" if seq <= count else f"follows seq {count}: rows are missing"
            raise IntegrityError(f"{label(table, row)}: {problem}")
        if row["prev_hash"] != expected_prev:
            raise IntegrityError(
                f"{label(table, row)}: prev_hash does not match the hash of seq {count}"
            )
        try:
            fmt = check_row(conn, table, row, source_text)
        except (TypeError, ValueError, AttributeError, UnicodeError) as e:
            raise IntegrityError(
                f"{label(table, row)}: holds a value of an unexpected type ({e})"
            ) from None
        if fmt == 1:
            attested.row(table, row)
        elif table == "attestations":
            attested.attestation(row)
        if entry is None or tuple(entry) != _spine_entry(table, row):
            raise IntegrityError(f"{label(table, row)}: disagrees with {ENTRIES}")
        expected_prev, count = str(row["hash"]), seq
        if not found and str(row["hash"]).startswith(quoted):
            found = True
    head = Head(count, expected_prev)
    if not found:
        raise IntegrityError(
            f"earlier head {earlier_head} is not in this ledger ({head}): "
            "it was truncated or rewritten since that head was quoted"
        )
    if next(attested.rows, None) is not None:
        raise IntegrityError("attested_fields lists rows the ledger does not have")
    return head, attested.unattested
