"""Find record files and parse them safely, keeping what is needed to point at a line.

Parsing uses libyaml (PyYAML's C parser) with a YAML 1.2 core-schema resolver written
here on purpose, because YAML 1.1 surprises real curators:

* ``NO`` (Norway) and ``yes``/``on``/``off`` stay strings; only true/false are booleans;
* ``1.0e6`` and ``1e6`` are numbers (YAML 1.1 reads them as strings);
* unquoted dates such as ``2013-05-01`` stay strings, so partial dates work the same way;
* ``010`` is the integer 10, never octal 8; ``<<`` merge keys are ordinary (unknown) keys.

Most record files are read by ``fastyaml``, a reader for the plain part of YAML that
records are written in (almost twice as fast as libyaml's node tree, positions included);
it declines anything else. The rest is built straight from libyaml's node tree (``_build``),
and only unusual documents (tags, aliases to collections, anything to report) go through the
full constructor, which is what gives findings their wording. tests/test_fastyaml.py and
tests/test_loading_equivalence.py hold all three, and PyYAML's pure-Python parser, to the
same results.

Positions are computed only when a finding needs one (``locate``): from what the parse kept
while the record is being checked (``load_file(keep_nodes=True)``), else by reading the file
again; valid files never pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import fastyaml
from .fastyaml import CORE_SCHEMA, to_float, to_int
from .issues import Issue

#: Folder name -> record kind (schema class).
KINDS: dict[str, str] = {"studies": "Study", "cell_sources": "CellSource", "conditions": "Condition"}
FOLDERS: dict[str, str] = {kind: folder for folder, kind in KINDS.items()}
MAX_FILE_BYTES = 1_000_000
#: Upper bound on values in one record after aliases are expanded (alias bombs).
MAX_NODES = 20_000

PathElem = str | int
#: Where a parsed record's values are: ``fastyaml``'s spots, libyaml's node tree, or None.
Positions = fastyaml.Spot | yaml.Node | None


class YamlProblem(Exception):
    """A file-level problem found while parsing; carries a stable code and a position."""

    def __init__(self, code: str, message: str, line: int | None = None, column: int | None = None,
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.column, self.suggestion = code, message, line, column, suggestion


class _Core12Resolver(yaml.resolver.BaseResolver):
    """Implicit typing of plain scalars per the YAML 1.2 core schema."""


for _tag, _regex, _first in CORE_SCHEMA:
    _Core12Resolver.add_implicit_resolver(_tag, _regex, _first)


def _shown(text: str, limit: int = 40) -> str:
    """``text`` for a message: long values (an integer of 5,000 digits) are cut short."""
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


class _SafeConstructor(yaml.constructor.BaseConstructor):
    """Builds plain dict/list/str/int/float/bool/None; anything else is refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem("yaml-syntax", "expected a mapping", *_pos(node.start_mark))
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise YamlProblem("non-string-key", f"field names must be text, not {key!r}",
                                  *_pos(key_node.start_mark),
                                  suggestion="write a field name from the schema, such as title:")
            if key in mapping:
                raise YamlProblem("duplicate-key", f"field '{key}' appears twice in the same mapping",
                                  *_pos(key_node.start_mark),
                                  suggestion=f"keep one '{key}:' and delete the other; YAML would silently keep "
                                  "only the last")
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_map(self, node: yaml.MappingNode) -> Iterator[dict[str, Any]]:
        data: dict[str, Any] = {}
        yield data
        data.update(self.construct_mapping(node))

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Iterator[list[Any]]:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_yaml_null(self, node: yaml.ScalarNode) -> None:
        return None

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        try:
            return to_int(text)
        except ValueError:  # only with an explicit tag: !!int abc, !!int 0xZZ
            raise YamlProblem("yaml-syntax", f"'{_shown(text)}' is not an integer", *_pos(node.start_mark)) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node))
        try:
            return to_float(text)
        except ValueError:
            raise YamlProblem("yaml-syntax", f"'{_shown(text.lower())}' is not a number",
                              *_pos(node.start_mark)) from None

    def construct_undefined(self, node: yaml.Node) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(
            "yaml-tag", f"the tag '{tag}' is not allowed in records", *_pos(node.start_mark),
            suggestion="remove the tag (the text starting with '!'); records hold plain text, numbers and lists")


