"""The store's cross-process lock: a sibling ``.lock`` file, never the data file.

Why not filelock's ``FileLock`` as it stands?  Three failure modes matter for a
store of personal data, and each needs a check that filelock does not expose
in every supported version:

* **A stale lock left by a dead process.**  The lock is ``flock(2)`` on an open
  descriptor, so the kernel drops it the instant its holder dies (kill -9,
  power cut, closed laptop lid).  A lock file left on disk is just a file:
  the next writer takes it at once.
* **A deleted lock file.**  Someone runs ``rm store.json.lock`` while a writer
  holds it.  A second writer would create a *new* file, lock that, and both
  would write at once.  So after locking we check that the file at the path is
  still the inode we locked (if not, we lock the new one instead), and before
  any write the holder checks again (``verify``) and refuses if its lock file
  has gone.
* **A live lock.**  The second writer waits, says who holds the lock (the
  holder writes its user, process id, host and start time into the file), and
  gives up with a clear StoreLocked after the timeout.

A folder where the lock file cannot be created (read-only media, someone
else's folder) is reported as ``LockUnavailable``: the store can then be read,
but never written.

On Windows an open file cannot be deleted, and filelock's native lock is used.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from ..errors import StoreLocked, StoreWriteError
from .files import FILE_MODE, describe_os_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

GRACE_SECONDS = 0.5        # contention shorter than this is not worth a message
POLL_SECONDS = 0.01
_CONTENDED = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK}
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


class LockUnavailable(StoreWriteError):
    """The lock file cannot be created or opened for writing: the store is read-only to us."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


