"""Integrity commands: head, verify and log."""

from __future__ import annotations

import click

from ledger.cli import cli, emit_json, json_option, open_ledger


@cli.command()
@json_option
def head(as_json: bool) -> None:
    """Print the entry count and head hash, to quote in a report."""
    with open_ledger(readonly=True) as ledger:
        h = ledger.head()
    if as_json:
        emit_json({"entries": h.count, "head": h.hash})
    else:
        click.echo(f"factledger head: {h.count} entries, sha256 {h.hash}")


@cli.command()
@click.option(
    "--head",
    "earlier",
    help="An earlier head hash that this ledger must still contain (whole, or its first 32+ "
    "characters as a citation quotes it).",
)
@json_option
def verify(earlier: str | None, as_json: bool) -> None:
    """Recompute the hash chain, every span's quote and every source hash.

    Exits 1 naming the first row that disagrees. With --head, also proves that the ledger still
    contains that earlier head (it fails if the ledger was truncated or rewritten since).
    """
    from ledger.verify import verify as do_verify

    with open_ledger(readonly=True) as ledger:
        result = do_verify(ledger, earlier)
    if as_json:
        emit_json({"ok": True, "entries": result.head.count, "head": result.head.hash})
    else:
        click.echo(f"ok: {result.head.count} entries, head {result.head.hash}")


@cli.command(name="log")
@click.option("--limit", "-n", default=20, show_default=True, help="How many entries.")
@json_option
def log_(limit: int, as_json: bool) -> None:
    """The audit trail: the newest ledger entries, newest first, with their hashes."""
    from ledger.views import entries

    with open_ledger(readonly=True) as ledger:
        rows = entries(ledger, limit)
    if as_json:
        emit_json(rows)
        return
    from ledger.controls import visible_all

    for r in visible_all(rows):
        click.echo(f"{r['seq']:>8}  {r['hash'][:16]}  {r['table']:<15} {r['row_id']}")
