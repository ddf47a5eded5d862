"""The record set a validation run sees: the files being checked and the rest of the corpus.

References always resolve against the whole corpus. Files outside the ones being checked are
not parsed up front: their ids are their file names (a rule every record obeys), and they are
read only when a rule needs their content (a cell source's product form, or a study that
mentions one of the checked records' identifiers).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loading import MAX_FILE_BYTES, RecordFile, discover, display_path, find_root, kind_of, load_file


def _key(path: Path) -> Path:
    """A file's identity across the ways it was named (relative, absolute) without a syscall."""
    return Path(os.path.abspath(path))


@dataclass
class Corpus:
    """The checked records (``targets``) and every record file of the trees around them."""

    targets: list[RecordFile]
    #: kind name -> {id (file stem) -> [path]} for every record file of the trees
    files: dict[str | None, dict[str, list[Path]]] = field(default_factory=dict)
    _by_path: dict[Path, RecordFile] = field(default_factory=dict)

    @classmethod
    def build(cls, roots: Iterable[Path], targets: list[RecordFile]) -> Corpus:
        corpus = cls(targets=targets)
        corpus._by_path = {_key(r.path): r for r in targets}
        paths = {os.path.abspath(r.path): r.path for r in targets}
        for tree in {t for t in (find_root(r.resolve()) for r in roots) if t is not None}:
            for path in discover([tree]):
                paths.setdefault(os.path.abspath(path), path)
        for name, path in sorted(paths.items()):
            stem = os.path.basename(name).rsplit(".", 1)[0]
            corpus.files.setdefault(kind_of(name), {}).setdefault(stem, []).append(path)
        return corpus

    @property
    def has_others(self) -> bool:
        return sum(len(p) for by_id in self.files.values() for p in by_id.values()) > len(self.targets)

    def kinds_of(self, record_id: str) -> set[str | None]:
        return {kind for kind, by_id in self.files.items() if record_id in by_id}

    def ids_of(self, kind: str) -> list[str]:
        return sorted(self.files.get(kind, {}))

    def shared_ids(self) -> dict[str, list[tuple[str | None, str]]]:
        """Each record id (file stem, or an id written inside a checked record that differs from
        its file name) used by more than one file -> [(kind, shown path)] of those files."""
        found: dict[str, list[tuple[str | None, Path | str]]] = {}
        for kind, by_id in self.files.items():
            for rid, places in by_id.items():
                found.setdefault(rid, []).extend((kind, path) for path in places)
        for record in self.targets:
            written = record.record_id
            if written and written != record.stem:
                found.setdefault(written, []).append((record.kind, record.display))
        return {rid: [(kind, p if isinstance(p, str) else display_path(p)) for kind, p in places]
                for rid, places in found.items() if len(places) > 1}

    def record(self, path: Path) -> RecordFile:
        """The parsed record at ``path``: a checked one, or read now (and kept)."""
        key = _key(path)
        if key not in self._by_path:
            self._by_path[key] = load_file(path, find_root(key))
        return self._by_path[key]

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """The data of the ``kind`` record ``record_id``, if there is exactly one that parses."""
        places = self.files.get(kind, {}).get(record_id, [])
        if len(places) != 1:
            return None
        data = self.record(places[0]).data
        return data if isinstance(data, dict) else None

    def others_mentioning(self, tokens: Iterable[str], kinds: tuple[str, ...] | None = None) -> Iterator[RecordFile]:
        """Records outside the targets whose text contains any of ``tokens``: a plain byte
        search (by grep where there is one, else here), so only the few that do are parsed."""
        needles = sorted({t for t in tokens if t})
        if not needles:
            return
        checked = {os.fspath(k) for k in self._by_path}
        candidates = [path for kind, by_id in sorted(self.files.items(), key=lambda kv: str(kv[0]))
                      if kinds is None or kind in kinds for places in by_id.values() for path in places
                      if os.path.abspath(path) not in checked]
        for path in _mentioning(candidates, needles):
            other = self.record(path)
            if other.parsed:
                yield other


def _mentioning(paths: list[Path], needles: list[str]) -> list[Path]:
    """The files among ``paths`` that contain one of ``needles``. grep reads ten thousand files
    in a few hundredths of a second (``-D skip`` never opens a FIFO or device, and symlinks met
    in folders are not followed); without grep, each file is read here."""
    grep = shutil.which("grep")
    folders = sorted({os.path.dirname(os.path.abspath(p)) for p in paths})
    if grep is not None and len(paths) > 100 and all("\n" not in n for n in needles):
        wanted = {os.path.abspath(p): p for p in paths}
        args = [grep, "-rlZF", "-D", "skip", "--include=*.yaml", "--include=*.yml"]
        done = subprocess.run([*args, *(a for n in needles for a in ("-e", n)), "--", *folders],
                              capture_output=True, check=False)
        if done.returncode in (0, 1):
            found = [os.path.abspath(os.fsdecode(n)) for n in done.stdout.split(b"\0") if n]
            return [wanted[name] for name in sorted(found) if name in wanted]
    encoded = [n.encode() for n in needles]
    return [p for p in paths if (raw := _peek(os.path.abspath(p))) is not None and any(n in raw for n in encoded)]


def _peek(name: str) -> bytes | None:
    """The bytes of a regular file that is not a symlink, without blocking on a FIFO; None for
    anything else (such files are reported when they are checked themselves)."""
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
