"""The ``factledger`` command line. Each command parses, calls one library function, prints.

Library modules are imported inside the commands so ``factledger --help`` starts fast and no
command that calls no model ever imports litellm.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import click

from ledger import __version__


class LedgerCommand(click.Command):
    """Refuses text arguments that are not valid UTF-8 with one line naming the option.

    The OS hands Python undecodable bytes in argv as lone surrogates ("surrogateescape"); they
    would fail deep in SQLite or JSON. Paths are exempt: a file name need not be UTF-8.
    """

    def invoke(self, ctx: click.Context) -> Any:
        for param in self.params:
            value = ctx.params.get(param.name or "")
            if isinstance(param.type, click.Path):
                continue
            for v in value if isinstance(value, tuple) else (value,):
                if isinstance(v, str) and _not_utf8(v):
                    name = (
                        param.opts[0]
                        if param.opts[0].startswith("-")
                        else param.human_readable_name
                    )
                    raise click.ClickException(
                        f"{name} is not valid UTF-8 text: check your terminal's encoding"
                    )
        return super().invoke(ctx)


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class LedgerGroup(click.Group):
    """Turns our errors into one-line ``Error: ...`` messages with exit code 1."""

    command_class = LedgerCommand

    def invoke(self, ctx: click.Context) -> Any:
        from ledger.errors import LedgerError

        try:
            return super().invoke(ctx)
        except LedgerError as e:
            from ledger.controls import visible

            raise click.ClickException(visible(str(e))) from e
        except sqlite3.DatabaseError as e:
            db = ctx.obj.get("db") if ctx.obj else None
            raise click.ClickException(f"database {db}: {e}") from e


@click.group(cls=LedgerGroup)
@click.version_option(__version__, prog_name="factledger")
@click.option(
    "--db",
    "db_path",
    envvar="FACTLEDGER_DB",
    default="ledger.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The ledger database (env FACTLEDGER_DB).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """factledger: a fact-checking and provenance ledger.

    Ingest articles, record the claims they make with exact quotes, who asserted, confirmed or
    denied them, and your verdict, in an append-only, tamper-evident SQLite ledger.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db_path


def open_ledger(*, create: bool = False, readonly: bool = False) -> Any:
    """Open the ledger named by ``--db`` (created on first write)."""
    from ledger.store import Ledger

    ctx = click.get_current_context()
    return Ledger(ctx.obj["db"], create=create, readonly=readonly)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def reviewer_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--reviewer``: who is acting (else FACTLEDGER_REVIEWER, git user.name, OS user)."""
    return click.option(
        "--reviewer",
        help="Who is making this change (default: $FACTLEDGER_REVIEWER, git user.name, OS user).",
    )(f)


def dry_run_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--dry-run``: show what would be appended and write nothing."""
    return click.option(
        "--dry-run", is_flag=True, help="Show what would be appended; write nothing."
    )(f)


SPAN_TABLES = ("claim_versions", "stance_events")


def report_appended(
    appended: list[dict[str, Any]], *, dry_run: bool, as_json: bool, quote: str | None = None
) -> bool:
    """Print what a write appended: for a dry run, every row it would have appended (and return
    True: the caller prints nothing else); a note on stderr when the stored quote differs from
    the typed one only in quote marks, dashes, spaces or case."""
    from ledger.spans import quote_difference

    for e in appended:
        stored = e["row"].get("quote")
        if quote is not None and stored is not None and e["table"] in SPAN_TABLES:
            kinds = quote_difference(quote, stored)
            if kinds:
                click.echo(
                    f"note: the quote differs from the source only in {' and '.join(kinds)}; "
                    f"stored the source's own words: “{stored}”",
                    err=True,
                )
                break
    if not dry_run:
        return False
    if as_json:
        rows = [{k: e[k] for k in ("seq", "table", "row_id", "row")} for e in appended]
        emit_json({"dry_run": True, "would_append": rows})
        return True
    n = len(appended)
    click.echo(f"dry run: would append {n} {'entry' if n == 1 else 'entries'} (nothing written)")
    for e in appended:
        click.echo(f"  #{e['seq']}  {e['table']:<15} {e['what']}")
    return True


def reviewer(name: str | None) -> str:
    """Resolve the reviewer identity."""
    from ledger.identity import reviewer_identity

    return reviewer_identity(name)


def emit_json(data: Any) -> None:
    """Print JSON (UTF-8, indented) for ``--json``."""
    from ledger.controls import json_escaped

    click.echo(json_escaped(json.dumps(data, indent=2, ensure_ascii=False, default=str)))


from ledger.cli import core, evaluate, integrity, propose, publish, reading, reports, review, tlog  # noqa: E402,F401,I001
from ledger.cli import replicate, team  # noqa: E402,F401
