"""Reading and writing safely: one reader for every file a command is given (it never opens a
pipe and never reads past a limit), one atomic replace for every file a command writes (fmt,
export, new, import, release), and one for every folder (the tsv export, the site, a release).

A reader, or a run killed half-way, sees the old file or the new one, never a mix. A symlink
is written through (its target is replaced, the link stays), a file keeps its mode, and what
is not a regular file (a device, a FIFO, a folder) is refused rather than replaced. A folder
is built beside its place and swapped in; what a killed swap leaves, the next one puts back or
removes.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Names of the temporary files this module makes: ``.<name>.<random>.respirocell-tmp``.
TMP_SUFFIX = ".respirocell-tmp"


class UnsafeTarget(OSError):
    """The destination is not something respirocell may replace."""


class NotRegular(UnsafeTarget):
    """A pipe, device, socket or folder where a file was expected: never opened, so never waited on."""


class TooLarge(UnsafeTarget):
    """A file over the size the reader takes; ``size`` is what it holds (or at least)."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{path} holds {size:,} bytes; at most {limit:,} are read")
        self.size = size


def read_regular(path: Path, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file at ``path``, of which there may be at most ``limit``. What
    is not a regular file raises NotRegular without being opened (a pipe would block the reader
    for good), a larger file TooLarge without being read; any other failure is an OSError."""
    info = os.stat(path, follow_symlinks=follow_symlinks)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegular(f"{path} is not a regular file (a pipe, device, socket or folder)")
    if info.st_size > limit:
        raise TooLarge(path, info.st_size, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(os.open(path, flags), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped after the check
            raise NotRegular(f"{path} is not a regular file (a pipe, device, socket or folder)")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(path, len(raw), limit)
    return raw


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, exclusive: bool = False) -> Path:
    """Replace the file at ``path`` (or create it) with ``data`` in one step; returns the file
    actually written (the target, when ``path`` is a symlink). ``exclusive`` refuses to replace
    an existing file (FileExistsError). New files get ``mode``; existing ones keep theirs."""
    target = path.resolve() if path.is_symlink() else path
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None:
        if exclusive:
            raise FileExistsError(f"{path} already exists")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeTarget(f"{path} is not a regular file; it was left as it is")
        mode = stat.S_IMODE(info.st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, target)  # fails if someone created the file meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def remove_leftovers(folder: Path) -> None:
    """Delete the temporary files an earlier, killed run left in ``folder`` (only ours: hidden,
    regular, named with TMP_SUFFIX)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX) and entry.is_file() \
                and not entry.is_symlink():
            entry.unlink(missing_ok=True)


def _aside(path: Path, what: str) -> Path:
    return path.parent / f".{path.name}.respirocell-{what}"


@contextmanager
def replacing_folder(path: Path, ours: Callable[[Path], bool]) -> Iterator[Path]:
    """An empty folder beside ``path`` to build its replacement in. When the block ends, the new
    folder takes the place of ``path`` (the old one renamed aside, the new one in, the old one
    removed); when it raises, the new folder is removed and ``path`` stays as it was.

    ``ours`` tells a folder this code built, and so may put back or delete. The block's first
    write must make it true of the new folder (a manifest, a marker file): then a run killed at
    any point leaves the old folder or the new one at ``path``, and folders beside it that the
    next call puts back or removes (``recover_folder``)."""
    if path.is_symlink():
        raise UnsafeTarget(f"{path} is a symbolic link; give the folder itself")
    if path.exists() and not path.is_dir():
        raise UnsafeTarget(f"{path} is not a folder; it was left as it is")
    recover_folder(path, ours)
    new, old = _aside(path, "new"), _aside(path, "old")
    for leftover in (new, old):
        if leftover.exists() or leftover.is_symlink():
            raise UnsafeTarget(f"{leftover} is in the way and respirocell did not make it; move it and try again")
    new.mkdir()
    try:
        yield new
        if path.exists():
            os.rename(path, old)
            try:
                os.rename(new, path)
            except OSError:
                os.rename(old, path)
                raise
            shutil.rmtree(old)
        else:
            os.rename(new, path)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def recover_folder(path: Path, ours: Callable[[Path], bool]) -> None:
    """Undo what a killed ``replacing_folder`` left beside ``path``: the old folder goes back if
    the new one never took its place, and the folders set aside are removed when they are ours
    (or empty). Nothing else is touched."""
    old, new = _aside(path, "old"), _aside(path, "new")
    if not path.exists() and old.is_dir() and not old.is_symlink() and ours(old):
        os.rename(old, path)
    for leftover in (old, new):
        if leftover.is_dir() and not leftover.is_symlink() and (ours(leftover) or not any(leftover.iterdir())):
            shutil.rmtree(leftover)


#: What the swap of ``replacing_folder`` puts beside a folder: ``.<name>.respirocell-new``.
_ASIDE = ".respirocell-new"


def unusable_output(output: Path, inputs: Iterable[Path] = ()) -> str | None:
    """Why ``output`` cannot be built beside and swapped in whole (``replacing_folder``), or
    None. The current folder, or one holding it or the records, cannot be renamed away; a file
    where a folder of the path should be, or a name with no room for the temporary folder
    beside it, would fail half-way with the system's terse message."""
    where, inputs = output.resolve(), [Path(p).resolve() for p in inputs]
    for inside, what in ((Path.cwd().resolve(), "is the current folder or holds it"),
                         *((p, "holds the records") for p in inputs)):
        if where == inside or where in inside.parents:
            return f"{output} {what}; give a folder of its own"
    try:
        limit = os.pathconf(Path.cwd(), "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows), or no answer
        limit = 255
    for part in output.parts[:-1]:  # first: the system refuses even to look such a path up
        if len(os.fsencode(part)) > limit:
            return f"the folder name '{part}' is {len(os.fsencode(part))} bytes long; it may be at most {limit} here"
    parent = next((p for p in output.parents if p.exists() or p.is_symlink()), Path.cwd())
    if not parent.is_dir():  # the nearest that exists: the rest of the path is made in it
        return f"{parent} is not a folder, so {output} cannot be made in it"
    room = limit - len(f".{_ASIDE}")
    if len(os.fsencode(output.name)) > room:
        return (f"the folder name '{output.name}' is {len(os.fsencode(output.name))} bytes long; it may be at most "
                f"{room} here, as the build needs room for '.<name>{_ASIDE}' beside it")
    return None
