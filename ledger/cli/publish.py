"""``factledger serve`` and ``factledger publish``."""

from __future__ import annotations

import click

from ledger.cli import cli, emit_json, json_option


@cli.command()
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (only this machine by default).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the browser.")
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, open_browser: bool) -> None:
    """Browse the ledger in Datasette: tables, facets, search, claim pages at /claims/ID.

    Read-only: nothing can be written through it.
    """
    from ledger.publish.serve import serve as run

    run(ctx.obj["db"], host=host, port=port, open_browser=open_browser)


@cli.command()
@click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="New folder for the bundle."
)
@json_option
@click.pass_context
def publish(ctx: click.Context, out: str, as_json: bool) -> None:
    """Write a self-contained bundle to publish: a consistent snapshot (SQLite backup API),
    metadata, the plugin and templates, and a README with the datasette publish commands."""
    from ledger.publish.serve import publish_bundle

    result = publish_bundle(ctx.obj["db"], out)
    if as_json:
        emit_json(result)
    else:
        click.echo(
            f"wrote {result['out']}: snapshot of {result['entries']} entries, head {result['head']}"
        )
        click.echo(f"see {result['out']}/README.md to serve or publish it")
        for warning in result["warnings"]:
            click.echo(f"warning: {warning}", err=True)
