"""Data from ../shared/ (beside the checkout in CI, absent in a user's clone): found, or a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_data(relative: str, override: str | Path | None = None) -> Path:
    """The path of ``../shared/RELATIVE`` (or ``override``), skipping the test when it is absent.

    A clone with nothing beside it still passes ``make test``; CI, which has ../shared/, runs
    the test."""
    path = Path(override) if override else SHARED / relative
    if not path.exists():
        where = f"{path}" if override else f"../shared/{relative}"
        pytest.skip(f"needs {where}: absent here (CI clones with ../shared/ beside the repo)")
    return path