for _name, _fn in [
    ("tag:yaml.org,2002:map", _SafeConstructor.construct_yaml_map),
    ("tag:yaml.org,2002:seq", _SafeConstructor.construct_yaml_seq),
    ("tag:yaml.org,2002:str", _SafeConstructor.construct_yaml_str),
    ("tag:yaml.org,2002:null", _SafeConstructor.construct_yaml_null),
    ("tag:yaml.org,2002:bool", _SafeConstructor.construct_yaml_bool),
    ("tag:yaml.org,2002:int", _SafeConstructor.construct_yaml_int),
    ("tag:yaml.org,2002:float", _SafeConstructor.construct_yaml_float),
    (None, _SafeConstructor.construct_undefined),
]:
    _SafeConstructor.add_constructor(_name, _fn)  # type: ignore[arg-type]


class _FastCore12Resolver(_Core12Resolver):
    """The same implicit typing, minus the generic machinery libyaml's composer calls per node:
    there are no path resolvers and no wildcard resolvers, so descending is a no-op and a
    plain scalar needs only the resolvers for its first character."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool],
                _scalar: type = yaml.ScalarNode, _by_first: dict[str, Any] = _Core12Resolver.yaml_implicit_resolvers,
                _default: str = _Core12Resolver.DEFAULT_SCALAR_TAG,
                _container: dict[type, str] = {yaml.SequenceNode: _Core12Resolver.DEFAULT_SEQUENCE_TAG,  # noqa: B006
                                               yaml.MappingNode: _Core12Resolver.DEFAULT_MAPPING_TAG}) -> str:
        if kind is not _scalar:
            return _container[kind]
        if implicit[0]:
            resolvers = _by_first.get(value[:1])
            if resolvers is not None:
                for tag, regexp in resolvers:
                    if regexp.match(value):
                        return tag  # type: ignore[no-any-return]
        return _default


assert not _Core12Resolver.yaml_path_resolvers and None not in _Core12Resolver.yaml_implicit_resolvers

try:
    # Not ``yaml.CParser``: PyYAML does not re-export it (cyaml's __all__ lists only the loaders),
    # so that spelling silently picked the pure-Python parser, about 10x slower.
    from yaml import cyaml as _cyaml

    _CParser: Any = _cyaml.CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None


class PyRecordLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                     yaml.composer.Composer, _SafeConstructor, _Core12Resolver):
    """PyYAML's pure-Python parser + the safe 1.2 constructor: the reference the fast path is
    tested against (tests/test_loading_equivalence.py), and the fallback where libyaml is missing."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _SafeConstructor.__init__(self)
        _Core12Resolver.__init__(self)


