"""Writing a user's files whole or not at all.

Every file we write for a user (an export, a rendered report, a review file, a published
bundle) goes to a temporary name in the same folder and is renamed into place only when it is
complete, so a full disk or an interrupted run never leaves a 0-byte or half-written file where
the user expects one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ledger.errors import InputError


class AlreadyExists(InputError):
    """The file is there already and overwriting it was not asked for."""


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _mode_for(path: Path) -> int:
    """The permissions the file would have had if opened plainly (or keeps, if it exists)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place.

    With ``overwrite=False`` an existing file is kept and AlreadyExists is raised. Any other
    failure (a full disk, a missing folder) raises InputError naming ``path`` and leaves no
    temporary file behind.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise AlreadyExists(f"{path} already exists: choose another name or allow overwriting")
    if target.exists() and not target.is_file():
        _write_in_place(target, data, str(path))
        return
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError(f"{path}: cannot write ({_reason(e)})") from e
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _mode_for(target))
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target, str(path))
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"{path}: cannot write ({_reason(e)}); nothing written") from e
        raise


def _write_in_place(target: Path, data: bytes, shown: str) -> None:
    """A device or pipe (``/dev/stdout``) is written as it is: it cannot be renamed over."""
    if target.is_dir():
        raise InputError(f"{shown} is a folder: give a file name")
    try:
        fd = os.open(target, os.O_WRONLY)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as e:
        raise InputError(f"{shown}: cannot write ({_reason(e)})") from e


def _link_new(tmp: str, target: Path, shown: str) -> None:
    """Put ``tmp`` at ``target`` only if nothing is there, without a window for a race."""
    try:
        os.link(tmp, target)
    except FileExistsError as e:
        raise AlreadyExists(
            f"{shown} already exists: choose another name or allow overwriting"
        ) from e
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        # A file system without hard links: the existence check above has to do.
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def write_text(path: str | Path, text: str, *, overwrite: bool = True) -> None:
    """Write ``text`` as UTF-8 to ``path``, whole or not at all (see write_bytes)."""
    write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


@contextlib.contextmanager
def new_directory(path: str | Path) -> Iterator[Path]:
    """Build a folder under a temporary name; it appears at ``path`` only if the block succeeds.

    ``path`` must not exist or be an empty folder. On failure the temporary folder is removed
    and ``path`` is left as it was.
    """
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{path} is not empty: choose a new folder")
    folder = target.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder))
    except OSError as e:
        raise InputError(f"{path}: cannot create ({_reason(e)})") from e
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, target)  # replaces an empty folder at once, or fails
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise InputError(f"{path}: cannot create ({_reason(e)}); nothing written") from e
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
