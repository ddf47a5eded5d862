"""git, read safely: what a pull request touched (changed records plus the studies that reference
them), and the records at a commit for a diff or a changelog.

A ref comes from the command line, so it is verified as a ref first (``rev-parse --verify
--end-of-options``) and only the commit id it names is passed on: git never reads it as an
option. File names are read NUL-separated, so names git would quote are not skipped.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import schema
from .fsio import read_regular
from .loading import MAX_FILE_BYTES, discover, find_root, is_record_name, kind_of, too_large

#: A record's file name is ``<id>.yaml`` with a short id: a longer name (or folder name) in a ref is
#: no record, and may be longer than the file system allows (255 bytes), so it is never written out.
MAX_NAME_BYTES = 200


class ChangeError(Exception):
    """git could not answer (not installed, not a repository, an unknown ref): a usage error."""


def run_git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    """git's output; ChangeError with its first line of complaint. Pathspecs are taken literally."""
    try:
        done = subprocess.run(["git", "--literal-pathspecs", *args], cwd=cwd, input=stdin, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise ChangeError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangeError(f"git {args[0]} failed: {message[0] if message else 'no message'}")
    return done.stdout


def _git(args: list[str], cwd: Path) -> str:
    return run_git(args, cwd).decode("utf-8", "surrogateescape")


def toplevel(where: Path) -> Path:
    """The work tree of the git repository around ``where`` (a path that may not exist)."""
    start = where if where.is_dir() else where.parent if where.parent.is_dir() else Path.cwd()
    return Path(_git(["rev-parse", "--show-toplevel"], start).strip())


def resolve_ref(ref: str, cwd: Path) -> str:
    """The commit id ``ref`` names; ChangeError if it names none."""
    if not ref or "\x00" in ref:
        raise ChangeError(f"{ref!r} is not a git ref")
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd).strip()
    except ChangeError:
        raise ChangeError(f"{ref!r} is not a commit, branch or tag of this repository") from None


def _real_folder(path: Path) -> Path:
    """``path`` with its folders resolved but not the file itself: a record that is a symlink
    stays one, so it is checked as a link (and refused if it leads out of the records tree)."""
    return Path(os.path.realpath(path.parent)) / path.name


def changed_files(roots: list[Path], ref: str) -> list[Path]:
    """Record files under ``roots`` changed since ``ref`` (committed, staged or not, and new
    untracked ones), and every study that mentions the id of a changed condition or cell source."""
    repo = toplevel(roots[0])
    commit = resolve_ref(ref, repo)
    names = set(_git(["diff", "-z", "--name-only", "--no-renames", commit, "--"], repo).split("\0"))
    names |= set(_git(["ls-files", "-z", "--others", "--exclude-standard"], repo).split("\0"))
    scope = {_real_folder(p) for p in discover(roots)}
    changed = {_real_folder(repo / n) for n in names if n and is_record_name(Path(n).name)}
    selected = changed & scope
    # Studies that reference a changed condition or cell source: a cheap byte scan for the id.
    # Deleted files count too: their dependants now dangle.
    studies = schema.kind("Study").folder
    referenced = {k.folder for k in schema.kinds() if k.folder != studies}  # what studies point at
    ids = [p.stem.encode() for p in changed if p.parent.name in referenced]
    if ids:
        for root in {r for r in (find_root(p.resolve()) for p in roots) if r is not None}:
            for study in discover([root / studies]) if (root / studies).is_dir() else []:
                try:
                    raw = read_regular(study, MAX_FILE_BYTES, follow_symlinks=False)
                except OSError:  # not a regular file, or too large: checked (and reported) only if changed
                    continue
                if any(i in raw for i in ids):
                    selected.add(_real_folder(study))
    cwd = Path.cwd()
    return sorted(Path(p).relative_to(cwd) if p.is_relative_to(cwd) else p for p in selected)


# -- reading a commit's files, for diff and release -------------------------------------------

def tree_files(commit: str, folder: Path, repo: Path) -> list[tuple[str, Path]]:
    """(blob id, path in the repository) of the regular files under ``folder`` at ``commit``;
    links, submodules and paths that would leave the folder are not files to read."""
    listing = run_git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", folder.as_posix()], repo)
    blobs: list[tuple[str, Path]] = []
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        rel = Path(name.decode("utf-8", "surrogateescape"))
        if kind == "blob" and mode in ("100644", "100755") and ".." not in rel.parts and not rel.is_absolute():
            blobs.append((sha, rel))
    return blobs


def blob_sizes(shas: list[str], repo: Path) -> list[int | None]:
    """Blob sizes from one ``git cat-file --batch-check`` (``<sha> blob <size>``; None for a
    missing blob), so that no blob over the limit is ever read."""
    if not shas:
        return []
    out = run_git(["cat-file", "--batch-check"], repo, stdin="".join(f"{s}\n" for s in shas).encode())
    fields = [line.split() for line in out.decode().splitlines()]
    return [int(f[2]) if len(f) == 3 and f[1] == "blob" else None for f in fields]


def cat_blobs(shas: list[str], repo: Path) -> list[bytes]:
    """Blob contents from one ``git cat-file --batch``: ``<sha> blob <size>\\n<bytes>\\n`` each."""
    out = run_git(["cat-file", "--batch"], repo, stdin="".join(f"{s}\n" for s in shas).encode())
    blobs, at = [], 0
    for _ in shas:
        start = out.index(b"\n", at) + 1
        at = start + int(out[at:start].split()[2]) + 1
        blobs.append(out[start:at - 1])
    return blobs


def copy_records(commit: str, inside: Path, repo: Path, dest: Path) -> list[tuple[Path, str]] | None:
    """Write the files under ``inside`` (a path in the repository) at ``commit`` to ``dest/inside``,
    read with ``ls-tree`` and ``cat-file``; None when there are none. Returns (file below
    ``inside``, why) for each file left out: a name too long for a record, a file and a folder of
    one name, a blob missing or too large to be a record (never read), a path the file system
    cannot hold."""
    blobs = tree_files(commit, inside, repo)
    if not blobs:
        return None
    skipped: list[tuple[Path, str]] = []
    folders = {parent for _, rel in blobs for parent in rel.parents}
    readable: list[tuple[str, Path]] = []
    for (sha, rel), size in zip(blobs, blob_sizes([sha for sha, _ in blobs], repo), strict=True):
        local = rel.relative_to(inside)
        if any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in local.parts):
            skipped.append((local, f"the name is too long for a record (a part over {MAX_NAME_BYTES} bytes)"))
        elif rel in folders:
            skipped.append((local, "a file and a folder have this name at this commit; the file was not read"))
        elif size is None or size > MAX_FILE_BYTES:  # never read: a record file is a few kB
            if is_record_name(rel.name) and kind_of(rel) is not None:  # what a folder would report
                why = "the blob is missing from the repository" if size is None else too_large(size).message
                skipped.append((local, why))
        else:
            readable.append((sha, rel))
    for (_, rel), data in zip(readable, cat_blobs([sha for sha, _ in readable], repo), strict=True):
        try:
            Path(dest, rel).parent.mkdir(parents=True, exist_ok=True)
            Path(dest, rel).write_bytes(data)
        except OSError as exc:  # a path the file system cannot hold (too long in all)
            skipped.append((rel.relative_to(inside), f"cannot be copied to be read ({exc.strerror or exc})"))
    return skipped