if _CParser is not None:
    class RecordLoader(_CParser, _SafeConstructor, _FastCore12Resolver):  # type: ignore[misc]
        """libyaml parser + the safe 1.2 constructor above."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _SafeConstructor.__init__(self)
            _FastCore12Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    RecordLoader = PyRecordLoader  # type: ignore[misc,assignment]


class _Unusual(Exception):
    """The fast builder met something only the full constructor handles (or reports)."""


# The resolver's own string objects, so most tag comparisons are identity checks.
_STR, _MAP, _SEQ = (_Core12Resolver.DEFAULT_SCALAR_TAG, _Core12Resolver.DEFAULT_MAPPING_TAG,
                    _Core12Resolver.DEFAULT_SEQUENCE_TAG)
_NULL, _BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float"))


def _build(node: yaml.Node, seen: set[int]) -> Any:
    """The data ``_SafeConstructor`` makes of a node tree, without its per-node bookkeeping
    (constructed-object table, deferred generators). Anything it would refuse or that is not
    plain data raises ``_Unusual``, and the caller runs the full constructor, so findings keep
    their exact wording and order; so does a collection met twice (an alias, which could be an
    alias bomb or a cycle). Equivalence: tests/test_loading_equivalence.py."""
    cls = node.__class__
    if cls is _ScalarNode:
        return _scalar(node)  # type: ignore[arg-type]
    if id(node) in seen:
        raise _Unusual
    seen.add(id(node))
    if cls is _MappingNode and node.tag == _MAP:
        pairs = node.value
        mapping: dict[str, Any] = {}
        for key_node, value_node in pairs:
            if key_node.tag != _STR or key_node.__class__ is not _ScalarNode:
                raise _Unusual
            if value_node.__class__ is _ScalarNode:
                mapping[key_node.value] = value_node.value if value_node.tag == _STR else _scalar(value_node)
            else:
                mapping[key_node.value] = _build(value_node, seen)
        if len(mapping) != len(pairs):  # a key given twice
            raise _Unusual
        return mapping
    if cls is _SequenceNode and node.tag == _SEQ:
        return [item.value if item.__class__ is _ScalarNode and item.tag == _STR else _build(item, seen)
                for item in node.value]
    raise _Unusual


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    try:
        if tag == _INT:
            return to_int(value)
        if tag == _FLOAT:
            return to_float(value)
    except ValueError:
        raise _Unusual from None
    raise _Unusual


_ScalarNode, _MappingNode, _SequenceNode = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


def _pos(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


@dataclass
class RecordFile:
    """One YAML file and, when it parsed, its data."""

    path: Path
    display: str  # path as shown to the user
    kind: str | None  # schema class from the folder name, None if the folder is not a kind folder
    data: Any = None
    problems: list[Issue] = field(default_factory=list)
    #: Where the values are (``Positions``: the fast reader's spots or libyaml's node tree),
    #: kept by ``load_file(keep_nodes=True)`` only while the record is checked: positions then
    #: need no second read of the file.
    nodes: Any = field(default=None, repr=False, compare=False)

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
        return locate(self.path, path, at_key)


def kind_of(path: Path) -> str | None:
    return KINDS.get(path.parent.name)


def is_record_file(path: Path) -> bool:
    return _is_record_name(path.name)


def discover(paths: Iterable[Path]) -> list[Path]:
    """All record files under ``paths`` (files are taken as given), sorted, without repeats."""
    if os.name != "posix":  # pragma: no cover - Path order and equality ignore case there
        return _discover_paths(paths)
    # Path equality and order are those of its parts (on POSIX), so files are kept by parts
    # and sorted by them; each folder is parsed once, and Paths made only at the end.
    found: dict[tuple[str, ...], tuple[Path, str | None]] = {}
    for root in paths:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                folder: Path | None = None
                for name in filenames:
                    if _is_record_name(name):
                        if folder is None:
                            folder = Path(dirpath)
                            parts = folder.parts
                        found.setdefault((*parts, name), (folder, name))
        else:
            found.setdefault(root.parts, (root, None))
    return [base / name if name is not None else base for base, name in (found[key] for key in sorted(found))]


def _discover_paths(paths: Iterable[Path]) -> list[Path]:
    found: set[Path] = set()
    for root in paths:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                found.update(Path(dirpath, name) for name in filenames if _is_record_name(name))
        else:
            found.add(root)
    return sorted(found)


def _is_record_name(name: str) -> bool:
    """``is_record_file`` on a bare file name, without making a Path of it."""
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


_cwd: tuple[str, str] | None = None  # (os.getcwd(), its display prefix)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory, as ``os.path.relpath`` gives it; the usual
    cases (a normalised path below the working directory) skip its two ``abspath`` calls."""
    global _cwd
    text = os.fspath(path)
    cwd = os.getcwd()
    if _cwd is None or _cwd[0] != cwd:
        _cwd = (cwd, os.path.join(cwd, ""))
    if os.path.normpath(text) == text and text != os.curdir:
        if not os.path.isabs(text):
            if text != os.pardir and not text.startswith(os.pardir + os.sep):
                return text
        elif text.startswith(_cwd[1]):
            return text[len(_cwd[1]):]
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return text


