"""Replication commands: replicate (and replicate --status) and restore, over Litestream."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli import cli, emit_json, json_option


@cli.command()
@click.argument("url")
@click.option(
    "--interval",
    default="1s",
    show_default=True,
    help="How often changes are sent to the replica (500ms, 1s, 10s, 5m ...).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Write the Litestream config here (default: a new temporary file).",
)
@click.option("--status", "show_status", is_flag=True, help="Say how far the replica has got.")
@json_option
@click.pass_context
def replicate(
    ctx: click.Context,
    url: str,
    interval: str,
    config_path: str | None,
    show_status: bool,
    as_json: bool,
) -> None:
    """Stream the ledger to a replica with Litestream until stopped (Ctrl-C or SIGTERM sync once
    more, then stop).

    URL is a folder, file:///PATH, s3://BUCKET/PATH, sftp://HOST/PATH, or another Litestream
    replica URL. With --status, nothing runs: the replica is restored to a temporary file to
    read the head it holds, next to the local ledger's.
    """
    from ledger import replicate as rep

    db = ctx.obj["db"]
    if show_status:
        _print_status(rep.status(db, url), as_json)
        return
    rep.litestream_binary()  # fail on a missing extra before writing anything
    config = rep.write_config(db, url, interval=interval, path=config_path)
    click.echo(f"Litestream config: {config}")
    click.echo(
        f"replicating {db} to {rep.redacted(rep.replica_url(url))} every {interval} "
        "(Ctrl-C to stop)"
    )
    rep.run(config, db)


def _print_status(st: Any, as_json: bool) -> None:
    from ledger.replicate import redacted

    def head(h: Any) -> dict[str, Any] | None:
        return None if h is None else {"entries": h.count, "head": h.hash}

    data = {
        "replica": redacted(st.url),
        "local": head(st.local_head),
        "replica_head": head(st.replica_head),
        "in_local_chain": st.in_local_chain,
        "entries_behind": st.entries_behind,
        "local_txid": st.local_txid,
        "replica_txid": st.replica_txid,
        "last_sync": st.last_sync,
        "ltx_files": st.files,
    }
    if as_json:
        emit_json(data)
        return
    click.echo(f"replica:      {redacted(st.url)}")
    if st.replica_head is None:
        click.echo("replica head: none (the replica holds nothing yet)")
    else:
        click.echo(f"replica head: {st.replica_head.count} entries, sha256 {st.replica_head.hash}")
    if st.local_head is None:
        click.echo("local head:   none (no ledger here)")
    else:
        click.echo(f"local head:   {st.local_head.count} entries, sha256 {st.local_head.hash}")
    if st.in_local_chain is False:
        click.echo(
            "DIVERGED:     the replica's head is not in the local chain: it holds entries this "
            "ledger never committed; see 'A damaged replica' in docs/replication.md"
        )
    if st.entries_behind is not None:
        click.echo(f"behind:       {st.entries_behind} entries")
    click.echo(
        f"litestream:   replica txid {st.replica_txid or '-'}, local txid {st.local_txid or '-'}, "
        f"last sync {st.last_sync or '-'}, {st.files} LTX files"
    )


@cli.command()
@click.argument("url")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the restored ledger (must not exist).",
)
@click.option(
    "--timestamp",
    help="Restore the ledger as it was at this time (ISO 8601; UTC unless it names a zone).",
)
@click.option(
    "--head",
    "earlier",
    help="A head hash quoted earlier that the restored ledger must contain (whole, or 32+ "
    "characters).",
)
@json_option
def restore(url: str, out: str, timestamp: str | None, earlier: str | None, as_json: bool) -> None:
    """Restore a replica into a new ledger file and verify it.

    Prints the restored head. The file is written only if its whole chain verifies (and, with
    --head, contains that head).
    """
    from ledger.restore import restore as do_restore

    result = do_restore(url, out, timestamp=timestamp, earlier_head=earlier)
    if as_json:
        emit_json(
            {
                "ok": True,
                "path": str(result.path),
                "entries": result.head.count,
                "head": result.head.hash,
                "earlier_head_found": result.earlier_head_found,
            }
        )
        return
    click.echo(
        f"restored {result.path}: verified, {result.head.count} entries, head {result.head.hash}"
    )
    if result.earlier_head_found:
        click.echo(f"contains the earlier head {earlier}")
