"""The ledger as a transparency log: its Merkle tree, signed checkpoints and proofs.

The tree's complete subtrees live in ``merkle_nodes``, derived state like the search index:
caught up from ``ledger_entries`` whenever a checkpoint or a proof needs it, checked against the
chain by ``verify``. A checkpoint is itself a ledger row (``checkpoints``), so the chain records
every checkpoint the newsroom signed.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from ledger import merkle, tree
from ledger.checkpoint import Checkpoint, Verifier, read_signed, sign, verifier_of
from ledger.errors import InputError, IntegrityError, NotFound
from ledger.store import Ledger

DEFAULT_ORIGIN = "factledger.local/ledger"


def origin(explicit: str | None = None) -> str:
    """The log's name in its checkpoints: ``explicit``, FACTLEDGER_ORIGIN, or a local default."""
    return explicit or os.environ.get("FACTLEDGER_ORIGIN") or DEFAULT_ORIGIN


def root(ledger: Ledger, tree_size: int | None = None) -> tuple[int, bytes]:
    """(size, root hash) of the whole tree, or of its first ``tree_size`` entries."""
    ledger.flush()
    n = ledger.head().count
    if tree_size is None:
        tree_size = n
    if tree_size > n:
        raise IntegrityError(f"the ledger has {n} entries, fewer than the checkpoint's {tree_size}")
    return tree_size, merkle.root(tree_size, tree.node_reader(ledger.conn))


def read_text(path: str, what: str) -> str:
    """A small text file a user named (a key, a checkpoint, a proof), or one line why not."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(1 << 22)
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{what} {path}: {getattr(e, 'strerror', None) or e}") from None


def make_checkpoint(ledger: Ledger, secret: str, name: str | None = None) -> str:
    """Sign a checkpoint of the ledger as it is now, append it to the ledger, return the note."""
    with ledger.transaction():
        tree_size, tree_root = root(ledger)
        note = sign(Checkpoint(origin(name), tree_size, tree_root).body(), secret)
        ledger.append(
            "checkpoints",
            {
                "id": f"CP-{tree_size}-{tree_root.hex()[:16]}",
                "origin": origin(name),
                "tree_size": tree_size,
                "root_hash": tree_root.hex(),
                "note": note,
                "verifier": verifier_of(secret),
            },
        )
    return note


def latest_checkpoint(ledger: Ledger) -> dict[str, Any] | None:
    """The newest checkpoint row, or None."""
    return ledger.one("SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1")


def parse_note(note: str) -> Checkpoint:
    """A checkpoint note's body, without checking its signature (the ledger holds its own)."""
    body, _, _ = note.partition("\n\n")
    return Checkpoint.parse(body + "\n")


@dataclass
class Proof:
    """An inclusion proof for one ledger entry."""

    table: str
    row_id: str
    leaf_index: int
    tree_size: int
    entry_hash: str
    inclusion_path: list[str]
    entry: str

    def as_dict(self) -> dict[str, Any]:
        """The proof as JSON-ready data."""
        return dict(self.__dict__)


