"""The record set a validation run sees: the files being checked and the rest of the corpus.

References are always resolved against the whole corpus. Files outside the ones being
checked are not parsed up front: their ids are their file names (a rule every record
obeys), and they are read only when a check needs their content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loading import FOLDERS, KINDS, RecordFile, discover, is_record_file, load_file


def find_root(path: Path) -> Path | None:
    """The records folder that holds ``path`` (the folder whose children are kind folders)."""
    path = path.resolve()
    candidates = [path, *path.parents] if path.is_dir() else list(path.parents)
    for candidate in candidates:
        if candidate.name in KINDS:
            return candidate.parent
        if any((candidate / folder).is_dir() for folder in KINDS):
            return candidate
    return None


@dataclass
class Corpus:
    targets: list[RecordFile]
    roots: list[Path] = field(default_factory=list)
    _others: dict[Path, RecordFile | None] = field(default_factory=dict)
    _ids: dict[str, list[tuple[str | None, str]]] | None = None

    @classmethod
    def from_paths(cls, paths: Iterable[Path], files: list[Path] | None = None) -> Corpus:
        paths = list(paths)
        files = discover(paths) if files is None else files
        targets = [load_file(p) for p in files]
        return cls.from_records(targets, paths)

    @classmethod
    def from_records(cls, targets: list[RecordFile], paths: Iterable[Path] = ()) -> Corpus:
        roots = sorted({r for r in (find_root(p) for p in [*paths, *(t.path for t in targets)]) if r is not None})
        corpus = cls(targets=targets, roots=roots)
        seen = {t.path.resolve() for t in targets}
        for root in roots:
            for folder in KINDS:
                directory = root / folder
                if directory.is_dir():
                    for p in sorted(directory.iterdir()):
                        if is_record_file(p) and p.resolve() not in seen:
                            corpus._others[p] = None
        return corpus

    # -- ids -----------------------------------------------------------------------------
    def ids(self) -> dict[str, list[tuple[str | None, str]]]:
        """Record id -> [(kind, file)] over the whole corpus."""
        if self._ids is None:
            ids: dict[str, list[tuple[str | None, str]]] = {}
            for t in self.targets:
                rid = t.record_id or (t.stem if not t.parsed else None)
                if rid:
                    ids.setdefault(rid, []).append((t.kind, t.display))
            for p in self._others:
                ids.setdefault(p.name.rsplit(".", 1)[0], []).append((KINDS.get(p.parent.name), str(p)))
            self._ids = ids
        return self._ids

    def ids_of(self, kind: str) -> list[str]:
        return sorted(rid for rid, entries in self.ids().items() if any(k == kind for k, _ in entries))

    def kinds_of(self, rid: str) -> set[str | None]:
        return {k for k, _ in self.ids().get(rid, [])}

    # -- content -------------------------------------------------------------------------
    def get(self, kind: str, rid: str) -> dict[str, Any] | None:
        """The data of record ``rid`` of ``kind``, parsing it on first use."""
        for t in self.targets:
            if t.kind == kind and t.record_id == rid and t.parsed:
                return t.data  # type: ignore[no-any-return]
        for root in self.roots:
            for suffix in (".yaml", ".yml"):
                p = root / FOLDERS[kind] / f"{rid}{suffix}"
                if p in self._others:
                    rec = self._load_other(p)
                    if rec is not None and rec.parsed:
                        return rec.data  # type: ignore[no-any-return]
        return None

    def _load_other(self, p: Path) -> RecordFile | None:
        if self._others.get(p) is None:
            self._others[p] = load_file(p)
        return self._others[p]

    def others_mentioning(self, tokens: Iterable[str], folders: Iterable[str] = KINDS) -> Iterator[RecordFile]:
        """Records outside the targets, in ``folders``, whose text contains any of ``tokens``.

        Each file is read once and scanned as bytes; only files that mention a token are parsed.
        """
        needles = [t.encode("utf-8") for t in tokens if t]
        wanted = set(folders)
        if not needles:
            return
        for p in self._others:
            if p.parent.name not in wanted:
                continue
            try:
                raw = p.read_bytes()
            except OSError:
                continue
            if any(n in raw for n in needles):
                rec = self._load_other(p)
                if rec is not None and rec.parsed:
                    yield rec

    @property
    def has_others(self) -> bool:
        return bool(self._others)