def _construct(loader: Any, fast: bool) -> tuple[Any, yaml.Node | None]:
    """``loader.get_single_data()`` and the node tree it was built from; with ``fast``, the
    document is built by ``_build`` unless it is unusual (an alias to a collection, a tag, a
    problem to report), when the full constructor builds it (and reports the problem)."""
    if not fast:
        return loader.get_single_data(), None
    node = loader.get_single_node()
    if node is None:
        return None, None
    try:
        return _build(node, set()), node
    except _Unusual:
        return loader.construct_document(node), node


def parse_text(raw: bytes, *, loader_class: type = RecordLoader, fast: bool = True) -> Any:
    """Parse one record's bytes. Raises YamlProblem for every file-level problem.

    ``loader_class`` and ``fast`` exist for the differential tests: ``PyRecordLoader`` with
    ``fast=False`` is the reference the default path must agree with."""
    return parse_record(raw, loader_class=loader_class, fast=fast)[0]


def parse_record(raw: bytes, *, loader_class: type = RecordLoader, fast: bool = True) -> tuple[Any, Positions]:
    """``parse_text``, and where its values are (for ``locate_node``): the fast reader's spots,
    or else the node tree the data was built from."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem("file-too-large", f"file is {len(raw):,} bytes; records are limited to {MAX_FILE_BYTES:,}",
                          suggestion="a record is a few kilobytes; split it or remove pasted text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem("encoding", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", line, column,
                          suggestion="save the file as UTF-8 (most editors: 'Save with encoding')") from None
    text = text.removeprefix("\ufeff")
    if not (text[:1].isascii() and text[:1].isalnum()) and (  # a record starts "id:"; others are looked at
            not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines())):
        raise YamlProblem("empty-file", "file has no content", 1, 1,
                          suggestion="fill it in, or create it with 'respirocell new'")
    if fast:
        plain = fastyaml.read(text)
        if plain is not None:
            return plain
    loader = None
    try:
        loader = loader_class(text)  # the pure-Python reader checks characters here already
        data, node = _construct(loader, fast)
    except YamlProblem:
        raise
    except yaml.composer.ComposerError as exc:
        if "single document" in f"{exc.context} {exc.problem}":
            raise YamlProblem("multiple-documents", "file holds more than one YAML document (a line with ---)",
                              *_pos(exc.problem_mark),
                              suggestion="keep one record per file; split the others into their own files") from None
        raise YamlProblem("yaml-syntax", _yaml_message(exc), *_pos(exc.problem_mark or exc.context_mark)) from None
    except yaml.MarkedYAMLError as exc:
        message = _yaml_message(exc)
        code = "yaml-too-deep" if "nesting depth" in message else "yaml-syntax"
        suggestion = _syntax_hint(message)
        raise YamlProblem(code, message, *_pos(exc.problem_mark or exc.context_mark), suggestion=suggestion) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) have no problem_mark
        raise YamlProblem("yaml-syntax", str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlProblem("yaml-too-deep", "the file nests too deeply to be a record", *_deepest(text),
                          suggestion=_syntax_hint("nesting depth")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if "*" in text and _too_many_nodes(data):
        raise YamlProblem("yaml-too-complex",
                          f"after expanding aliases (*name) the record has more than {MAX_NODES:,} values",
                          *_first_alias(text), suggestion="write the values out instead of repeating anchors")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {data!r}"
        raise YamlProblem("not-a-mapping", f"the file holds {kind}, but a record is a mapping of field: value", 1, 1,
                          suggestion="start the file with 'id: <record id>' and one field per line")
    return data, node


def _scan_for(text: str, wanted: Callable[[yaml.Token, int], bool]) -> tuple[int | None, int | None]:
    """Position of the first token ``wanted(token, depth)`` accepts, scanning without building nodes
    (iterative, so safe on inputs that defeat the composer); a scanner error's own position
    otherwise. Only used for files that already failed."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
                                  yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken)):
                depth += 1
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)):
                depth -= 1
            if wanted(token, depth):
                return _pos(token.start_mark)
    except yaml.MarkedYAMLError as exc:
        return _pos(exc.problem_mark)
    return (1, 1)


