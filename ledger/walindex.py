"""A commit its writer never published: found under the write lock and handed to SQLite's recovery.

SQLite commits in WAL mode by appending the transaction's frames to the ``-wal`` file (the last
one marked as a commit), syncing, and only then publishing them in the wal-index (``-shm``). A
writer killed between the two leaves a complete, checksummed transaction that no connection
sees. SQLite's own crash recovery, which rebuilds the wal-index from the WAL file, would take
it; but recovery only runs when the wal-index is new or damaged, and Litestream keeps the
database open, so the next writer instead overwrites those frames. Litestream reads the WAL
file itself, so it may already have replicated that transaction: the replica would then hold a
transaction the ledger went on to replace, and stop being a prefix of its chain.

Two guards, both run holding SQLite's write lock (so no other writer is half-way through a
commit). Just before ``COMMIT``, :func:`arm_recovery` spoils the second copy of the wal-index
header; the commit writes both copies anew once its frames are in the WAL, and a writer killed
before that leaves them different: whoever opens the database next (Litestream included) runs
SQLite's recovery and keeps the transaction, as after a crash of the machine. At ``BEGIN``,
:func:`unpublished` looks past the wal-index's last frame for a complete commit that a writer
without that guard left (another program, or a commit that restarted the WAL, whose restart
publishes a fresh header before its frames); :func:`hand_to_recovery` then has SQLite recover it
before anything is written. See docs/replication.md; the formats:
https://www.sqlite.org/walformat.html and https://www.sqlite.org/fileformat2.html
"""

from __future__ import annotations

import os
import sqlite3
import struct

WAL_HEADER = 32
FRAME_HEADER = 24
_HDR = struct.Struct("=IIIBBHII8s8s8s")  # one copy of the wal-index header, native byte order
_IS_INIT = 12  # offset of isInit in each of the two header copies
_COPY = 48  # size of one header copy
_shm_fds: dict[tuple[int, int], int] = {}


def _open_fd_of(path: str) -> int | None:
    """A descriptor this process already holds on ``path`` (SQLite's own, for the ``-shm``).

    We never open and close the ``-shm`` ourselves: closing any descriptor of a file drops every
    POSIX lock this process holds on it, SQLite's write and read locks included.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_dev, st.st_ino)
    fd = _shm_fds.get(key)
    if fd is not None and _same_file(fd, key):
        return fd
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return None
    for name in names:
        if name.isdigit() and _same_file(int(name), key):
            _shm_fds[key] = int(name)
            return int(name)
    return None


def _same_file(fd: int, key: tuple[int, int]) -> bool:
    try:
        st = os.fstat(fd)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == key


def _checksum(data: bytes, s1: int, s2: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def unpublished_commit(db_path: str, shm_fd: int) -> int | None:
    """The last frame of complete commits in the WAL beyond the wal-index's last frame, if any.

    Only meaningful while the caller holds the write lock: otherwise a live writer between its
    WAL write and its wal-index update looks the same.
    """
    try:
        header = os.pread(shm_fd, _COPY, 0)
    except OSError:
        return None
    if len(header) < _COPY:
        return None
    _v, _u, _change, is_init, _be, _sz, max_frame, _n, _fck, salt, _ck = _HDR.unpack(header)
    if not is_init:
        return None  # SQLite recovers a wal-index like this by itself
    try:
        wal = open(db_path + "-wal", "rb")  # SQLite takes no locks on the -wal file
    except OSError:
        return None
    with wal:
        head = wal.read(WAL_HEADER)
        # Frames published or not carry the WAL header's salts. A writer that starts an empty
        # WAL chooses new ones and publishes them with its commit, so only a non-empty
        # wal-index must agree with the header.
        if len(head) < WAL_HEADER or (max_frame and head[16:24] != salt):
            return None
        salt = head[16:24]
        magic, _version, page_size = struct.unpack(">III", head[:12])
        if magic not in (0x377F0682, 0x377F0683):
            return None
        big = magic == 0x377F0683
        frame_size = FRAME_HEADER + page_size
        if max_frame:
            wal.seek(WAL_HEADER + (max_frame - 1) * frame_size)
            s1, s2 = struct.unpack(">II", wal.read(FRAME_HEADER)[16:24])
        else:
            s1, s2 = struct.unpack(">II", head[24:32])
        wal.seek(WAL_HEADER + max_frame * frame_size)
        frame, last_commit = max_frame, None
        while True:
            data = wal.read(frame_size)
            if len(data) < frame_size or data[8:16] != salt:
                return last_commit
            s1, s2 = _checksum(data[:8], s1, s2, big)
            s1, s2 = _checksum(data[FRAME_HEADER:], s1, s2, big)
            if (s1, s2) != struct.unpack(">II", data[16:24]):
                return last_commit
            frame += 1
            if data[4:8] != b"\0\0\0\0":  # the database size after a commit: a commit frame
                last_commit = frame


def unpublished(conn: sqlite3.Connection, db_path: str) -> int | None:
    """In a fresh ``BEGIN IMMEDIATE``: the last frame of a complete commit a killed writer left
    in the WAL beyond what the wal-index published, or None."""
    if db_path in ("", ":memory:"):
        return None
    db_path = os.path.realpath(db_path)  # SQLite puts -wal and -shm beside the real file
    if not os.path.exists(db_path + "-wal"):
        return None
    shm_fd = _open_fd_of(db_path + "-shm")
    return None if shm_fd is None else unpublished_commit(db_path, shm_fd)


def arm_recovery(conn: sqlite3.Connection, db_path: str) -> None:
    """Just before ``COMMIT``, holding the write lock: spoil the second copy of the wal-index
    header, the state a writer killed while publishing a header leaves.

    The commit writes both copies anew once its frames are in the WAL. A writer killed before
    that leaves them different, so whoever touches the database next (a reader, a writer,
    Litestream's own checkpoint) first runs SQLite's recovery, which keeps the transaction if
    its commit frame reached the WAL and drops it otherwise: what a crash of the machine does.
    Readers that start during the commit wait for it (SQLite retries) instead of reading the
    state before it. The first copy is left alone: it is the one the committing connection
    compares with its own, and the one a rollback restores from.
    """
    if db_path in ("", ":memory:"):
        return
    shm_fd = _open_fd_of(os.path.realpath(db_path) + "-shm")
    if shm_fd is None:
        return
    try:
        os.pwrite(shm_fd, b"\0", _COPY + _IS_INIT)
    except OSError:
        pass  # a descriptor we cannot write: the commit goes ahead unguarded, as SQLite's own


def hand_to_recovery(conn: sqlite3.Connection, db_path: str) -> None:
    """Arm recovery (as :func:`arm_recovery`) and roll back: the next transaction finds the
    header spoilt, takes the write lock and rebuilds the index from the WAL, commits included."""
    arm_recovery(conn, db_path)
    conn.execute("ROLLBACK")
