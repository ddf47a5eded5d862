"""The record set a validation run sees: the files being checked and the rest of the corpus.

References are always resolved against the whole corpus. Files outside the ones being
checked are not parsed up front: their ids are their file names (a rule every record
obeys), and they are read only when a check needs their content.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loading import FOLDERS, KINDS, RecordFile, _is_record_name, discover, load_file


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


class _Folders:
    """``Path.resolve()`` for many files in few folders: each folder is resolved and listed
    once, and a file is resolved on its own only when the listing says it is a symbolic link
    or a folder (``find_root`` treats folders apart)."""

    def __init__(self) -> None:
        self._real: dict[str, str] = {}  # folder as written -> resolved
        self._listings: dict[str, tuple[list[str], set[str]] | None] = {}  # resolved folder -> (names, odd names)
        self._roots: dict[str, Path | None] = {}

    def listing(self, real_folder: str) -> tuple[list[str], set[str]] | None:
        """The names in a resolved folder, and those that are symbolic links or folders."""
        if real_folder not in self._listings:
            try:
                names, odd = [], set()
                with os.scandir(real_folder) as entries:
                    for entry in entries:
                        names.append(entry.name)
                        if entry.is_symlink() or entry.is_dir():
                            odd.add(entry.name)
                self._listings[real_folder] = (names, odd)
            except OSError:
                self._listings[real_folder] = None
        return self._listings[real_folder]

    def resolve(self, path: Path | str) -> tuple[str, bool]:
        """``str(Path(path).resolve())``, and whether it is a folder."""
        text = os.fspath(path)
        folder, name = os.path.split(text)
        real_folder = self._real.get(folder)
        if real_folder is None:
            real_folder = self._real[folder] = str(Path(folder).resolve())
        listing = self.listing(real_folder)
        if listing is None or name in listing[1] or name in ("", ".", ".."):
            real = str(Path(text).resolve())
            return real, os.path.isdir(real)
        return os.path.join(real_folder, name), False  # a plain file (or none): its folder decides

    def file(self, path: Path) -> tuple[str, Path | None]:
        """``path`` resolved, and ``find_root(path)`` (looked up once per folder)."""
        real, is_dir = self.resolve(path)
        if is_dir:
            return real, find_root(path)
        folder = os.path.dirname(real)
        if folder not in self._roots:
            self._roots[folder] = find_root(Path(real))
        return real, self._roots[folder]


def project(value: Any, fields: Any, strict: bool = False) -> Any:
    """The part of ``value`` named by ``fields`` (see ``checks.SHARED_FIELDS``). ``strict``
    mappings raise ``UndeclaredField`` when asked for a field that was not kept (tests use it
    to prove the list complete; plain dicts are faster to make and to send between processes)."""
    if fields is ...:
        return value
    if isinstance(value, dict):
        kept = {k: value[k] if sub is ... else project(value[k], sub, strict)
                for k, sub in fields.items() if k in value}
        return _Projected(kept, fields) if strict else kept
    if isinstance(value, list):
        return [project(v, fields, strict) if isinstance(v, dict) else v for v in value]
    return value


class UndeclaredField(LookupError):
    """A rule read a field that ``checks.SHARED_FIELDS`` does not keep (a bug in that list)."""


class _Projected(dict):  # type: ignore[type-arg]
    """A projected mapping that refuses to answer for a field it was not asked to keep,
    rather than silently answering "missing"."""

    __slots__ = ("_fields",)

    def __init__(self, data: dict[str, Any], fields: dict[str, Any]) -> None:
        super().__init__(data)
        self._fields = fields

    def _check(self, key: object) -> None:
        if key not in self._fields:
            raise UndeclaredField(f"a rule read '{key}', which respirocell.checks.SHARED_FIELDS does not keep; "
                                  "add it there")

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._check(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._check(key)
        return super().__contains__(key)


def _read(path: str) -> bytes | None:
    """A file's bytes with the fewest calls (no buffered file object): the scans read
    thousands of small files."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _alternation(words: Iterable[bytes]) -> bytes:
    """A regex matching any of ``words``, as a trie (``ab(?:c|d)``), so the engine tries each
    byte once however many words there are, where ``abc|abd|...`` would try every word."""
    trie: dict[int | None, Any] = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = True

    def emit(node: dict[int | None, Any]) -> bytes:
        branches = [re.escape(bytes([byte])) + emit(child) for byte, child in sorted(
            (k, v) for k, v in node.items() if k is not None)]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if None in node else body

    return emit(trie)