def _deepest(text: str, limit: int = 100) -> tuple[int | None, int | None]:
    return _scan_for(text, lambda _token, depth: depth > limit)


def _first_alias(text: str) -> tuple[int | None, int | None]:
    return _scan_for(text, lambda token, _depth: isinstance(token, yaml.AliasToken))


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "; ".join(parts) if parts else "invalid YAML"


def _syntax_hint(message: str) -> str | None:
    if "mapping values are not allowed" in message:
        return "a text value contains ': '; put the whole value in quotes"
    if "found character '\\t'" in message:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in message:
        return "each line is 'field: value'; check the line above for a missing colon or an unclosed quote"
    if "nesting depth" in message:
        return "records nest only a few levels deep; check for unclosed brackets"
    return None


def _too_many_nodes(data: Any) -> bool:
    stack, seen = [data], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def load_file(path: Path, keep_nodes: bool = False) -> RecordFile:
    """Read and parse one file; file-level problems are recorded, never raised."""
    record = RecordFile(path=path, display=display_path(path), kind=kind_of(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        record.problems.append(Issue("unreadable-file", f"cannot read file: {exc.strerror}", record.display,
                                     line=1, column=1, suggestion="check the file exists and can be read"))
        return record
    try:
        record.data, nodes = parse_record(raw)
    except YamlProblem as problem:
        # A problem of the whole file (too large, unreadable) is shown at its start, so every
        # finding has a place editors and pull-request annotations can point at.
        record.problems.append(Issue(problem.code, problem.message, record.display, line=problem.line or 1,
                                     column=problem.column or 1, suggestion=problem.suggestion))
    else:
        if keep_nodes:
            record.nodes = nodes
    return record


if _CParser is not None:
    class _NodeLoader(_CParser, _FastCore12Resolver):  # type: ignore[misc]
        """Nodes only, for positions: libyaml and the light resolver (tags do not matter here)."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _FastCore12Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _NodeLoader = yaml.SafeLoader  # type: ignore[misc,assignment]


def _compose(path: Path) -> Positions:
    """Where the values of ``path`` are (the fast reader's spots, else libyaml's node tree),
    cached by absolute path and file state: a relative path may name another file after a
    chdir, and a file may change between two runs in one process."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _compose_cached(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _compose_cached(path: Path, _mtime_ns: int, _size: int) -> Positions:
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        plain = fastyaml.read(text)
        if plain is not None:
            return plain[1]
        return yaml.compose(text, Loader=_NodeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def locate(file: Path, path: tuple[PathElem, ...], at_key: bool = False) -> tuple[int | None, int | None]:
    """Position of ``path`` in ``file``: the value (or its key), else the deepest existing parent."""
    return locate_node(_compose(file), path, at_key)


def locate_node(node: Positions, path: tuple[PathElem, ...], at_key: bool = False) -> tuple[int | None, int | None]:
    """``locate`` in positions already read: the fast reader's spots or a node tree."""
    if node is None:
        return (None, None)
    if not isinstance(node, yaml.Node):
        return fastyaml.locate(node, path, at_key)
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
                return _pos(mark)
        elif isinstance(current, yaml.SequenceNode) and isinstance(elem, int) and 0 <= elem < len(current.value):
            current = current.value[elem]
            mark = current.start_mark
        else:
            return _pos(mark)
    return _pos(mark)


def format_path(path: Iterable[PathElem]) -> str:
    """('arms', 0, 'dose') -> 'arms[0].dose'."""
    out = ""
    for elem in path:
        out += f"[{elem}]" if isinstance(elem, int) else (f".{elem}" if out else str(elem))
    return out
