"""Who is acting: ``--reviewer``, else FACTLEDGER_REVIEWER, else git's user.name, else OS user."""

from __future__ import annotations

import getpass
import os
import subprocess

from ledger.errors import InputError


def _utf8(text: str, what: str) -> str:
    # Undecodable bytes from the OS (argv, environment) arrive as lone surrogates.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what} is not valid UTF-8 text: check its encoding") from None
    return text


def reviewer_identity(explicit: str | None = None) -> str:
    """The reviewer name recorded on every human-made row."""
    if explicit and explicit.strip():
        return _utf8(explicit.strip(), "the reviewer name")
    env = os.environ.get("FACTLEDGER_REVIEWER", "").strip()
    if env:
        return _utf8(env, "FACTLEDGER_REVIEWER")
    try:
        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2
        )
        if out.returncode == 0 and out.stdout.strip():
            return _utf8(out.stdout.strip(), "git's user.name")
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        pass
    try:
        return getpass.getuser()
    except Exception:  # getpass raises various errors when no user database entry exists
        return "unknown"