class LockFile:
    """An exclusive lock on ``path``.  Not re-entrant: the Store counts nesting itself."""

    def __init__(self, path: str | os.PathLike[str], user: str):
        self.path = Path(path)
        self.user = user
        self._fd: Optional[int] = None
        self._times: Optional[tuple[int, int]] = None  # the empty lock file's times before we wrote into it
        self.read_only_reason: Optional[str] = None   # set when the lock could only be opened for reading
        if fcntl is None:  # pragma: no cover - Windows
            import filelock
            self._fallback: Optional[filelock.BaseFileLock] = filelock.FileLock(str(self.path), mode=FILE_MODE,
                                                                                 thread_local=False)
        else:
            self._fallback = None

    # --- acquiring ------------------------------------------------------------------
    def acquire(self, timeout: float, on_wait: Optional[Callable[[str], None]] = None, what: str = "the store") -> None:
        if self._fallback is not None:  # pragma: no cover - Windows
            self._acquire_fallback(timeout, on_wait, what)
            return
        start = time.monotonic()
        told = False
        while True:
            fd = self._open()
            if self._try_lock(fd):
                if self._is_at_path(fd):
                    self._fd = fd
                    if self.read_only_reason is None:
                        self._write_holder(fd)
                    return
                os.close(fd)  # deleted or replaced while we waited: lock the file that is there now
                continue
            os.close(fd)
            waited = time.monotonic() - start
            if waited >= timeout:
                raise StoreLocked(
                    f"{what} is locked by {self.holder()} (waited {timeout:.0f} s); try again when they have "
                    f"finished. Nothing was saved. (lock file: {self.path})"
                )
            if not told and waited >= min(GRACE_SECONDS, timeout) and on_wait is not None:
                on_wait(f"{what} is being written by {self.holder()}; waiting up to {timeout:.0f} s")
                told = True
            time.sleep(POLL_SECONDS)

    def _open(self) -> int:
        extra = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
        self.read_only_reason = None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | extra, FILE_MODE)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StoreWriteError(f"{self.path} is a symbolic link; the lock file must be a plain file "
                                      f"(remove the link)") from exc
            if exc.errno not in _READ_ONLY:
                raise StoreWriteError(describe_os_error(exc, self.path)) from exc
            reason = f"{describe_os_error(exc, self.path)}, so the store can be read but not changed"
            try:
                # flock needs no write access: readers still queue behind a writer elsewhere.
                fd = os.open(self.path, os.O_RDONLY | extra)
            except OSError:
                raise LockUnavailable(reason) from exc
            self.read_only_reason = reason
            return fd
        try:
            if os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, FILE_MODE)  # a lock file left by an older version or a careless copy
        except OSError:
            pass
        return fd

    @staticmethod
    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in _CONTENDED:
                return False
            os.close(fd)
            raise StoreWriteError(f"the store's lock file cannot be locked on this file system "
                                  f"({exc.strerror}); keep the store on a local disk") from exc
        return True

    @staticmethod
    def _identity(fd: int) -> tuple[int, int]:
        st = os.fstat(fd)
        return (st.st_dev, st.st_ino)

    def _is_at_path(self, fd: int) -> bool:
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == self._identity(fd)

    def _write_holder(self, fd: int) -> None:
        """Say who holds the lock, for a waiter's message; ``release`` empties the file again.

        An empty lock file gets its times back on release too, so a session
        that only read (or was refused) leaves every file as it found it.
        """
        try:
            st = os.fstat(fd)
            self._times = (st.st_atime_ns, st.st_mtime_ns) if st.st_size == 0 else None
        except OSError:
            self._times = None
        info = json.dumps({"user": self.user, "pid": os.getpid(), "host": socket.gethostname(),
                           "since": datetime.now().astimezone().isoformat(timespec="seconds")}).encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, info + b"\n", 0)
        except OSError:
            pass  # only a courtesy for the wait message (a full disk must not stop the lock)

    # --- while held -----------------------------------------------------------------------
    def verify(self) -> None:
        """Refuse to write unless we still hold the lock file that is at the path."""
        if self._fallback is not None:  # pragma: no cover - Windows
            return
        if self.read_only_reason is not None:
            raise StoreWriteError(f"{self.read_only_reason}; nothing was saved")
        if self._fd is None:
            raise StoreWriteError("the store is not locked for writing; nothing was saved")
        if not self._is_at_path(self._fd):
            raise StoreLocked(
                f"the lock file {self.path} was deleted or replaced while this change was being made, so another "
                f"process may be writing too; nothing was saved. Try again (never delete the lock file by hand: "
                f"a lock held by a process that has ended is released by itself)"
            )

    def holder(self) -> str:
        """Who holds the lock, as the holder wrote it: 'a.lado (process 1234 on host, since 10:02)'."""
        try:
            info = json.loads(self.path.read_bytes().decode("utf-8", "replace").strip() or "{}")
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict) or not info.get("pid"):
            return "another user or process"
        since = str(info.get("since", ""))[11:16]
        host = info.get("host") or "?"
        pid = info.get("pid")
        ended = ""
        if host == socket.gethostname() and isinstance(pid, int) and not _pid_alive(pid):
            ended = ", which has ended (a process it started may still hold the lock)"
        return (f"{info.get('user') or 'another user'} (process {pid} on {host}"
                f"{', since ' + since if since else ''}{ended})")

    # --- releasing -----------------------------------------------------------------------------
    def release(self) -> None:
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()
            return
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if self.read_only_reason is None and self._is_at_path(fd):
                os.ftruncate(fd, 0)  # no stale holder details once released
                if self._times is not None:
                    os.utime(fd, ns=self._times)
        except OSError:
            pass
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _acquire_fallback(self, timeout: float,  # pragma: no cover - Windows
                          on_wait: Optional[Callable[[str], None]], what: str) -> None:
        import filelock
        fallback = self._fallback
        assert fallback is not None   # (acquire calls this only when there is one)
        try:
            fallback.acquire(timeout=min(GRACE_SECONDS, timeout))
            return
        except filelock.Timeout:
            pass
        except OSError as exc:
            raise StoreWriteError(describe_os_error(exc, self.path)) from exc
        if on_wait:
            on_wait(f"{what} is being written by another user or process; waiting up to {timeout:.0f} s")
        try:
            fallback.acquire(timeout=max(0.0, timeout - GRACE_SECONDS))
        except filelock.Timeout:
            raise StoreLocked(f"{what} is locked by another process (waited {timeout:.0f} s); try again when it "
                              f"has finished. Nothing was saved. (lock file: {self.path})") from None
