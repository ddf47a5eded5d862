"""Select what a pull request touched: changed records plus the studies that reference them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .corpus import find_root
from .loading import discover, is_record_file


class ChangeError(Exception):
    """git could not answer (not a repository, unknown REF)."""


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ChangeError("git is not installed") from None
    if done.returncode != 0:
        raise ChangeError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def changed_files(roots: list[Path], ref: str) -> list[Path]:
    """Record files under ``roots`` changed since ``ref`` (committed, staged or not), and every
    study that mentions the id of a changed condition or cell source."""
    toplevel = Path(_git(["rev-parse", "--show-toplevel"], roots[0] if roots[0].is_dir() else roots[0].parent).strip())
    names = set(_git(["diff", "--name-only", "--no-renames", ref, "--"], toplevel).splitlines())
    names |= set(_git(["ls-files", "--others", "--exclude-standard"], toplevel).splitlines())
    scope = {p.resolve() for p in discover(roots)}
    changed = {(toplevel / n).resolve() for n in names if is_record_file(Path(n))}
    selected = changed & scope
    # Studies that reference a changed condition or cell source: a cheap byte scan for the id.
    # Deleted files count too: their dependants now dangle.
    ids = [p.stem.encode() for p in changed if p.parent.name in ("conditions", "cell_sources")]
    if ids:
        for root in {r for r in (find_root(p) for p in roots) if r is not None}:
            for study in discover([root / "studies"]) if (root / "studies").is_dir() else []:
                raw = study.read_bytes()
                if any(i in raw for i in ids):
                    selected.add(study.resolve())
    cwd = Path.cwd()
    return sorted(Path(p).relative_to(cwd) if p.is_relative_to(cwd) else p for p in selected)