#: Fewest files worth scanning in worker processes: a file takes ~13 µs in one process, half
#: that on two cores, and starting the workers ~25 ms (measured on 10,000 files).
SCAN_MIN_FILES = 4000


def _mentioning(task: tuple[list[bytes], list[str]]) -> list[str]:
    """The files among ``task[1]`` whose lower-cased bytes hold one of the needles
    ``task[0]`` as a whole value (see ``Corpus.others_mentioning``)."""
    needles, paths = task
    whole = re.compile(_alternation(needles) + rb"""(?=[\s"',\]}#]|\Z)""").search
    # A part of each needle that has no letters reads the same in any case, so a file that
    # holds none of those parts cannot mention a needle and is not lower-cased at all.
    anchors = sorted({max(re.split(rb"[a-z]+", n), key=len) for n in needles})
    if len(needles) > 16 or min(map(len, anchors)) < 4:
        anchors = []
    hits = []
    for text in paths:
        raw = _read(text)
        if raw is None:
            continue
        if anchors:
            for anchor in anchors:
                if anchor in raw:
                    break
            else:
                continue
        lowered = raw.lower()
        if len(needles) <= 16:  # a plain substring test first: far faster than the regex engine
            if any(needle in lowered for needle in needles) and whole(lowered) is not None:
                hits.append(text)
        elif whole(lowered) is not None:
            hits.append(text)
    return hits


