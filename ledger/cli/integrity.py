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
@click.option(
    "--quick",
    is_flag=True,
    help="Check the chain, spans and source hashes only, not the derived tables readers see.",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False),
    help="A signed checkpoint quoted earlier: prove the ledger extends it (consistency proof).",
)
@json_option
def verify(earlier: str | None, quick: bool, checkpoint_file: str | None, as_json: bool) -> None:
    """Recompute the hash chain, every span's quote and every source hash, and derive every
    reader table and count again from the chain.

    Exits 1 naming the first row that disagrees. With --head, also proves that the ledger still
    contains that earlier head (it fails if the ledger was truncated or rewritten since). With
    --checkpoint, proves the ledger extends a signed checkpoint. With
    --quick, the derived tables (current_claims, stances, proposal_decisions, the counts) are
    not checked. Works on a publish bundle's database too (--db BUNDLE/NAME.db).
    """
    from ledger.verify import verify as do_verify

    extends = None
    with open_ledger(readonly=True) as ledger:
        result = do_verify(ledger, earlier, quick=quick)
        if checkpoint_file:
            from ledger.tlog import check_extends, read_text

            extends = check_extends(ledger, read_text(checkpoint_file, "checkpoint"))
    if as_json:
        emit_json(
            {
                "ok": True,
                "entries": result.head.count,
                "head": result.head.hash,
                "derived_checked": result.derived_checked,
                "unattested_rows": result.unattested,
                "extends_checkpoint": extends,
            }
        )
        return
    click.echo(f"ok: {result.head.count} entries, head {result.head.hash}")
    if extends:
        click.echo(
            f"extends checkpoint {extends['origin']} of {extends['old_size']} entries "
            f"(consistency proof of {len(extends['consistency_path'])} hashes)"
        )
    if quick:
        click.echo("(quick: derived tables not checked)")
    if result.unattested:
        click.echo(
            f"note: {result.unattested} rows were written before row format 2 and their claim "
            "wording is not yet attested; any write (e.g. 'factledger rebuild') upgrades the ledger"
        )


@cli.command()
def rebuild() -> None:
    """Rebuild everything derived from the chain: reader tables, kept counts, search index.

    Run it when verify reports a derived table that differs from the ledger. The ledger's own
    rows are only read, never changed.
    """
    with open_ledger() as ledger:
        ledger.rebuild_derived()
        h = ledger.head()
    click.echo(f"rebuilt derived tables from {h.count} entries")


@cli.command(name="log")
@click.option("--limit", "-n", default=20, show_default=True, help="How many entries.")
@json_option
def log_(limit: int, as_json: bool) -> None:
    """The audit trail, newest first: who did what when, with each entry's number and hash.

    Entries written in one transaction (one command) are shown under one heading.
    """
    from ledger.history import log

    with open_ledger(readonly=True) as ledger:
        rows = log(ledger, limit)
    if as_json:
        keys = ("seq", "table", "row_id", "prev_hash", "hash")
        emit_json([{k: r[k] for k in keys} for r in rows])
        return
    from ledger.controls import visible_all

    heading = None
    for r in visible_all(rows):
        if (r["when"], r["who"]) != heading:
            heading = (r["when"], r["who"])
            when = (r["when"] or "?").replace("T", " ")[:19]
            click.echo(f"{when} UTC  {r['who']}")
        click.echo(f"  #{r['seq']:<6} {r['hash'][:12]}  {r['what']}")
