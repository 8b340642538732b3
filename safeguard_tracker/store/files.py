"""Durable file primitives: atomic replace and fsynced appends, created 0600.

A crash (kill -9, power cut) at any instant leaves either the old file or the
new one, never a mixture: write a temp file in the same folder, fsync it,
``os.replace`` it over the target, then fsync the folder so the rename itself
is durable.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from ..errors import StoreWriteError

FILE_MODE = 0o600


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk holding {path} is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path} (or its folder) cannot be written: permission denied or read-only"
    return f"{path} could not be written: {exc.strerror or exc}"


def atomic_write(path: Path, chunks: list[bytes] | bytes) -> None:
    """Replace ``path`` with ``chunks`` atomically and durably, mode 0600."""
    path = Path(path)
    folder = path.parent
    if isinstance(chunks, bytes):
        chunks = [chunks]
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            os.fchmod(fd, FILE_MODE)
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
        tmp_name = None
        fsync_dir(folder)
    except OSError as exc:
        raise StoreWriteError(describe_os_error(exc, path) + "; the previous version is intact") from exc
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` and fsync.  On failure the file is cut back to its old length."""
    path = Path(path)
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise StoreWriteError(describe_os_error(exc, path) + "; nothing was saved") from exc
    try:
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                pass  # a torn last line fails its checksum and is ignored on reading
            raise StoreWriteError(describe_os_error(exc, path) + "; nothing was saved") from exc
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def rewrite_in_place(path: Path, offset: int, data: bytes, *, durable: bool = False) -> None:
    """Overwrite ``len(data)`` bytes at ``offset`` of an existing file: never appends, never creates.

    For fixed-width header fields (the journal's acknowledged mark, a
    snapshot's ``prev``).  ``durable`` fsyncs the file before returning.
    Raises OSError.
    """
    fd = os.open(path, os.O_WRONLY)
    try:
        if os.pwrite(fd, data, offset) != len(data):
            raise OSError(errno.EIO, "short write", str(path))
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