@dataclass
class Corpus:
    targets: list[RecordFile]
    roots: list[Path] = field(default_factory=list)
    #: The corpus' files outside the targets: path (as text) -> the name of its kind folder.
    #: Kept as text (100,000 Paths take a second to make); parsed only when a rule needs one.
    _others: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, RecordFile] = field(default_factory=dict)
    _ids: dict[str, list[tuple[str | None, str]]] | None = None
    _by_id: dict[tuple[str | None, str], RecordFile] | None = None

    @classmethod
    def from_paths(cls, paths: Iterable[Path], files: list[Path] | None = None, *, jobs: int | None = None) -> Corpus:
        """The files under ``paths`` (or ``files``), loaded (on every core when there are
        many: ``parallel.map_files``), in the corpus around them."""
        from .parallel import map_files, no_gc

        paths = list(paths)
        files = discover(paths) if files is None else files
        with no_gc():
            targets = map_files(load_file, files, jobs)
        return cls.from_records(targets, paths)

    @classmethod
    def from_records(cls, targets: list[RecordFile], paths: Iterable[Path] = ()) -> Corpus:
        folders = _Folders()
        files = [folders.file(t.path) for t in targets]
        found = [find_root(p) for p in paths] + [root for _, root in files]
        roots = sorted({r for r in found if r is not None})
        corpus = cls(targets=targets, roots=roots)
        seen = {real for real, _ in files}
        taken: dict[str, set[str]] = {}  # resolved folder -> names of targets in it
        for real, _ in files:
            folder, name = os.path.split(real)
            taken.setdefault(folder, set()).add(name)
        for root in roots:
            for kind_folder in KINDS:
                directory = root / kind_folder
                if not directory.is_dir():
                    continue
                real_dir = str(directory.resolve())
                listing = folders.listing(real_dir)
                if listing is None:
                    continue
                names, odd = listing
                mine = taken.get(real_dir, set())
                base = str(directory)
                # Sorted names are sorted Paths here: they share their folder.
                for name in sorted(n for n in names if _is_record_name(n) and (n in odd or n not in mine)):
                    text = os.path.join(base, name)  # == str(directory / name)
                    if name in odd and folders.resolve(text)[0] in seen:
                        continue
                    corpus._others[text] = kind_folder
        return corpus

    @property
    def other_paths(self) -> list[Path]:
        """The corpus' files outside the targets, in folder and name order."""
        return [Path(text) for text in self._others]

    # -- ids -----------------------------------------------------------------------------
    def ids(self) -> dict[str, list[tuple[str | None, str]]]:
        """Record id -> [(kind, file)] over the whole corpus."""
        if self._ids is None:
            ids: dict[str, list[tuple[str | None, str]]] = {}
            for t in self.targets:
                rid = t.record_id or (t.stem if not t.parsed else None)
                if rid:
                    ids.setdefault(rid, []).append((t.kind, t.display))
            for text, folder in self._others.items():
                ids.setdefault(os.path.basename(text).rsplit(".", 1)[0], []).append((KINDS.get(folder), text))
            self._ids = ids
        return self._ids

    def ids_of(self, kind: str) -> list[str]:
        return sorted(rid for rid, entries in self.ids().items() if any(k == kind for k, _ in entries))

    def kinds_of(self, rid: str) -> set[str | None]:
        return {k for k, _ in self.ids().get(rid, [])}

    # -- content -------------------------------------------------------------------------
    def get(self, kind: str, rid: str) -> dict[str, Any] | None:
        """The data of record ``rid`` of ``kind``, parsing it on first use."""
        if self._by_id is None:
            self._by_id = {}
            for t in self.targets:
                if t.parsed and t.record_id is not None:
                    self._by_id.setdefault((t.kind, t.record_id), t)
        target = self._by_id.get((kind, rid))
        if target is not None:
            return target.data  # type: ignore[no-any-return]
        for root in self.roots:
            for suffix in (".yaml", ".yml"):
                text = str(root / FOLDERS[kind] / f"{rid}{suffix}")
                if text in self._others:
                    rec = self._load_other(text)
                    if rec.parsed:
                        return rec.data  # type: ignore[no-any-return]
        return None

    def _load_other(self, text: str) -> RecordFile:
        if text not in self._loaded:
            self._loaded[text] = load_file(Path(text))
        return self._loaded[text]

    def others_mentioning(self, tokens: Iterable[str], folders: Iterable[str] = KINDS) -> Iterator[RecordFile]:
        """Records outside the targets, in ``folders``, whose text mentions any of ``tokens``
        as a whole value: followed by what can end a YAML scalar (a line end, a blank, a quote,
        ``,``, ``]``, ``}``, ``#``), so ``10.1/a.1`` does not pick every file citing ``10.1/a.12``.

        Each file is read once and scanned as bytes, in ASCII lower case (DOIs compare that
        way; a wider net only parses a file more), on every core when there are many (the
        pre-commit case: one changed file, the whole corpus around it); only files that
        mention a token are parsed.
        """
        from .parallel import jobs_for, map_files

        needles = sorted({t.encode("utf-8").lower() for t in tokens if t})
        wanted = set(folders)
        if not needles:
            return
        paths = [text for text, folder in self._others.items() if folder in wanted]
        jobs = jobs_for(len(paths)) if len(paths) >= SCAN_MIN_FILES else 1
        size = -(-len(paths) // (jobs * 4)) if jobs > 1 else len(paths) or 1
        chunks = [(needles, paths[i:i + size]) for i in range(0, len(paths), size)]
        for found in map_files(_mentioning, chunks, jobs):
            for text in found:
                rec = self._load_other(text)
                if rec.parsed:
                    yield rec

    @property
    def has_others(self) -> bool:
        return bool(self._others)
