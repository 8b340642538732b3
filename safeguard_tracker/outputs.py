"""The one writer of every export and report the CLI and the TUI produce.

Where the output goes decides how it is written:

* a regular file (new, or existing, or reached through a symlink, whose final
  target is then the file) is replaced atomically, 0600;
* a FIFO, a terminal or another character device (``/dev/null``) is written
  through, never replaced (a reader of the FIFO gets the text; the device
  stays a device);
* ``-``, ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` (or a link to one)
  are the process's own open files, written as they are (a shell's ``>>``
  still appends);
* a folder, a block device, a socket, a link to nothing and anything the
  store owns are refused in one line before anything is written.

The store owns its file, every ``<store name>.*`` and ``.<store name>.*``
beside it (journal, lock, backups folder, temp files its next open sweeps
away, sidecars) and everything inside the backups folder; such a name is
refused whether reached directly, through ``..``, a symlink or a hard link.

Outputs holding personal data are logged; one that cannot be logged is not made.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Optional, TextIO

import attrs

from .errors import StoreError, StoreWriteError, ValidationError
from .store.files import atomic_write, describe_os_error
from .store.past import PastStore
from .store.protocol import Store, StoreFiles

STANDARD_OUTPUT = "(standard output)"
_MAX_LINK_HOPS = 40
_FD_ALIAS = re.compile(r"^/(?:dev/(?:(stdin)|(stdout)|(stderr)|fd/(\d+))|proc/(self|thread-self|\d+)/fd/(\d+))$")


@attrs.frozen
class Destination:
    """Where an output goes: ``file`` (atomic replace of ``path``), ``stream`` (written through to
    ``path``: FIFO or character device) or ``fd`` (the already open descriptor ``fd``)."""

    kind: str
    path: Path
    fd: Optional[int] = None

    @property
    def shown(self) -> str:
        """The name the access log and messages give it."""
        if self.kind == "fd":
            names: dict[Optional[int], str] = {1: STANDARD_OUTPUT, 2: "(standard error)"}
            return names.get(self.fd, f"(file descriptor {self.fd})")
        return str(self.path)


def _entry(path: Path) -> Path:
    """The directory entry ``path`` names: its folder resolved, its own name kept."""
    return Path(os.path.realpath(path.parent)) / path.name


def _refuse(path: Any, accepted: str) -> ValidationError:
    return ValidationError("output", str(path), accepted)


# --- what the store owns -----------------------------------------------------------------------------------------

def _store_places(files: StoreFiles) -> list[tuple[Path, str]]:
    """(folder, name) pairs of the store file: as opened, and its final target if that is a link."""
    places = [(_entry(files.data).parent, files.data.name)]
    real = Path(os.path.realpath(files.data))
    if (real.parent, real.name) not in places:
        places.append((real.parent, real.name))
    return places


def _owned_by_store(files: StoreFiles, candidate: Path) -> Optional[str]:
    """Why ``candidate`` (a resolved entry) belongs to the store, or None.

    Names are compared ignoring case, so another spelling on a case-insensitive disk is caught too.
    """
    backups = _entry(files.backups)
    real_backups = Path(os.path.realpath(files.backups))
    for folder in {backups, real_backups}:
        if candidate == folder or folder in candidate.parents:
            return f"a file outside the backups folder {files.backups}"
    name = candidate.name.casefold()
    for folder, store_name in _store_places(files):
        own = store_name.casefold()
        if candidate.parent != folder:
            continue
        if name in (own, own + ".journal", own + ".lock"):
            return "a file other than the store itself, its journal or its lock"
        if name.startswith(own + ".") or name.startswith("." + own + "."):
            return (f"a name the store does not own ({store_name}.* and .{store_name}.* beside it are its "
                    f"journal, lock, backups, temp and sidecar files)")
    return None


def _same_inode(files: StoreFiles, st: os.stat_result) -> bool:
    """A hard link, or another spelling, of the store, its journal or its lock."""
    for p in (files.data, files.journal, files.lock):
        try:
            other = os.stat(p)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _guard(store: Store, given: Any, *candidates: Path, st: Optional[os.stat_result] = None) -> None:
    files = store.files
    if files is None:                   # a store that keeps no files here: nothing to protect on disk
        return
    for candidate in candidates:
        why = _owned_by_store(files, candidate)
        if why:
            raise _refuse(given, why)
    if st is not None and _same_inode(files, st):
        raise _refuse(given, "a file other than the store itself, its journal or its lock")


# --- where a path leads ------------------------------------------------------------------------------------------

def _fd_alias(path: Path) -> Optional[int]:
    """The descriptor ``path`` names if it is (or links to) /dev/stdout, /dev/fd/N, /proc/self/fd/N..."""
    current = str(path)
    for _ in range(_MAX_LINK_HOPS):
        m = _FD_ALIAS.match(os.path.normpath(current))
        if m:
            stdin, stdout, stderr, dev_fd, proc, proc_fd = m.groups()
            if proc is not None and proc not in ("self", "thread-self") and int(proc) != os.getpid():
                return None
            return 0 if stdin else 1 if stdout else 2 if stderr else int(dev_fd or proc_fd)
        if not os.path.islink(current):
            return None
        current = os.path.join(os.path.dirname(current), os.readlink(current))
    return None


def _fd_destination(store: Store, given: Any, fd: int) -> Destination:
    try:
        st = os.fstat(fd)
    except OSError:
        raise _refuse(given, f"an open file descriptor (descriptor {fd} is not open)") from None
    if fd == 0 or not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)
                       or stat.S_ISSOCK(st.st_mode)):
        raise _refuse(given, f"a descriptor open for writing to a file, pipe or terminal (descriptor {fd} is not)")
    _guard(store, given, st=st)
    return Destination("fd", Path(given), fd)


def _stdout_destination(store: Store) -> Destination:
    """Standard output, unless the shell pointed it at the store (``>> store.json``)."""
    try:
        st = os.fstat(1)
    except OSError:
        st = None                      # no descriptor 1 (a GUI host): Python's own sys.stdout is used
    _guard(store, "-", st=st)
    return Destination("fd", Path("-"), 1)


def resolve_output(store: Store, path: str | Path) -> Destination:
    """Where writing to ``path`` goes, or one ``ValidationError`` saying why it may not.

    Nothing is created or changed here.
    """
    text = str(path)
    if text == "-":
        return _stdout_destination(store)
    if not text.strip() or "\x00" in text:
        raise _refuse(text, "a file name, or - for standard output")
    target = Path(text).expanduser().absolute()
    entry = _entry(target)
    fd = _fd_alias(target)
    fd = _fd_alias(entry) if fd is None else fd
    if fd is not None:
        return _fd_destination(store, path, fd)
    is_link = os.path.islink(target)
    real = Path(os.path.realpath(target)) if is_link else entry
    _guard(store, path, entry, real)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return _new_file(path, target, entry, is_link)
    except OSError as exc:
        raise _refuse(path, f"a path that can be reached ({exc.strerror or exc})") from None
    _guard(store, path, st=st)
    return _existing(path, real, st.st_mode)


def _new_file(given: Any, target: Path, entry: Path, is_link: bool) -> Destination:
    if is_link:
        raise _refuse(given, f"a symlink to an existing file, or a new file name (it points to "
                             f"{os.readlink(target)}, which does not exist)")
    if not entry.parent.is_dir():
        raise _refuse(given, f"a path in an existing folder ({target.parent} does not exist)")
    return Destination("file", entry)


def _existing(given: Any, real: Path, mode: int) -> Destination:
    if stat.S_ISREG(mode):
        return Destination("file", real)
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return Destination("stream", real)
    if stat.S_ISDIR(mode):
        raise _refuse(given, "a file name, not a folder")
    if stat.S_ISBLK(mode):
        raise _refuse(given, "a regular file, FIFO or terminal, not a block device (writing would overwrite a disk)")
    raise _refuse(given, "a regular file, FIFO or terminal, not a socket")


def guard_output_path(store: Store, path: str | Path) -> Path:
    """Refuse an output path that is, or leads to, the store or anything it owns; return where it writes."""
    return resolve_output(store, path).path


# --- writing -----------------------------------------------------------------------------------------------------

def write_output(store: Store, path: str | Path, content: str | bytes, *, what: str,
                 personal: bool, records: int = 0, detail: str = "") -> Path:
    """Write a report or export to ``path`` (see the module's docstring); return where it went.

    Personal data is logged.  A read-only store refuses it up front.  A file is logged after it
    is written, and removed again if the log cannot be written (a full disk); a stream or an open
    descriptor cannot be taken back, so it is logged first and not written if that fails.
    """
    dest = resolve_output(store, path)
    logged_in = store.live if isinstance(store, PastStore) else store   # a past view logs to the live store
    if personal and logged_in.read_only:
        way = ("a role that reads and writes the records can make it" if getattr(logged_in, "role", None)
               else "copy the store somewhere writable first")
        raise StoreWriteError(f"{logged_in.read_only}; exports holding personal data are logged, so none can "
                              f"be made from here ({way})")
    data = content.encode("utf-8") if isinstance(content, str) else content
    if dest.kind == "file":
        atomic_write(dest.path, data)
        if personal:
            _log_or_take_back(store, dest.path, what, records, detail)
        return dest.path
    if personal:
        log_access(store, what, target=dest.shown, records=records, detail=detail)
    if dest.kind == "stream":
        _write_through(path, dest.path, data)
    else:
        _write_fd(dest, content)
    return dest.path if dest.kind == "stream" else Path(path)


def _log_or_take_back(store: Store, target: Path, what: str, records: int, detail: str) -> None:
    try:
        log_access(store, what, target=str(target), records=records, detail=detail)
    except StoreError as exc:
        target.unlink(missing_ok=True)
        raise type(exc)(f"{exc}; the export could not be logged, so {target} was removed again") from exc


def _write_through(given: Any, path: Path, data: bytes) -> None:
    """Write to a FIFO or character device as it is (a FIFO waits for its reader, as the shell's ``>`` does)."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise StoreWriteError(describe_os_error(exc, path) + "; nothing was written") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            raise _refuse(given, "a path that stays what it was while it is written (it was replaced)")
        _write_all(fd, data, path)
    finally:
        os.close(fd)


def _write_fd(dest: Destination, content: str | bytes) -> None:
    """Write to an open descriptor; standard output and error through Python's own streams (so text
    keeps the stream's encoding and whatever replaced them, a test's capture, sees it)."""
    streams: dict[Optional[int], TextIO] = {1: sys.stdout, 2: sys.stderr}
    stream = streams.get(dest.fd)
    if stream is not None and isinstance(content, str):
        stream.write(content)
        stream.flush()
        return
    data = content.encode("utf-8") if isinstance(content, str) else content
    if stream is not None:
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
        return
    assert dest.fd is not None, "an fd destination always names its descriptor"
    _write_all(dest.fd, data, Path(dest.shown))


def _write_all(fd: int, data: bytes, path: Path) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise StoreWriteError(f"the program reading {path} stopped before the whole output was written") from exc
        raise StoreWriteError(describe_os_error(exc, path) + "; the output is incomplete") from exc


def log_access(store: Store, what: str, *, target: str = "", records: int = 0, detail: str = "") -> None:
    """Record an output holding personal data: who, when, what, where to, how many records."""
    with store.transaction() as txn:
        txn.log_access(what, detail=detail, target=target, records=records)
