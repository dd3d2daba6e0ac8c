"""``factledger cite``, ``check``, ``render`` and ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledger.cli import cli, emit_json, json_option, open_ledger

BASE_URL = click.option(
    "--base-url",
    envvar="FACTLEDGER_BASE_URL",
    help="Where claim pages are served (env FACTLEDGER_BASE_URL).",
)


def _read(path: str) -> str:
    from ledger.errors import InputError

    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from e


def _line(report: str, c: dict[str, Any]) -> str:
    return f"{report}:{c['line']}: {c['ref']}: {c['state']} — {c['detail']}"


@cli.command()
@click.argument("claim_ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "text", "json"]),
    default="markdown",
    show_default=True,
)
@BASE_URL
def cite(claim_ref: str, fmt: str, base_url: str | None) -> None:
    """Print a ready citation of a claim (ID or ID@N) to paste into a report."""
    from ledger.reports import cite as do_cite

    with open_ledger(readonly=True) as ledger:
        click.echo(do_cite(ledger, claim_ref, fmt, base_url))


@cli.command()
@click.argument("report", type=click.Path(dir_okay=False))
@json_option
def check(report: str, as_json: bool) -> None:
    """Check every claim cited in a Markdown report as [FL-XXXXXX] or [FL-XXXXXX@N].

    Exits 1 if any citation is unknown, retracted, superseded, pinned to an old version or
    malformed (a near miss such as [fl-7k2qh9] or [FL-7K2QH9@0]).
    """
    from ledger.reports import check_report

    text = _read(report)
    with open_ledger(readonly=True) as ledger:
        ok, cited = check_report(ledger, text)
    if as_json:
        emit_json({"ok": ok, "citations": cited})
    else:
        for c in cited:
            click.echo(_line(report, c))
        click.echo(f"{len(cited)} citations, " + ("all current" if ok else "problems found"))
    if not ok:
        raise SystemExit(1)


@cli.command()
@click.argument("report", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write."
)
@click.option(
    "--allow-problems",
    is_flag=True,
    help="Render even if citations have problems; their footnotes say what is wrong.",
)
@BASE_URL
def render(report: str, output: str, allow_problems: bool, base_url: str | None) -> None:
    """Write REPORT with a footnote per cited claim and the ledger head at the end.

    Refuses, writing nothing, if any citation has a problem that check reports.
    """
    from dataclasses import asdict

    from ledger.reports import CitationProblems
    from ledger.reports import render as do_render

    text = _read(report)
    with open_ledger(readonly=True) as ledger:
        try:
            out = do_render(ledger, text, base_url, allow_problems=allow_problems)
        except CitationProblems as e:
            for c in e.problems:
                click.echo(_line(report, asdict(c)), err=True)
            raise click.ClickException(
                f"{report}: {len(e.problems)} citations with problems; nothing written "
                "(fix them, or pass --allow-problems to render them marked)"
            ) from e
    from ledger.atomic import write_text

    write_text(output, out)
    click.echo(f"wrote {output}")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["claimreview", "annotation", "jsonl", "csv", "warc"]),
    required=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout."
)
@BASE_URL
def export(fmt: str, output: str | None, base_url: str | None) -> None:
    """Export claims: schema.org ClaimReview JSON-LD (claims with a verdict), W3C Web
    Annotations (one per span), JSON Lines or CSV; or every source as a WARC archive
    (warc, needs -o, e.g. sources.warc.gz)."""
    from ledger.export import export as do_export

    if fmt == "warc":
        from ledger.archive import export_sources
        from ledger.atomic import write_bytes

        if not output:
            raise click.UsageError("--format warc writes a binary archive: give -o FILE")
        with open_ledger(readonly=True) as ledger:
            write_bytes(output, export_sources(ledger.all("SELECT * FROM sources ORDER BY seq")))
        click.echo(f"wrote {output}")
        return
    with open_ledger(readonly=True) as ledger:
        text = do_export(ledger, fmt, base_url)
    if output:
        from ledger.atomic import write_text

        write_text(output, text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
