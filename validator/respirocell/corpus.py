"""The record set a validation run sees: the files being checked and the rest of the corpus.

References always resolve against the whole corpus. Files outside the ones being checked are
not parsed up front: their ids are their file names (a rule every record obeys), and they are
read only when a rule needs their content (a cell source's product form, or a study that
mentions one of the checked records' identifiers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fsio import read_regular
from .loading import MAX_FILE_BYTES, RecordFile, display_path, find_root, kind_of, load_file, record_names


@dataclass
class Corpus:
    """The checked records (``targets``) and every record file of the trees around them."""

    targets: list[RecordFile]
    #: kind name -> {id (file stem) -> [absolute path]} for every record file of the trees (text:
    #: a tree of 10,000 files costs no Path objects)
    files: dict[str | None, dict[str, list[str]]] = field(default_factory=dict)
    _by_path: dict[str, RecordFile] = field(default_factory=dict)

    @classmethod
    def build(cls, roots: Iterable[Path], targets: list[RecordFile]) -> Corpus:
        corpus = cls(targets=targets)
        corpus._by_path = {os.path.abspath(r.path): r for r in targets}
        names = set(corpus._by_path)
        for tree in {t for t in (find_root(r.resolve()) for r in roots) if t is not None}:
            names.update(record_names(os.path.abspath(tree)))
        kinds: dict[str, str | None] = {}  # folder -> kind, worked out once per folder
        for name in sorted(names):
            folder, base = os.path.split(name)
            if folder not in kinds:
                kinds[folder] = kind_of(name)
            corpus.files.setdefault(kinds[folder], {}).setdefault(base.rsplit(".", 1)[0], []).append(name)
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
        found: dict[str, list[tuple[str | None, str]]] = {}  # (kind, absolute path or shown path)
        for kind, by_id in self.files.items():
            for rid, places in by_id.items():
                found.setdefault(rid, []).extend((kind, name) for name in places)
        for record in self.targets:
            written = record.record_id
            if written and written != record.stem:
                found.setdefault(written, []).append((record.kind, record.display))
        return {rid: [(kind, display_path(Path(p)) if os.path.isabs(p) else p) for kind, p in places]
                for rid, places in found.items() if len(places) > 1}

    def record(self, name: str) -> RecordFile:
        """The parsed record at absolute path ``name``: a checked one, or read now (and kept)."""
        if name not in self._by_path:
            path = Path(name)
            self._by_path[name] = load_file(path, find_root(path))
        return self._by_path[name]

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
        needles = sorted({t for t in tokens if t and t.isprintable()})  # values from files: no NUL, no LF
        if not needles:
            return
        candidates = [name for kind, by_id in sorted(self.files.items(), key=lambda kv: str(kv[0]))
                      if kinds is None or kind in kinds for places in by_id.values() for name in places
                      if name not in self._by_path]
        for name in _mentioning(candidates, needles):
            other = self.record(name)
            if other.parsed:
                yield other


def _mentioning(names: list[str], needles: list[str]) -> list[str]:
    """The files among ``names`` that contain one of ``needles``. grep reads ten thousand files
    in a few hundredths of a second (``-D skip`` never opens a FIFO or device, and symlinks met
    in folders are not followed); without grep, each file is read here."""
    grep = shutil.which("grep")
    if grep is not None and len(names) > 100:
        folders = sorted({os.path.dirname(n) for n in names})
        args = [grep, "-rlZF", "-D", "skip", "--include=*.yaml", "--include=*.yml"]
        done = subprocess.run([*args, *(a for n in needles for a in ("-e", n)), "--", *folders],
                              capture_output=True, check=False)
        if done.returncode in (0, 1):
            wanted = set(names)
            return sorted(n for n in (os.fsdecode(raw) for raw in done.stdout.split(b"\0") if raw) if n in wanted)
    encoded = [n.encode() for n in needles]
    return [n for n in names if any(e in _peek(n) for e in encoded)]


def _peek(name: str) -> bytes:
    """The bytes of a record file that is not a symlink; nothing for what cannot be a record
    (a FIFO, a device, a file over the limit), which is reported when it is checked itself."""
    try:
        return read_regular(Path(name), MAX_FILE_BYTES, follow_symlinks=False)
    except OSError:
        return b""
