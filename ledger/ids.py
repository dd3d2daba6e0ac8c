"""Claim IDs and other short identifiers.

Claim IDs read aloud and type well: ``FL-`` and six characters from an alphabet without 0/O,
1/l/I (Crockford's idea, minus the letters that still confuse in sans-serif type). ``ID@N`` names
version N. Other rows get longer random IDs with a readable prefix.
"""

from __future__ import annotations

import os
import re
import secrets
import threading

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLAIM_PREFIX = "FL-"
CLAIM_LEN = 6
CLAIM_RE = re.compile(rf"^{CLAIM_PREFIX}[{ALPHABET}]{{{CLAIM_LEN}}}$")
CLAIM_REF_RE = re.compile(rf"{CLAIM_PREFIX}[{ALPHABET}]{{{CLAIM_LEN}}}(?:@[1-9][0-9]*)?")


# Each byte to a character (b % 31): the slight bias (256 % 31) does not matter for identifiers
# whose uniqueness the store checks anyway.
_TO_ALPHABET = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_CHARS = ""  # random characters, mapped from random bytes 4 KiB at a time
_TAKEN = 0  # how many of them are handed out
_LOCK = threading.Lock()


def _clear_pool() -> None:
    global _LOCK, _CHARS, _TAKEN
    _LOCK = threading.Lock()  # another thread may have held it at the fork
    _CHARS, _TAKEN = "", 0


# A forked child must not hand out the characters its parent will.
os.register_at_fork(after_in_child=_clear_pool)


def random_token(n: int) -> str:
    """``n`` random characters from the unambiguous alphabet."""
    global _CHARS, _TAKEN
    # One os.urandom call and one bytes.translate for hundreds of IDs (a bulk append makes two
    # IDs a claim); an ID is then a slice of the characters not yet handed out.
    with _LOCK:  # two threads must never take the same characters
        chars, start = _CHARS, _TAKEN
        if len(chars) - start < n:
            chars = _CHARS = secrets.token_bytes(max(4096, n)).translate(_TO_ALPHABET).decode()
            start = 0
        _TAKEN = start + n
    return chars[start : start + n]


def new_claim_id() -> str:
    """A fresh random claim ID such as ``FL-7K2QH9`` (uniqueness is checked by the store)."""
    return CLAIM_PREFIX + random_token(CLAIM_LEN)


def new_row_id(prefix: str) -> str:
    """A random ID for a non-claim row, e.g. ``st-`` + 12 characters."""
    return f"{prefix}-{random_token(12)}"


def parse_claim_ref(ref: str) -> tuple[str, int | None]:
    """Split ``FL-XXXXXX@N`` into the claim ID and the version (None for the current one).

    Lower case is accepted and folded, because people type IDs they read in reports.
    Raises ValueError for anything that is not a claim reference.
    """
    ref = ref.strip().upper()
    claim_id, _, version = ref.partition("@")
    if not CLAIM_RE.match(claim_id):
        raise ValueError(
            f"{ref!r} is not a claim ID: expected {CLAIM_PREFIX} and {CLAIM_LEN} characters "
            f"from {ALPHABET}, optionally @VERSION"
        )
    if not version:
        return claim_id, None
    if not version.isdigit() or int(version) < 1:
        raise ValueError(f"{ref!r}: the version after @ must be a whole number from 1")
    return claim_id, int(version)


def near_misses(ref: str) -> list[str]:
    """Well-formed claim IDs one slip away from ``ref``: a missing or mistyped ``FL-``, one
    character changed (0/O, 1/I/l and other misreadings included), dropped, added or swapped."""
    typed = ref.strip().upper().partition("@")[0]
    body = typed
    for prefix in (CLAIM_PREFIX, "FL_", "FL ", "FL"):
        if typed.startswith(prefix):
            body = typed[len(prefix) :]
            break
    bodies = {body}
    for i in range(len(body) + 1):
        bodies.update(body[:i] + c + body[i:] for c in ALPHABET)  # one character dropped
        if i < len(body):
            bodies.add(body[:i] + body[i + 1 :])  # one character too many
            bodies.update(body[:i] + c + body[i + 1 :] for c in ALPHABET)  # one misread
        if i + 1 < len(body):
            bodies.add(body[:i] + body[i + 1] + body[i] + body[i + 2 :])  # two swapped
    found = {CLAIM_PREFIX + b for b in bodies}
    found.discard(typed)
    return sorted(c for c in found if CLAIM_RE.match(c))
