"""Signed checkpoints: C2SP signed notes with Ed25519 keys, in Go's sumdb/note formats."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from ledger import checkpoint
from ledger.errors import InputError, IntegrityError

ORIGIN = "factcheck.example.org/ledger"


def test_keygen_writes_go_note_keys():
    secret, verifier = checkpoint.generate_key("factcheck.example.org")
    name, key_hash, b64 = verifier.split("+", 2)
    key = base64.b64decode(b64)
    assert name == "factcheck.example.org" and key[:1] == b"\x01" and len(key) == 33
    # sumdb/note: the key hash is SHA-256(name || "\n" || 0x01 || public key)[:4], in hex.
    assert key_hash == hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex()
    assert secret.startswith(f"PRIVATE+KEY+{name}+{key_hash}+")


def test_a_signed_checkpoint_parses_as_a_note_and_verifies():
    secret, verifier_text = checkpoint.generate_key("newsroom")
    verifier = checkpoint.Verifier.parse(verifier_text)
    cp = checkpoint.Checkpoint(ORIGIN, 42, hashlib.sha256(b"root").digest())
    note = checkpoint.sign(cp.body(), secret)

    text, signatures = note.split("\n\n")
    assert text.splitlines() == [ORIGIN, "42", base64.b64encode(cp.root).decode()]
    (line,) = signatures.splitlines()
    assert line.startswith("\u2014 newsroom ")
    raw = base64.b64decode(line.split(" ")[2])
    assert raw[:4] == verifier.key_hash
    # The signature is plain Ed25519 over the note's text, newline included.
    ed25519.Ed25519PublicKey.from_public_bytes(verifier.public).verify(raw[4:], cp.body().encode())
    assert checkpoint.read_signed(note, verifier) == cp


@pytest.mark.parametrize("position", range(0, 120, 7))
def test_a_changed_byte_fails(position):
    secret, verifier_text = checkpoint.generate_key("newsroom")
    verifier = checkpoint.Verifier.parse(verifier_text)
    note = checkpoint.sign(checkpoint.Checkpoint(ORIGIN, 7, bytes(32)).body(), secret)
    data = bytearray(note.encode())
    position %= len(data)
    data[position] ^= 0x01
    with pytest.raises((IntegrityError, InputError, UnicodeDecodeError)):
        checkpoint.read_signed(data.decode(), verifier)


def test_another_key_does_not_verify():
    secret, _ = checkpoint.generate_key("newsroom")
    _, other = checkpoint.generate_key("newsroom")
    note = checkpoint.sign(checkpoint.Checkpoint(ORIGIN, 1, bytes(32)).body(), secret)
    with pytest.raises(IntegrityError, match="no signature by newsroom"):
        checkpoint.read_signed(note, checkpoint.Verifier.parse(other))


@pytest.mark.parametrize("bad", ["", "a+b", "x+zz+AAAA", "name+00000000+" + "A" * 44])
def test_bad_verifier_keys_are_refused_in_one_line(bad):
    with pytest.raises(InputError):
        checkpoint.Verifier.parse(bad)
