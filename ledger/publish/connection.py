"""What every connection of the published Datasette gets: limits, safe settings, our functions.

Datasette stops a query after ``sql_time_limit_ms`` with SQLite's progress handler, which runs
between steps of a query, never inside one function call: ``printf('%.*c', 900000000, 'x')`` is
one call that builds a 900 MB string (3.8 s and 1 GB). So strings and blobs are capped
(``LENGTH_LIMIT``), and ``printf`` / ``format`` refuse at once widths and precisions no page
needs (SQLite 3.40 goes on formatting past the cap, with no memory but for seconds).
``trusted_schema`` is off: the schema's views and triggers cannot call functions that are not
marked harmless. SQLite's defensive flag needs ``Connection.setconfig`` (Python 3.12); on older
Pythons it is left off (Datasette's connections are read-only and it runs SELECT only).
"""

from __future__ import annotations

import mmap
import re
import sqlite3
import threading
from typing import Any

from datasette import hookimpl

from ledger.publish.figures import figure, figure_value, subject_match

# A source is at most 10 MiB of bytes (corpus.MAX_BYTES); its row holds those bytes and its text
# (NFC can at most triple it), so the largest row of a ledger fits well within this.
LENGTH_LIMIT = 64 * 1024 * 1024
# No page needs printf to pad or repeat more than this; past it a width is only an attack.
PRINTF_MOST = 1024 * 1024
# SQLite's own answer for an over-long value ("string or blob too big") comes from handing it
# one: an anonymous mapping one byte over the cap, never touched, so it costs no memory.
_TOO_BIG = memoryview(mmap.mmap(-1, LENGTH_LIMIT + 1))
# A conversion's width and precision: "%-20.5s", "%.*c", "%*d".
SPEC = re.compile(r"%[-+ #0!,]*(\*|\d+)?(?:\.(\*|\d+)?)?")
_side = threading.local()


def _as_int(value: Any) -> int:
    """An argument as SQLite's printf reads a ``*`` width: a number, else 0."""
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0


def _most(fmt: str, args: tuple[Any, ...]) -> int:
    """An upper bound on what the widths and precisions of ``fmt`` can add to its output."""
    literal = stars = 0
    for m in SPEC.finditer(fmt.replace("%%", "")):
        for part in m.groups():
            if part == "*":
                stars += 1
            elif part:
                literal += int(part) if len(part) < 12 else PRINTF_MOST + 1
    return literal + stars * max((_as_int(a) for a in args), default=0)


def bounded_printf(fmt: Any, *args: Any) -> Any:
    """SQLite's own ``printf``, unless its widths and precisions add up to over ``PRINTF_MOST``:
    then SQLite's "string or blob too big", at once."""
    if isinstance(fmt, str) and _most(fmt, args) > PRINTF_MOST:
        return _TOO_BIG
    side = getattr(_side, "conn", None)
    if side is None:  # the built-in, on a connection of this thread that does not override it
        side = _side.conn = sqlite3.connect(":memory:")
        side.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    marks = ", ".join("?" for _ in range(len(args) + 1))
    return side.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]


def limit_connection(conn: sqlite3.Connection) -> None:
    """Cap strings and blobs, keep the schema untrusted and, where Python can, defensive."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    conn.execute("PRAGMA trusted_schema = OFF")
    setconfig = getattr(conn, "setconfig", None)  # Python 3.12+
    if setconfig is not None:
        setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)  # type: ignore[attr-defined]
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Datasette's hook for each new connection: the limits, and the functions that
    ``conflicting_figures`` (publish/metadata.py) calls."""
    limit_connection(conn)
    conn.create_function("subject_match", 1, subject_match, deterministic=True)
    conn.create_function("figure", 2, figure, deterministic=True)
    conn.create_function("figure_value", 1, figure_value, deterministic=True)