def _claim_entries(
    ledger: Ledger, claim_id: str, version: int | None
) -> list[tuple[int, str, str]]:
    """The entries that make up one claim version: the claim, that version, its stances,
    verdicts and status changes, in ledger order."""
    if version is None:
        row = ledger.one(
            "SELECT max(version) AS v FROM claim_versions WHERE claim_id = ?", [claim_id]
        )
        version = row["v"] if row else None
    rows = ledger.conn.execute(
        "SELECT seq, 'claims', id FROM claims WHERE id = ?1 "
        "UNION ALL SELECT seq, 'claim_versions', id FROM claim_versions "
        "WHERE claim_id = ?1 AND version = ?2 "
        "UNION ALL SELECT seq, 'stance_events', id FROM stance_events WHERE claim_id = ?1 "
        "UNION ALL SELECT seq, 'verdicts', id FROM verdicts WHERE claim_id = ?1 "
        "UNION ALL SELECT seq, 'status_changes', id FROM status_changes WHERE claim_id = ?1 "
        "ORDER BY 1",
        [claim_id, version],
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def prove(ledger: Ledger, ref: str, note: str | None = None) -> dict[str, Any]:
    """Inclusion proofs for every entry of claim ``ref`` (``ID`` or ``ID@N``) in a checkpoint.

    ``note`` is a checkpoint to prove against (default: the ledger's latest). Entries appended
    after that checkpoint are listed as not yet covered.
    """
    from ledger.hashing import canonical_row

    claim_id, _, v = ref.upper().partition("@")
    version = int(v) if v.isdigit() else None
    if note is None:
        row = latest_checkpoint(ledger)
        if row is None:
            raise NotFound(
                "the ledger has no checkpoint yet: run 'factledger checkpoint --key FILE'"
            )
        note = str(row["note"])
    cp = parse_note(note)
    tree_size, tree_root = root(ledger, cp.size)
    if tree_root != cp.root:
        raise IntegrityError(
            f"the ledger's first {cp.size} entries do not have the checkpoint's root: "
            "they were changed since it was signed"
        )
    entries = _claim_entries(ledger, claim_id, version)
    if not entries:
        raise NotFound(f"no claim {ref}")
    node = tree.node_reader(ledger.conn)
    proofs, later = [], []
    for seq, table, row_id in entries:
        if seq > tree_size:
            later.append({"table": table, "row_id": row_id, "seq": seq})
            continue
        row = ledger.one(f"SELECT * FROM [{table}] WHERE id = ?", [row_id])
        assert row is not None
        proofs.append(
            Proof(
                table,
                row_id,
                seq - 1,
                tree_size,
                row["hash"],
                [h.hex() for h in merkle.inclusion_path(seq - 1, tree_size, node)],
                canonical_row(table, row, row.get("format") or 1).decode(),
            ).as_dict()
        )
    return {"claim": ref, "checkpoint": note, "proofs": proofs, "not_yet_covered": later}


def page_proof(ledger: Ledger, ref: str) -> dict[str, Any] | None:
    """What a claim page carries for readers to check in the browser: the latest checkpoint,
    the key that signed it and the claim's inclusion proofs; None before any checkpoint."""
    try:
        row = latest_checkpoint(ledger)
    except sqlite3.OperationalError:  # a ledger from before checkpoints existed
        return None
    if row is None:
        return None
    try:
        proof = prove(ledger, ref, str(row["note"]))
    except (IntegrityError, NotFound) as e:
        return {"checkpoint": row["note"], "verifier": row["verifier"], "error": str(e)}
    return {**proof, "verifier": row["verifier"]}


def verify_proof(proof: dict[str, Any], note: str, verifier: Verifier) -> Checkpoint:
    """Check a ``prove`` result offline: every entry's hash, its inclusion, the signature."""
    cp = read_signed(note, verifier)
    entries = proof.get("proofs")
    if not entries or not isinstance(entries, list):
        raise IntegrityError("the proof holds no entries")
    for p in entries:
        try:
            _check_entry(p, cp)
        except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
            where = f"{p.get('table')} {p.get('row_id')}" if isinstance(p, dict) else "an entry"
            raise IntegrityError(f"{where}: the proof is malformed") from None
    return cp


def _check_entry(p: dict[str, Any], cp: Checkpoint) -> None:
    import hashlib

    where = f"{p.get('table')} {p.get('row_id')}"
    entry = str(p["entry"]).encode()
    if hashlib.sha256(entry).hexdigest() != p["entry_hash"]:
        raise IntegrityError(f"{where}: the entry does not hash to its entry_hash")
    body = orjson.loads(entry)
    if body.get("_table") != p["table"] or body.get("id") != p["row_id"]:
        raise IntegrityError(f"{where}: the entry is another row")
    if int(p["tree_size"]) != cp.size:
        raise IntegrityError(f"{where}: proven in a tree of {p['tree_size']}, not {cp.size}")
    path = [bytes.fromhex(h) for h in p["inclusion_path"]]
    leaf = merkle.leaf_hash(bytes.fromhex(p["entry_hash"]))
    if not merkle.verify_inclusion(int(p["leaf_index"]), cp.size, leaf, path, cp.root):
        raise IntegrityError(f"{where}: not included in the checkpoint's tree")


def check_extends(ledger: Ledger, note: str, verifier: Verifier | None = None) -> dict[str, Any]:
    """Prove the ledger extends an earlier checkpoint, with a consistency proof.

    Both roots are recomputed from the chain's entry hashes, trusting no stored node; the
    consistency proof is built from the stored tree and must verify between them.
    """
    cp = read_signed(note, verifier) if verifier else parse_note(note)
    conn = ledger.conn
    size_now = ledger.head().count
    if cp.size > size_now:
        raise IntegrityError(
            f"the checkpoint covers {cp.size} entries but the ledger has {size_now}: "
            "it was truncated since the checkpoint was signed"
        )
    if cp.size == 0 or tree.recomputed_root(conn, cp.size)[1] != cp.root:
        raise IntegrityError(
            f"the ledger does not extend checkpoint {cp.origin} {cp.size}: its first "
            f"{cp.size} entries were changed since it was signed"
        )
    new_root = tree.recomputed_root(conn)[1]
    proof = merkle.consistency_path(cp.size, size_now, tree.node_reader(conn))
    if not merkle.verify_consistency(cp.size, size_now, cp.root, new_root, proof):
        raise IntegrityError(f"{tree.NODES}: the stored tree differs from the ledger; {tree.FIX}")
    return {
        "origin": cp.origin,
        "old_size": cp.size,
        "new_size": size_now,
        "new_root": base64.b64encode(new_root).decode(),
        "consistency_path": [h.hex() for h in proof],
    }
