"""Find record files, read them safely and parse them once, keeping where every value is.

Parsing is libyaml's (PyYAML's C parser) with the YAML 1.2 core schema, because YAML 1.1
surprises real curators:

* ``NO`` (Norway) and ``yes``/``on``/``off`` stay strings; only true/false are booleans;
* ``1.0e6`` and ``1e6`` are numbers (YAML 1.1 reads them as strings);
* unquoted dates such as ``2013-05-01`` stay strings, so partial dates work the same way;
* ``010`` is the integer 10, never octal 8; ``<<`` merge keys are ordinary (unknown) keys.

The node tree of that one parse is kept while a record is checked, so every finding gets a
line and column without reading the file again. Files come from pull requests, so reading is
defensive: only regular files are opened (a FIFO or device is a finding, never read), a
symlink is followed only while it stays inside the
records tree, the size is checked before reading and the read is bounded, and alias expansion
is capped in values and in bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import schema
from .fsio import NotRegular, TooLarge, read_regular
from .issues import Issue
from .yaml_core import (
    MAX_DEPTH,
    RecordLoader,
    TooDeep,
    Unusual,
    YamlProblem,
    build_plain,
    position,
    shown,
    too_deep,
)

MAX_FILE_BYTES = 1_000_000
#: Upper bounds on one record after aliases are expanded (alias bombs): values and text bytes.
MAX_NODES = 20_000
MAX_EXPANDED_BYTES = 2_000_000

PathElem = str | int

@dataclass
class RecordFile:
    """One YAML file and, when it parsed, its data."""

    path: Path
    display: str  # path as shown to the user
    kind: str | None  # schema class from the folder name; None outside a kind folder
    data: Any = None
    problems: list[Issue] = field(default_factory=list)
    #: libyaml's node tree, kept while the record is checked; positions then need no second read.
    nodes: yaml.Node | None = field(default=None, repr=False, compare=False)
    text: str | None = field(default=None, repr=False, compare=False)  # kept with ``nodes``
    #: Positions of (path, at_key) that cross-record rules may report at, taken before ``nodes``
    #: is dropped (rules declare them: ``checks.ANCHORS``).
    anchors: dict[tuple[tuple[PathElem, ...], bool], tuple[int | None, int | None]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def parsed(self) -> bool:
        return isinstance(self.data, dict)

    @property
    def record_id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def stem(self) -> str:
        return self.path.name.rsplit(".", 1)[0]

    def locate(self, path: tuple[PathElem, ...], at_key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value at ``path`` (or of its key), or of the nearest parent."""
        if self.nodes is not None:
            return locate_node(self.nodes, path, at_key)
        return self.anchors.get((path, at_key), (1, 1))


def kind_of(path: Path | str) -> str | None:
    found = schema.kind_of_folder(os.path.basename(os.path.dirname(os.path.abspath(path))))
    return found.name if found else None


