"""Who is acting: ``--reviewer``, else FACTLEDGER_REVIEWER, else git's user.name, else OS user."""

from __future__ import annotations

import getpass
import os
import subprocess


def reviewer_identity(explicit: str | None = None) -> str:
    """The reviewer name recorded on every human-made row."""
    if explicit and explicit.strip():
        return explicit.strip()
    env = os.environ.get("FACTLEDGER_REVIEWER", "").strip()
    if env:
        return env
    try:
        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except Exception:  # getpass raises various errors when no user database entry exists
        return "unknown"
