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

from ledger import merkle
from ledger.checkpoint import Checkpoint, Verifier, read_signed, sign
from ledger.errors import InputError, IntegrityError, NotFound
from ledger.store import Ledger

NODES = "merkle_nodes"
DEFAULT_ORIGIN = "factledger.local/ledger"


def origin(explicit: str | None = None) -> str:
    """The log's name in its checkpoints: ``explicit``, FACTLEDGER_ORIGIN, or a local default."""
    return explicit or os.environ.get("FACTLEDGER_ORIGIN") or DEFAULT_ORIGIN


def _node_reader(
    conn: sqlite3.Connection, fresh: dict[tuple[int, int], bytes] | None = None
) -> merkle.Node:
    def node(level: int, index: int) -> bytes:
        if fresh is not None and (level, index) in fresh:
            return fresh[(level, index)]
        row = conn.execute(
            f"SELECT hash FROM {NODES} WHERE level = ? AND idx = ?", [level, index]
        ).fetchone()
        if row is None:
            raise IntegrityError(
                f"{NODES} lacks subtree ({level}, {index}): run 'factledger rebuild'"
            )
        return bytes(row[0])

    return node


def size(conn: sqlite3.Connection) -> int:
    """How many leaves the stored tree has."""
    row = conn.execute(f"SELECT max(idx) FROM {NODES} WHERE level = 0").fetchone()
    return 0 if row is None or row[0] is None else int(row[0]) + 1


def sync(ledger: Ledger) -> int:
    """Add the entries appended since the tree was last caught up; returns the tree size.

    Runs inside the caller's write transaction (or opens one).
    """
    with ledger.transaction():
        ledger.flush()
        conn = ledger.conn
        n = size(conn)
        fresh: dict[tuple[int, int], bytes] = {}
        node = _node_reader(conn, fresh)
        rows: list[tuple[int, int, bytes]] = []
        cur = conn.execute("SELECT seq, hash FROM ledger_entries WHERE seq > ? ORDER BY seq", [n])
        for seq, entry_hash in cur:
            if seq != n + 1:
                raise IntegrityError(f"ledger_entries: seq {n + 1} is missing")
            for level, index, value in merkle.new_nodes(
                n, merkle.leaf_hash(bytes.fromhex(entry_hash)), node
            ):
                fresh[(level, index)] = value
                rows.append((level, index, value))
            n += 1
            if len(fresh) > 4096:
                # Only the right edge is read again; keep it, write the rest.
                conn.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)", rows)
                rows.clear()
                fresh = {k: v for k, v in fresh.items() if k[1] >= (n >> k[0]) - 1}
                node = _node_reader(conn, fresh)
        conn.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)", rows)
    return n


def recomputed_root(conn: sqlite3.Connection, tree_size: int | None = None) -> tuple[int, bytes]:
    """(size, root) recomputed from the chain's entry hashes, trusting no stored node."""
    limit = -1 if tree_size is None else tree_size
    cur = conn.execute("SELECT hash FROM ledger_entries ORDER BY seq LIMIT ?", [limit])
    return merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for (h,) in cur)


def check_nodes(conn: sqlite3.Connection) -> None:
    """Raise IntegrityError if the stored tree disagrees with the chain it is derived from."""
    n = size(conn)
    if n and merkle.root(n, _node_reader(conn)) != recomputed_root(conn, n)[1]:
        raise IntegrityError(
            f"{NODES}: the stored tree differs from the ledger; run 'factledger rebuild'"
        )


def root(ledger: Ledger, tree_size: int | None = None) -> tuple[int, bytes]:
    """(size, root hash) of the tree, caught up first; ``tree_size`` for an earlier tree."""
    n = sync(ledger)
    if tree_size is None:
        tree_size = n
    if tree_size > n:
        raise IntegrityError(f"the ledger has {n} entries, fewer than the checkpoint's {tree_size}")
    return tree_size, merkle.root(tree_size, _node_reader(ledger.conn))


def read_key(path: str) -> str:
    """The private key text in ``path``."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"key file {path}: {getattr(e, 'strerror', None) or e}") from None


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
    rows = ledger.all(
        "SELECT seq, 'claims' AS t, id FROM claims WHERE id = :c "
        "UNION ALL SELECT seq, 'claim_versions', id FROM claim_versions WHERE claim_id = :c "
        "AND version = coalesce(:v, (SELECT max(version) FROM claim_versions WHERE claim_id = :c)) "
        "UNION ALL SELECT seq, 'stance_events', id FROM stance_events WHERE claim_id = :c "
        "UNION ALL SELECT seq, 'verdicts', id FROM verdicts WHERE claim_id = :c "
        "UNION ALL SELECT seq, 'status_changes', id FROM status_changes WHERE claim_id = :c "
        "ORDER BY seq",
        {"c": claim_id, "v": version},
    )
    return [(r["seq"], r["t"], r["id"]) for r in rows]


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
    node = _node_reader(ledger.conn)
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
                canonical_row(table, row).decode(),
            ).as_dict()
        )
    return {"claim": ref, "checkpoint": note, "proofs": proofs, "not_yet_covered": later}


def verify_proof(proof: dict[str, Any], note: str, verifier: Verifier) -> Checkpoint:
    """Check a ``prove`` result offline: every entry's hash, its inclusion, the signature."""
    import hashlib

    cp = read_signed(note, verifier)
    if not proof.get("proofs"):
        raise IntegrityError("the proof holds no entries")
    for p in proof["proofs"]:
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
    return cp


def check_extends(ledger: Ledger, note: str, verifier: Verifier | None = None) -> dict[str, Any]:
    """Prove the ledger extends an earlier checkpoint, with a consistency proof.

    The tree is recomputed from the chain's entry hashes, not read from ``merkle_nodes``.
    """
    cp = read_signed(note, verifier) if verifier else parse_note(note)
    tree_size, _ = root(ledger)
    if cp.size > tree_size:
        raise IntegrityError(
            f"the checkpoint covers {cp.size} entries but the ledger has {tree_size}: "
            "it was truncated since the checkpoint was signed"
        )
    check_nodes(ledger.conn)
    tree_root = recomputed_root(ledger.conn)[1]
    node = _node_reader(ledger.conn)
    proof = merkle.consistency_path(cp.size, tree_size, node) if cp.size else []
    old_root = recomputed_root(ledger.conn, cp.size)[1]
    if old_root != cp.root or (
        cp.size and not merkle.verify_consistency(cp.size, tree_size, cp.root, tree_root, proof)
    ):
        raise IntegrityError(
            f"the ledger does not extend checkpoint {cp.size}: its first {cp.size} entries "
            "were changed since it was signed"
        )
    return {
        "old_size": cp.size,
        "new_size": tree_size,
        "new_root": base64.b64encode(tree_root).decode(),
        "consistency_path": [h.hex() for h in proof],
    }