def is_record_name(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def discover(paths: Iterable[Path], misnamed: list[tuple[Path, str]] | None = None) -> list[Path]:
    """All record files under ``paths`` (files are taken as given), sorted, without repeats.
    Folders are walked without following symlinked folders; hidden entries are skipped. Files
    of those folders named like a record but not read as one (see ``record_names``) are added
    to ``misnamed``, when it is given, each with the name it should have."""
    found: set[str] = set()  # sorted as text: comparing Path objects costs more than the walk
    for root in paths:
        if root.is_dir() and not root.is_symlink():
            found.update(record_names(os.fspath(root), misnamed))
        else:
            found.add(os.fspath(root))
    return [Path(name) for name in sorted(found)]


def record_names(root: str, misnamed: list[tuple[Path, str]] | None = None) -> list[str]:
    """The record files under folder ``root`` (``discover`` without Path objects: a tree of
    10,000 files is walked as text). Into ``misnamed`` go the files the walk passes over that an
    editor named wrongly: an upper-case extension (``x.YAML``) or an added ``.txt``
    (``x.yaml.txt``), with the name each should have. Hidden files stay ignored (lock files)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if is_record_name(name):
                found.append(os.path.join(dirpath, name))
            elif misnamed is not None and not name.startswith("."):
                stem, dot, ext = (name[:-4] if name.lower().endswith(".txt") else name).rpartition(".")
                if dot and ext.lower() in ("yaml", "yml"):
                    misnamed.append((Path(dirpath, name), f"{stem}.{ext.lower()}"))
    return found


def holds_records(folder: Path) -> bool:
    """Whether ``folder`` is a records folder: it holds a kind folder (studies/, ...), whatever its name."""
    return any(folder.joinpath(k.folder).is_dir() for k in schema.kinds())


def inside_records(output: Path, inputs: Iterable[Path] = (), *, folders: Iterable[Path] = ()) -> str | None:
    """Why nothing may be written at ``output``: it is, or is inside, the records folder of a file
    among ``inputs`` or one of ``folders`` (whole records folders, as a site or release is built
    from: even one with no record yet), so what is written there would be read as records. None if
    it is not."""
    where = output.resolve()
    files = [Path(os.path.realpath(f)) for f in discover(list(inputs))]  # realpath: a symlink loop is no error
    trees = {Path(os.path.realpath(p)) for p in folders} | {find_root(f) or f.parent for f in files}
    for tree in sorted(trees):
        if where == tree or tree in where.parents:
            return (f"{output} is inside {display_path(tree)}, which holds the records (what is written there "
                    "would be read as records); write it elsewhere, such as build/")
    return None


def find_root(path: Path) -> Path | None:
    """The records folder around ``path`` (the parent of its kind folder), if any."""
    return _find_root(path) if path.is_dir() else _find_root(path.parent)


@lru_cache(maxsize=1024)
def _find_root(path: Path) -> Path | None:
    for parent in [path, *path.parents]:
        if schema.kind_of_folder(parent.name) is not None:
            return parent.parent
        if holds_records(parent):
            return parent
    return None


def display_path(path: Path) -> str:
    """``path`` relative to the working directory where it lies below it, else as given."""
    text = os.fspath(path)
    if os.path.isabs(text):
        try:
            rel = os.path.relpath(text)
        except ValueError:  # pragma: no cover - another drive on Windows
            return text
        return text if rel.startswith(os.pardir) else rel
    return os.path.normpath(text)


def read_bounded(path: Path, tree: Path | None = None) -> bytes:
    """The bytes of a record file, refusing what a hostile pull request could use against the
    reader: special files (never opened), symlinks that leave ``tree``, files over the limit."""
    try:
        target = path
        if stat.S_ISLNK(os.lstat(path).st_mode):
            try:
                target = path.resolve(strict=True)
            except RuntimeError:  # a loop (Python 3.13 raises OSError ELOOP, handled below)
                raise OSError(errno.ELOOP, "a symlink loop") from None
            inside = (tree or path.parent).resolve()
            if not target.is_relative_to(inside):
                raise YamlProblem("unsafe-file", "this file is a symlink to a place outside the records folder; it "
                                  "was not read", 1, 1, suggestion="commit the record itself, not a link to it")
        return read_regular(target, MAX_FILE_BYTES, follow_symlinks=False)
    except NotRegular:
        raise YamlProblem("unsafe-file", "this is not a regular file (a pipe, device, socket or folder); it was "
                          "not read", 1, 1, suggestion="records are plain text files") from None
    except TooLarge as exc:
        raise too_large(exc.size) from None
    except OSError as exc:
        raise YamlProblem("unreadable-file", f"cannot read file: {exc.strerror or exc}", 1, 1,
                          suggestion="check the file exists and can be read") from None


def too_large(size: int) -> YamlProblem:
    return YamlProblem("file-too-large", f"file is {size:,} bytes; records are limited to {MAX_FILE_BYTES:,}", 1, 1,
                       suggestion="a record is a few kilobytes; split it or remove pasted text")


def decode(raw: bytes) -> str:
    """The text of a record file; YamlProblem for bytes that are not UTF-8 or hold nothing."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem("encoding", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", line, column,
                          suggestion="save the file as UTF-8 (most editors: 'Save with encoding')") from None
    text = text.removeprefix("\ufeff")
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise YamlProblem("empty-file", "file has no content", 1, 1,
                          suggestion="fill it in, or create it with 'respirocell new'")
    return text


