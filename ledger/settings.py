"""Ledger settings as chained rows: the latest row for a name is its value.

A setting changes how the ledger is written (e.g. ``require_second_reviewer``), so it is itself
part of the record: who turned it on, and when, is in the chain like any other row.
"""

from __future__ import annotations

from ledger import ids
from ledger.errors import InputError
from ledger.store import Ledger

# Each known setting: its default and what it does.
KNOWN: dict[str, tuple[str, str]] = {
    "require_second_reviewer": (
        "false",
        "a verdict, retraction or supersession takes effect only once a second, different "
        "reviewer confirms it",
    ),
}
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _check(name: str) -> None:
    if name not in KNOWN:
        raise InputError(f"unknown setting {name!r}: known settings are {', '.join(KNOWN)}")


def get(ledger: Ledger, name: str) -> str:
    """The current value of a setting (its default if never set)."""
    _check(name)
    row = ledger.one("SELECT value FROM settings WHERE name = ? ORDER BY seq DESC LIMIT 1", [name])
    return row["value"] if row else KNOWN[name][0]


def enabled(ledger: Ledger, name: str) -> bool:
    """Whether a yes/no setting is on."""
    return get(ledger, name) == "true"


def set_value(ledger: Ledger, name: str, value: str, *, reviewer: str) -> str:
    """Record a new value for a setting (yes/no settings take true/false, yes/no, on/off)."""
    _check(name)
    word = value.strip().lower()
    if word not in TRUE + FALSE:
        raise InputError(f"{name} is true or false, not {value!r}")
    word = "true" if word in TRUE else "false"
    with ledger.transaction():
        ledger.append("settings", {"id": ids.new_row_id("cf"), "name": name, "value": word,
                                   "reviewer": reviewer})  # fmt: skip
    return word


def all_values(ledger: Ledger) -> dict[str, str]:
    """Every known setting with its current value."""
    return {name: get(ledger, name) for name in KNOWN}
