"""The record set a validation run sees: the files being checked and the rest of the corpus.

References always resolve against the whole corpus. Files outside the ones being checked are
not parsed up front: their ids are their file names (a rule every record obeys), and they are
read only when a rule needs their content (a cell source's product form, or a study that
mentions one of the checked records' identifiers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loading import RecordFile, YamlProblem, discover, display_path, find_root, kind_of, load_file, read_bounded


@dataclass
class Corpus:
    """The checked records (``targets``) and every record file of the trees around them."""

    targets: list[RecordFile]
    #: kind name -> {id (file stem) -> [(path, shown path)]} for every record file of the trees
    files: dict[str | None, dict[str, list[tuple[Path, str]]]] = field(default_factory=dict)
    trees: dict[Path, Path | None] = field(default_factory=dict)  # file -> its records folder
    _by_path: dict[Path, RecordFile] = field(default_factory=dict)

    @classmethod
    def build(cls, roots: Iterable[Path], targets: list[RecordFile]) -> Corpus:
        corpus = cls(targets=targets)
        corpus._by_path = {r.path.resolve(): r for r in targets}
        paths = {r.path.resolve(): r.path for r in targets}
        for tree in {t for t in (find_root(r.resolve()) for r in roots) if t is not None}:
            for path in discover([tree]):
                paths.setdefault(path.resolve(), path)
        for _, path in sorted(paths.items()):
            corpus.files.setdefault(kind_of(path), {}).setdefault(path.name.rsplit(".", 1)[0], []).append(
                (path, display_path(path)))
        return corpus

    @property
    def has_others(self) -> bool:
        return sum(len(p) for by_id in self.files.values() for p in by_id.values()) > len(self.targets)

    def kinds_of(self, record_id: str) -> set[str | None]:
        return {kind for kind, by_id in self.files.items() if record_id in by_id}

    def ids_of(self, kind: str) -> list[str]:
        return sorted(self.files.get(kind, {}))

    def ids(self) -> dict[str, list[tuple[str | None, str]]]:
        """Every record id (file stem) -> [(kind, shown path)] of the files that use it, plus the
        ids written inside checked records that differ from their file names."""
        found: dict[str, list[tuple[str | None, str]]] = {}
        for kind, by_id in self.files.items():
            for rid, places in by_id.items():
                found.setdefault(rid, []).extend((kind, shown) for _, shown in places)
        for record in self.targets:
            written = record.record_id
            if written and written != record.stem:
                found.setdefault(written, []).append((record.kind, record.display))
        return found

    def record(self, path: Path) -> RecordFile:
        """The parsed record at ``path``: a checked one, or read now (and kept)."""
        key = path.resolve()
        if key not in self._by_path:
            self._by_path[key] = load_file(path, find_root(key))
        return self._by_path[key]

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """The data of the ``kind`` record ``record_id``, if there is exactly one that parses."""
        places = self.files.get(kind, {}).get(record_id, [])
        if len(places) != 1:
            return None
        data = self.record(places[0][0]).data
        return data if isinstance(data, dict) else None

    def others_mentioning(self, tokens: Iterable[str], kinds: tuple[str, ...] | None = None) -> Iterator[RecordFile]:
        """Records outside the targets whose text contains any of ``tokens``: a plain byte
        search, so only the few that do are parsed."""
        needles = [t.encode() for t in set(tokens) if t]
        if not needles:
            return
        checked = set(self._by_path)
        for kind, by_id in sorted(self.files.items(), key=lambda kv: str(kv[0])):
            if kinds is not None and kind not in kinds:
                continue
            for places in by_id.values():
                for path, _ in places:
                    if path.resolve() in checked:
                        continue
                    try:
                        raw = read_bounded(path, find_root(path.resolve()))
                    except YamlProblem:
                        continue
                    if any(n in raw for n in needles):
                        other = self.record(path)
                        if other.parsed:
                            yield other