def parse_record(raw: bytes) -> tuple[Any, yaml.Node | None, str]:
    """One record's data, the node tree it was built from and its text. Raises YamlProblem for
    every file-level problem."""
    from . import yaml_errors

    text = decode(raw)
    loader = RecordLoader(text)
    try:
        node = loader.get_single_node()
        try:
            data = build_plain(node, set()) if node is not None else None
        except Unusual:
            data = loader.construct_document(node)
            if too_deep(data, MAX_NODES + 1):
                raise TooDeep from None
    except YamlProblem:
        raise
    except TooDeep:
        from .yaml_errors import deepest

        raise YamlProblem("yaml-too-deep", f"the file nests more than {MAX_DEPTH} levels deep; a record nests only a "
                          "few", *deepest(text, MAX_DEPTH),
                          suggestion="records nest only a few levels deep; check for unclosed brackets") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise yaml_errors.explain(exc, text) from None
    finally:
        loader.dispose()
    if "*" in text:
        _check_expansion(data, text)
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"the value {shown(repr(data))}"
        raise YamlProblem("not-a-mapping", f"the file holds {what}, but a record is a mapping of field: value", 1, 1,
                          suggestion="start the file with 'id: <record id>' and one field per line")
    return data, node, text


def parse_text(raw: bytes) -> Any:
    return parse_record(raw)[0]


def _check_expansion(data: Any, text: str) -> None:
    """Aliases can make a small file mean a huge record: cap its values and its text."""
    from .yaml_errors import first_alias

    stack, values, size = [data], 0, 0
    while stack:
        item = stack.pop()
        values += 1
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
            size += sum(len(k) for k in item)
        elif isinstance(item, list):
            stack.extend(item)
        if values > MAX_NODES or size > MAX_EXPANDED_BYTES:
            what = f"more than {MAX_NODES:,} values" if values > MAX_NODES else \
                f"more than {MAX_EXPANDED_BYTES:,} characters of text"
            raise YamlProblem("yaml-too-complex", f"after expanding aliases (*name) the record has {what}",
                              *first_alias(text), suggestion="write the values out instead of repeating anchors")


def load_file(path: Path, tree: Path | None = None, keep_nodes: bool = False) -> RecordFile:
    """Read and parse one file; file-level problems are recorded, never raised."""
    record = RecordFile(path=path, display=display_path(path), kind=kind_of(path))
    try:
        record.data, nodes, text = parse_record(read_bounded(path, tree))
    except YamlProblem as problem:
        # A problem of the whole file is shown at its start, so every finding has a place
        # editors and pull-request annotations can point at.
        record.problems.append(Issue(problem.code, problem.message, record.display, line=problem.line or 1,
                                     column=problem.column or 1, suggestion=problem.suggestion))
    else:
        if keep_nodes:
            record.nodes, record.text = nodes, text
    return record


Position = tuple[int | None, int | None]


def locate_node(node: yaml.Node | None, path: tuple[PathElem, ...], at_key: bool = False) -> Position:
    """Position of ``path`` in a node tree: the value (or its key), else the deepest existing parent."""
    if node is None:
        return (1, 1)
    current: yaml.Node = node
    mark = current.start_mark
    for depth, elem in enumerate(path, start=1):
        if isinstance(current, yaml.MappingNode) and isinstance(elem, str):
            for key_node, value_node in current.value:
                if key_node.value == elem:
                    mark = key_node.start_mark if at_key and depth == len(path) else value_node.start_mark
                    current = value_node
                    break
            else:
                return position(mark)
        elif isinstance(current, yaml.SequenceNode) and isinstance(elem, int) and 0 <= elem < len(current.value):
            current = current.value[elem]
            mark = current.start_mark
        else:
            return position(mark)
    return position(mark)


def leaves(data: Any, path: tuple[PathElem, ...] = ()) -> Iterator[tuple[tuple[PathElem, ...], Any]]:
    """(path, value) for every value of ``data`` that is neither a mapping nor a list."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, (*path, i))
    else:
        yield path, data


def format_path(path: Iterable[PathElem]) -> str:
    """('arms', 0, 'dose') -> 'arms[0].dose'."""
    out = ""
    for elem in path:
        out += f"[{elem}]" if isinstance(elem, int) else (f".{elem}" if out else str(elem))
    return out
