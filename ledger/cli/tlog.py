"""Transparency-log commands: keygen, checkpoint, prove and verify-proof."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ledger.cli import cli, emit_json, json_option, open_ledger


def read_text(path: str, what: str) -> str:
    """A user's file as text (imported lazily: signing code loads only when used)."""
    from ledger.tlog import read_text as read

    return read(path, what)


@cli.command()
@click.argument("name")
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False), help="Private key file."
)
def keygen(name: str, out: str) -> None:
    """Make an Ed25519 signing key NAME for checkpoints; print its verifier key.

    Publish the verifier key (NAME+HASH+KEY) where readers find it; keep the private key file
    secret. An existing file is never overwritten.
    """
    import os

    from ledger.checkpoint import generate_key

    secret, verifier = generate_key(name)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{out} exists: choose another file for the new key") from None
    except OSError as e:
        raise click.ClickException(f"{out}: {e.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
    click.echo(verifier)


@cli.command()
@click.option(
    "--key",
    envvar="FACTLEDGER_KEY",
    required=True,
    type=click.Path(dir_okay=False),
    help="The private key file from 'factledger keygen' (env FACTLEDGER_KEY).",
)
@click.option("--origin", help="The log's name (default: $FACTLEDGER_ORIGIN).")
def checkpoint(key: str, origin: str | None) -> None:
    """Sign a checkpoint (size and Merkle root) of the ledger, append it, print it."""
    from ledger.tlog import make_checkpoint

    secret = read_text(key, "key").strip()
    with open_ledger() as ledger:
        note = make_checkpoint(ledger, secret, origin)
    click.echo(note, nl=False)


@cli.command()
@click.argument("ref")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False),
    help="A signed checkpoint to prove against (default: the ledger's latest).",
)
@json_option
def prove(ref: str, checkpoint_file: str | None, as_json: bool) -> None:
    """Inclusion proofs that claim REF (ID or ID@N) is in a signed checkpoint."""
    from ledger.tlog import prove as do_prove

    note = read_text(checkpoint_file, "checkpoint") if checkpoint_file else None
    with open_ledger(readonly=True) as ledger:
        result = do_prove(ledger, ref, note)
    if as_json:
        emit_json(result)
        return
    size = result["proofs"][0]["tree_size"] if result["proofs"] else 0
    click.echo(f"{ref}: {len(result['proofs'])} entries included in checkpoint of {size} entries")
    for p in result["proofs"]:
        click.echo(
            f"  {p['table']:<15} {p['row_id']}  leaf {p['leaf_index']}  "
            f"{len(p['inclusion_path'])} hashes"
        )
    for p in result["not_yet_covered"]:
        click.echo(f"  {p['table']:<15} {p['row_id']}  after the checkpoint: not covered yet")
    click.echo("Save with --json to a file and check it with 'factledger verify-proof'.")


@cli.command(name="verify-proof")
@click.argument("proof_file", type=click.Path(dir_okay=False))
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False),
    help="The signed checkpoint to check against (default: the one the proof carries).",
)
@click.option(
    "--key",
    "verifier",
    required=True,
    help="The newsroom's verifier key NAME+HASH+KEY, or a file holding it.",
)
def verify_proof(proof_file: str, checkpoint_file: str | None, verifier: str) -> None:
    """Check a proof offline, without the ledger: PROOF_FILE is 'prove --json' output or a
    claim page's .json. The checkpoint's signature is checked with --key, the newsroom's
    published verifier key."""
    from ledger.checkpoint import Verifier
    from ledger.tlog import verify_proof as do_verify

    if Path(verifier).is_file():
        verifier = read_text(verifier, "key")
    try:
        proof = json.loads(read_text(proof_file, "proof"))
    except json.JSONDecodeError as e:
        raise click.ClickException(
            f"proof {proof_file}: not JSON ({e.msg}, line {e.lineno})"
        ) from None
    if isinstance(proof, dict) and isinstance(proof.get("transparency"), dict):
        proof = proof["transparency"]  # a claim page's JSON
    if not isinstance(proof, dict):
        raise click.ClickException(f"proof {proof_file}: not a proof from 'prove --json'")
    if checkpoint_file:
        note = read_text(checkpoint_file, "checkpoint")
    elif isinstance(proof.get("checkpoint"), str):
        note = proof["checkpoint"]
    else:
        raise click.ClickException(f"proof {proof_file} carries no checkpoint: give --checkpoint")
    cp = do_verify(proof, note, Verifier.parse(verifier))
    click.echo(
        f"ok: {len(proof['proofs'])} entries of {proof.get('claim')} are in checkpoint "
        f"{cp.origin} of {cp.size} entries"
    )
