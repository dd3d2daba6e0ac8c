"""Signed checkpoints: C2SP ``tlog-checkpoint`` bodies in C2SP signed notes, with Ed25519 keys.

A checkpoint says "this log, named ORIGIN, has SIZE entries and this Merkle root"; the note
wraps it with signature lines a reader checks against the newsroom's published verifier key.
The formats are those of Go's ``golang.org/x/mod/sumdb/note`` (as Sigstore's Rekor and the Go
checksum database use them), so standard tlog tooling reads them too:

- verifier key: ``NAME+HASH+BASE64(0x01 || public key)``, HASH the first 4 bytes of
  SHA-256(NAME || 0x0A || 0x01 || public key) in hex;
- private key: ``PRIVATE+KEY+NAME+HASH+BASE64(0x01 || private seed)``;
- note: the text, a blank line, then ``— NAME BASE64(key hash || signature)`` lines.

The signing itself is the ``cryptography`` package's Ed25519; only the text formats are ours,
because no maintained Python package writes them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ed25519

from ledger.errors import InputError, IntegrityError

ED25519 = b"\x01"
SIG_PREFIX = "\u2014 "  # an em dash and a space start every signature line


def _key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise InputError(f"key name {name!r}: use a non-empty name without spaces or '+'")


@dataclass(frozen=True)
class Verifier:
    """A parsed verifier key."""

    name: str
    key_hash: bytes
    public: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Parse ``NAME+HASH+BASE64`` (as ``keygen`` prints it)."""
        parts = text.strip().split("+", 2)
        try:
            name, hash_hex, b64 = parts
            key = base64.b64decode(b64, validate=True)
            key_hash = bytes.fromhex(hash_hex)
        except (ValueError, binascii.Error):
            raise InputError(
                "verifier key: expected NAME+HASH+BASE64 as 'factledger keygen' prints it"
            ) from None
        if len(key_hash) != 4 or len(key) != 33 or key[:1] != ED25519:
            raise InputError("verifier key: not an Ed25519 note key")
        if _key_hash(name, key[1:]) != key_hash:
            raise InputError(f"verifier key {name}: its hash does not match the key")
        return cls(name, key_hash, key[1:])

    def __str__(self) -> str:
        key = base64.b64encode(ED25519 + self.public).decode()
        return f"{self.name}+{self.key_hash.hex()}+{key}"


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair as (private key text, verifier key text)."""
    _check_name(name)
    private = ed25519.Ed25519PrivateKey.generate()
    seed = private.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
    public = private.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    key_hash = _key_hash(name, public)
    secret = f"PRIVATE+KEY+{name}+{key_hash.hex()}+{base64.b64encode(ED25519 + seed).decode()}"
    return secret, str(Verifier(name, key_hash, public))


def _private(secret: str) -> tuple[str, ed25519.Ed25519PrivateKey, bytes]:
    """(name, private key, public key bytes) of a private key text."""
    parts = secret.strip().split("+", 4)
    try:
        assert parts[:2] == ["PRIVATE", "KEY"] and len(parts) == 5
        key = base64.b64decode(parts[4], validate=True)
        assert len(key) == 33 and key[:1] == ED25519
    except (AssertionError, ValueError, binascii.Error):
        raise InputError("private key: expected PRIVATE+KEY+NAME+HASH+BASE64") from None
    name = parts[2]
    private = ed25519.Ed25519PrivateKey.from_private_bytes(key[1:])
    public = private.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    if _key_hash(name, public).hex() != parts[3]:
        raise InputError(f"private key {name}: its hash does not match the key")
    return name, private, public


def verifier_of(secret: str) -> str:
    """The verifier key text of a private key text."""
    name, _, public = _private(secret)
    return str(Verifier(name, _key_hash(name, public), public))


def sign(text: str, secret: str) -> str:
    """Wrap ``text`` (ending in a newline) in a signed note with the private key ``secret``."""
    name, private, public = _private(secret)
    if not text.endswith("\n"):
        raise InputError("a note's text must end with a newline")
    signature = private.sign(text.encode())
    line = base64.b64encode(_key_hash(name, public) + signature).decode()
    return f"{text}\n{SIG_PREFIX}{name} {line}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of ``note`` if a signature by ``verifier`` on it is valid; else IntegrityError."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep:
        raise IntegrityError("not a signed note: no blank line before the signatures")
    text += "\n"
    public = ed25519.Ed25519PublicKey.from_public_bytes(verifier.public)
    for line in signatures.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise IntegrityError(f"not a signed note: bad signature line {line[:40]!r}")
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise IntegrityError(f"signature by {name}: not base64") from None
        if name != verifier.name or raw[:4] != verifier.key_hash:
            continue
        try:
            public.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise IntegrityError(
                f"signature by {name} does not verify: the note was changed"
            ) from None
        return text
    raise IntegrityError(f"the note has no signature by {verifier.name}")


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint: the log's origin, its size and its Merkle root."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The C2SP tlog-checkpoint text (the signed note's text)."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (extension lines after the root are allowed and ignored)."""
        lines = text.split("\n")
        try:
            origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
        except (IndexError, ValueError, binascii.Error):
            raise InputError("not a checkpoint: expected origin, size and root lines") from None
        if not origin or size < 0 or len(root) != 32 or lines[1] != str(size):
            raise InputError("not a checkpoint: expected origin, size and a 32-byte root")
        return cls(origin, size, root)


def read_signed(note: str, verifier: Verifier) -> Checkpoint:
    """Verify a signed checkpoint note and parse it."""
    return Checkpoint.parse(open_note(note, verifier))
