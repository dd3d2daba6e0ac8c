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


class LedgerGroup(click.Group):
    """Turns our errors into one-line ``Error: ...`` messages with exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from ledger.errors import LedgerError

        try:
            return super().invoke(ctx)
        except LedgerError as e:
            raise click.ClickException(str(e)) from e
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


def reviewer(name: str | None) -> str:
    """Resolve the reviewer identity."""
    from ledger.identity import reviewer_identity

    return reviewer_identity(name)


def emit_json(data: Any) -> None:
    """Print JSON (UTF-8, indented) for ``--json``."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


from ledger.cli import core, integrity, propose, publish, replicate, reports, review  # noqa: E402,F401,I001
