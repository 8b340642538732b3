"""Reading templates from a folder: regular files inside it only.

A council's ``--templates`` folder is untrusted.  ``FolderLoader`` reads a template only from a
regular file inside the folder after links are resolved: a name that is absolute, climbs with
``..`` or leads out of the folder through a link is refused, and so is a FIFO, a device or a
file over ``TEMPLATE_MAX_BYTES``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Optional

import jinja2

TEMPLATE_MAX_BYTES = 1_000_000        # a letterhead template is a few kilobytes


class TemplateRefused(jinja2.TemplateError):
    """A template name or file that may not be read.  Not a ``TemplateNotFound``: falling back to
    the shipped template would hide the problem from the council whose letterhead it is."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a link")):
        if test(mode):
            return word
    return "not a regular file"


class FolderLoader(jinja2.BaseLoader):
    """Loads ``name`` from regular files inside ``folder`` only.

    Each name is resolved (links followed) and must land inside the resolved folder; the file is
    then opened one component at a time without following links, so a link swapped in after the
    check is refused rather than followed.  A missing name is ``TemplateNotFound`` (the next
    loader may have it); anything else wrong is ``TemplateRefused``.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(os.path.realpath(folder))

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        real = self._locate(template)
        source, mtime = self._read(template, real)
        return source, str(real), lambda: _mtime(real) == mtime

    def _locate(self, name: str) -> Path:
        if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
            raise TemplateRefused(str(name), "a template name such as 'letterhead.html.j2' (no backslash or NUL)")
        if name.startswith("/") or os.path.isabs(name):
            raise TemplateRefused(name, f"a name relative to the templates folder {self.folder}, not an absolute path")
        parts = [p for p in name.split("/") if p not in ("", ".")]
        if ".." in parts or not parts:
            raise TemplateRefused(name, f"a name inside the templates folder {self.folder} ('..' leads out of it)")
        candidate = self.folder.joinpath(*parts)
        if not os.path.lexists(candidate):
            raise jinja2.TemplateNotFound(name)
        real = Path(os.path.realpath(candidate))
        if real != self.folder and self.folder not in real.parents:
            raise TemplateRefused(name, f"a file inside the templates folder {self.folder} (it leads to {real}, "
                                        f"outside the folder)")
        try:
            mode = os.lstat(real).st_mode
        except OSError:
            raise TemplateRefused(name, f"a regular file (it is a link to {real}, which does not exist)") from None
        if not stat.S_ISREG(mode):
            raise TemplateRefused(name, f"a regular file inside the templates folder (it is {_kind(mode)})")
        return real

    def _read(self, name: str, real: Path) -> tuple[str, float]:
        try:
            fd = self._open_inside(real.relative_to(self.folder).parts)
        except OSError as exc:
            raise TemplateRefused(name, f"a readable regular file inside the templates folder "
                                        f"({exc.strerror or exc})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise TemplateRefused(name, f"a regular file inside the templates folder (it is {_kind(st.st_mode)})")
            if st.st_size > TEMPLATE_MAX_BYTES:
                raise TemplateRefused(name, f"a template of at most {TEMPLATE_MAX_BYTES:,} bytes "
                                            f"(it has {st.st_size:,})")
            data = _read_at_most(fd, TEMPLATE_MAX_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) > TEMPLATE_MAX_BYTES:
            raise TemplateRefused(name, f"a template of at most {TEMPLATE_MAX_BYTES:,} bytes")
        try:
            return data.decode("utf-8"), st.st_mtime
        except UnicodeDecodeError:
            raise TemplateRefused(name, "UTF-8 text") from None

    def _open_inside(self, parts: tuple[str, ...]) -> int:
        """Open ``folder/parts`` for reading, refusing a link at any step (where the OS allows)."""
        if os.open not in os.supports_dir_fd or not hasattr(os, "O_NOFOLLOW"):
            return os.open(self.folder.joinpath(*parts), os.O_RDONLY)
        nofollow = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | nofollow)
        try:
            for part in parts[:-1]:
                step = os.open(part, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | nofollow, dir_fd=fd)
                os.close(fd)
                fd = step
            return os.open(parts[-1], os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | nofollow, dir_fd=fd)
        finally:
            os.close(fd)


def _mtime(path: Path) -> Optional[float]:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
