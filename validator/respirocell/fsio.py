"""Writing files safely: one atomic replace for every command that writes (fmt, export, new).

A reader, or a run killed half-way, sees the old file or the new one, never a mix. A symlink
is written through (its target is replaced, the link stays), a file keeps its mode, and what
is not a regular file (a device, a FIFO, a folder) is refused rather than replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

#: Names of the temporary files this module makes: ``.<name>.<random>.respirocell-tmp``.
TMP_SUFFIX = ".respirocell-tmp"


class UnsafeTarget(OSError):
    """The destination is not something respirocell may replace."""


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
