"""Rewrite records into one canonical YAML layout without changing what they say.

The canonical form:

* keys in schema order (the generated models' field order), with a record's ``id`` first and
  its ``notes`` and ``curation`` last, as in docs/curation-brief.md; unknown keys keep their
  place after the known ones, so the validator can still point at them;
* 2-space indentation, list items indented under their key (``  - name: ...``);
* a list of plain values on one line (``fields: [title, status]``) when it fits in ``WIDTH``
  columns and no comment sits on an item, else one item a line; mappings always in block style;
* text quoted only when needed, in double quotes; always quoted when it would otherwise be read
  as a number, boolean or null - by YAML 1.2 (our loader) or by YAML 1.1 tools (``NO``, ``yes``,
  ``y``, ``1_000``). Dates stay unquoted: our loader reads them as text;
* text too long for its line becomes a folded block (``>-``) wrapped at ``WIDTH`` columns; a
  folded block keeps its author's line breaks while every line fits, and text that fits on its
  line is written there;
* comments kept: a comment line belongs to the node below it and moves with it, an end-of-line
  comment stays on its node's line, and a header separated from the first key by a blank line
  stays at the top. Blank lines are kept (runs collapse to one); no trailing whitespace; LF
  line ends and one final newline.

ruamel.yaml's round-trip mode does the emitting, reading with the same YAML 1.2 core resolver
as ``loading``. Comments are placed here rather than left in ruamel's comment slots, because
ruamel files a comment line under the node *before* it, which would carry comments to the
wrong key when keys are reordered.

Every result is checked before it is returned: it must parse (with ``loading.parse_text``) to
exactly the data of the original, keep every comment, and format to itself again. A file
that fails any of these raises FormatError and is never written.
"""

from __future__ import annotations

import bisect
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

from .issues import Issue
from .loading import YamlProblem, _Core12Resolver, display_path, kind_of, parse_text

WIDTH = 100
#: A record opens with its id and closes with its provenance (docs/curation-brief.md).
LEADING_FIELDS = ("id",)
TRAILING_FIELDS = ("notes", "curation")

Path_ = tuple[str | int, ...]


class FormatError(Exception):
    """Formatting would change the data or lose a comment; the file is left as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- schema order ---------------------------------------------------------------------------

def _defs() -> dict[str, Any]:
    from .schema_check import json_schema

    return json_schema()["$defs"]  # type: ignore[no-any-return]


@cache
def field_order(cls: str) -> tuple[str, ...]:
    """The canonical field order of schema class ``cls``.

    The generated models list fields in the schema file's order, inherited ones first; a
    record's bookkeeping fields are then moved to the places the curation brief gives them.
    """
    from ._generated import models

    names = list(getattr(models, cls).model_fields)
    if cls != "Record" and issubclass(getattr(models, cls), models.Record):
        lead = [n for n in LEADING_FIELDS if n in names]
        trail = [n for n in TRAILING_FIELDS if n in names]
        names = lead + [n for n in names if n not in lead and n not in trail] + trail
    return tuple(names)


def property_schema(cls: str, name: str) -> dict[str, Any] | None:
    prop = _defs().get(cls, {}).get("properties", {}).get(name)
    return prop if isinstance(prop, dict) else None


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def nested_class(cls: str | None, name: str) -> str | None:
    """The schema class of field ``name``'s value (or of its items), if it is an object."""
    if cls is None:
        return None
    prop = property_schema(cls, name)
    if prop is None:
        return None
    target = ref_name(prop) or ref_name(prop.get("items", {}) if isinstance(prop.get("items"), dict) else {})
    return target if target is not None and "properties" in _defs().get(target, {}) else None


# -- reading: ruamel with our YAML 1.2 core resolver -------------------------------------

#: The implicit types of ``loading``'s YAML 1.2 core resolver (first character -> [(tag, regex)]),
#: shared so that the formatter reads every plain scalar exactly as the validator does.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = _Core12Resolver.yaml_implicit_resolvers


class _CoreResolver(VersionedResolver):
    """ruamel's resolver with exactly the implicit types ``loading`` knows: no dates, no merge keys."""

    @property
    def versioned_resolver(self) -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
        return _IMPLICIT


class _Emitter(Emitter):
    """Quoted text in double quotes, as the curation brief writes it ("%", "23172343").

    Single quotes remain for text that itself holds a double quote or a backslash, which
    double quotes would have to escape.
    """

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        value = self.event.value
        if style == "'" and '"' not in value and "\\" not in value:
            return '"'
        return style


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.Resolver = _CoreResolver
    rt.Emitter = _Emitter
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = WIDTH
    rt.preserve_quotes = False
    rt.allow_unicode = True
    rt.default_flow_style = False
    return rt


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # positions only: any YAML version will do
_YAML11 = yaml.resolver.Resolver()
_ANALYZER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)
_PLAIN_TYPES = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}


def needs_quotes(text: str) -> bool:
    """True if ``text`` written plain would be read as something other than text.

    Checked under YAML 1.2 (how respirocell reads records) and YAML 1.1 (how PyYAML's
    default loader, and many other tools, would read them). Dates may stay plain: both read
    them as a date-like text the validator accepts.
    """
    for tag, pattern in _IMPLICIT.get(text[:1], []):
        if pattern.match(text) and not tag.endswith("str"):
            return True
    if text in ("y", "Y", "n", "N"):  # YAML 1.1 booleans that PyYAML itself leaves out
        return True
    return _YAML11.resolve(yaml.ScalarNode, text, (True, False)) not in _PLAIN_TYPES  # type: ignore[no-untyped-call]


# -- comments ------------------------------------------------------------------------------

@dataclass
class _Comment:
    line: int  # 0-based, in the original text
    column: int
    text: str  # "# ..." without surrounding whitespace; "" for a blank line


@dataclass
class _Node:
    path: Path_
    line: int
    column: int
    eol_line: int  # where an end-of-line comment of this node goes
    scalar_like: bool  # a scalar or a flow collection (its value ends on eol_line)
    node: yaml.Node


@dataclass
class _Placement:
    header: list[str] = field(default_factory=list)
    before: dict[Path_, list[str]] = field(default_factory=dict)
    eol: dict[Path_, list[tuple[int, str]]] = field(default_factory=dict)  # (original column, text)
    trailing: list[str] = field(default_factory=list)

    def commented_paths(self) -> set[Path_]:
        return {p for p, lines in self.before.items() if any(lines)} | set(self.eol)


def _covered_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges that belong to tokens (scalars, anchors ...): a '#' there is content."""
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]

    def index(mark: yaml.Mark) -> int:  # from line and column: libyaml's own index counts bytes
        return starts[mark.line] + mark.column if mark.line < len(starts) else len(text)

    spans = []
    for token in yaml.scan(text, Loader=_FastLoader):
        start, end = index(token.start_mark), index(token.end_mark)
        if start == end:
            continue
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            header = re.match(r"[|>][-+0-9]*", text[start:])
            assert header is not None
            spans.append((start, start + header.end()))
            body = text.find("\n", start)
            if body == -1:
                continue
            body += 1
            if "+" not in header.group():
                # Trailing blank lines are not content (clip/strip chomping): leave them to the layout.
                content = text[body:end].rstrip(" \n")
                end = body + len(content) if content else body
            spans.append((body, end))
        else:
            spans.append((start, end))
    return sorted(spans)


def _comments(text: str) -> tuple[list[_Comment], set[int]]:
    """Comment lines and end-of-line comments of ``text``, and the set of blank line numbers."""
    spans = _covered_spans(text)
    starts = [s for s, _ in spans]

    def covered(index: int) -> bool:
        i = bisect.bisect_right(starts, index) - 1
        return i >= 0 and spans[i][0] <= index < spans[i][1]

    comments, blanks = [], set()
    offset = 0
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            if not covered(offset):
                blanks.add(number)
        else:
            for match in re.finditer("#", line):
                col = match.start()
                if (col == 0 or line[col - 1] in " \t") and not covered(offset + col):
                    comments.append(_Comment(number, col, line[col:].rstrip()))
                    break
        offset += len(line) + 1
    return comments, blanks


def _nodes(root: yaml.Node) -> list[_Node]:
    """Every mapping entry and list item with its path and positions, in document order."""
    out: list[_Node] = []

    def eol_line(line: int, value: yaml.Node) -> tuple[int, bool]:
        if isinstance(value, yaml.ScalarNode):
            return (value.start_mark.line if value.style in ("|", ">") else value.end_mark.line), True
        if getattr(value, "flow_style", False):
            return value.end_mark.line, True
        return line, False

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                p = (*path, key.value)
                line, scalar_like = eol_line(key.start_mark.line, value)
                out.append(_Node(p, key.start_mark.line, key.start_mark.column, line, scalar_like, value))
                walk(value, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                p = (*path, i)
                line, scalar_like = eol_line(item.start_mark.line, item)
                out.append(_Node(p, item.start_mark.line, item.start_mark.column, line, scalar_like, item))
                walk(item, p)

    walk(root, ())
    out.sort(key=lambda n: (n.line, n.column, len(n.path)))
    return out


def _place_comments(text: str, nodes: list[_Node]) -> _Placement:
    """Attach each comment to the node it belongs to (see the module docstring)."""
    comments, blanks = _comments(text)
    place = _Placement()
    if not nodes:
        place.trailing = [c.text for c in comments]
        return place
    lines_of = sorted(n.line for n in nodes)
    pending: list[tuple[int, str]] = [(b, "") for b in blanks]
    source_lines = text.split("\n")
    for comment in comments:
        if source_lines[comment.line][:comment.column].strip():
            target = _eol_target(nodes, comment.line)
            if target is not None:
                place.eol.setdefault(target.path, []).append((comment.column, comment.text))
                continue
        pending.append((comment.line, comment.text))

    pending.sort()
    first_line = lines_of[0]
    head = [(ln, t) for ln, t in pending if ln < first_line]
    blank_at = [i for i, (_, t) in enumerate(head) if not t]
    if blank_at and any(t for _, t in head[:blank_at[-1]]):
        place.header = _tidy([t for _, t in head[:blank_at[-1]]])
        pending = [p for p in pending if p[0] > head[blank_at[-1]][0]]
    for line, comment_text in pending:
        i = bisect.bisect_right(lines_of, line)
        if i == len(lines_of):
            place.trailing.append(comment_text)
            continue
        place.before.setdefault(_next_node(nodes, lines_of[i]).path, []).append(comment_text)
    place.trailing = _tidy(place.trailing)
    for path in list(place.before):
        place.before[path] = _tidy(place.before[path], keep_edges=True)
    return place


def _next_node(nodes: list[_Node], line: int) -> _Node:
    """The node a comment line above ``line`` belongs to: the first on that line, and for a
    list item that is a mapping (``- id: x``) its first key, which the comment describes and
    which may move when keys are reordered."""
    on_line = [n for n in nodes if n.line == line]
    column = min(n.column for n in on_line)
    return max((n for n in on_line if n.column == column), key=lambda n: len(n.path))


def _eol_target(nodes: list[_Node], line: int) -> _Node | None:
    """The node an end-of-line comment on ``line`` belongs to.

    The outermost node whose value ends on that line (``title: x  # c``, ``fields: [a, b]  # c``);
    else the innermost node that starts there (``design:  # c``, ``- registry: x  # c``).
    """
    ending = [n for n in nodes if n.scalar_like and n.eol_line == line]
    if ending:
        return min(ending, key=lambda n: (len(n.path), n.column))
    starting = [n for n in nodes if n.line == line]
    return max(starting, key=lambda n: (len(n.path), n.column)) if starting else None


def _tidy(lines: list[str], keep_edges: bool = False) -> list[str]:
    """Collapse runs of blank lines; drop blank lines at both ends unless ``keep_edges``."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]) or (keep_edges and not out):
            out.append(line)
    while out and not out[-1] and not keep_edges:
        out.pop()
    return out


# -- building the canonical tree -------------------------------------------------------------

def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _canonical(value: Any, cls: str | None, path: Path_, commented: set[Path_], indent: int) -> Any:
    if isinstance(value, dict):
        order = field_order(cls) if cls else ()
        known = [k for k in order if k in value]
        keys = known + [k for k in value if k not in order]
        out = CommentedMap()
        for key in keys:
            child_cls = nested_class(cls, key) if isinstance(key, str) else None
            child = _canonical(value[key], child_cls, (*path, key), commented, indent + 2)
            if _is_scalar(child):
                child = _fold_if_long(child, indent + len(str(key)) + 2, indent + 2)
            elif isinstance(child, CommentedSeq) and child.fa.flow_style() and \
                    indent + len(str(key)) + 2 + _flow_length(child) > WIDTH:
                child.fa.set_block_style()  # one item a line reads (and diffs) better than a wrapped list
            out[key] = child
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_canonical(item, cls, (*path, i), commented, indent + 2) for i, item in enumerate(value))
        flow = bool(value) and all(_is_scalar(v) for v in value) and \
            not any(p[:len(path)] == path and len(p) > len(path) for p in commented) and \
            not any(isinstance(v, (FoldedScalarString, LiteralScalarString)) for v in seq)
        if flow:
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    if isinstance(value, str) and not isinstance(value, (FoldedScalarString, LiteralScalarString)):
        return DoubleQuotedScalarString(value) if needs_quotes(str(value)) else str(value)
    return value


def _flow_length(items: list[Any]) -> int:
    """Columns that ``[a, b, c]`` takes on one line."""
    return 2 + 2 * max(len(items) - 1, 0) + sum(
        _emitted_length(item, flow=True) if isinstance(item, str) else len(_dump_scalar(item)) for item in items)


def _emitted_length(text: str, flow: bool = False) -> int:
    """Columns ``text`` takes on one line: as it is, or quoted when it cannot be plain."""
    analysis = _ANALYZER.analyze_scalar(text)
    plain = not needs_quotes(text) and (analysis.allow_flow_plain if flow else analysis.allow_block_plain)
    return len(text) if plain else len(json.dumps(text, ensure_ascii=False))


def _dump_scalar(value: Any) -> str:
    return _dump([value]).strip().removeprefix("- ")


def _fold_if_long(value: Any, first_column: int, indent: int) -> Any:
    """Text too long for its line becomes a folded block (``>-``) wrapped to fit; text that fits
    is written on the line. A folded block keeps its author's line breaks while every line fits."""
    if not isinstance(value, str) or isinstance(value, LiteralScalarString) or not _foldable(str(value)):
        return value
    text = str(value)
    if first_column + _emitted_length(text) <= WIDTH:
        return DoubleQuotedScalarString(text) if needs_quotes(text) else text
    points = _wrap_points(text, WIDTH - indent)
    if isinstance(value, FoldedScalarString):
        kept = [p for p in getattr(value, "fold_pos", []) if _fold_point(text, p)]
        if all(indent + len(part) <= WIDTH for part in _split_at(text, kept)):
            points = kept
    folded = FoldedScalarString(text)
    folded.fold_pos = points
    return folded


def _foldable(text: str) -> bool:
    """Texts a folded block gives back exactly: one line of printable text, single-spaced ends."""
    return bool(text) and text == text.strip() and text.isprintable() and " " in text


def _fold_point(text: str, pos: int) -> bool:
    """A single space between two words: the only place a folded block can break a line."""
    return 0 < pos < len(text) - 1 and text[pos] == " " and not text[pos - 1].isspace() and not text[pos + 1].isspace()


def _split_at(text: str, points: list[int]) -> list[str]:
    parts, start = [], 0
    for p in sorted(points):
        parts.append(text[start:p])
        start = p + 1
    parts.append(text[start:])
    return parts


def _wrap_points(text: str, room: int) -> list[int]:
    """Greedy word wrap: the spaces at which to break so that lines fit in ``room`` columns
    (a word longer than that gets a line of its own)."""
    points: list[int] = []
    line_start, previous = 0, -1
    for i in range(len(text)):
        if _fold_point(text, i):
            if i - line_start > room and previous >= line_start:
                points.append(previous)
                line_start = previous + 1
            previous = i
    if len(text) - line_start > room and previous >= line_start:
        points.append(previous)
    return points


# -- emitting ------------------------------------------------------------------------------

def _dump(tree: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    return buf.getvalue()


def _block_scalar_lines(root: yaml.Node) -> set[int]:
    """Content lines of block scalars in emitted text: their whitespace is data."""
    lines: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                lines.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return lines


def _attach(body: str, place: _Placement) -> str:
    """Put the comments back next to their nodes in freshly emitted ``body``."""
    root = yaml.compose(body, Loader=_FastLoader)
    lines = body.rstrip("\n").split("\n")
    protected = _block_scalar_lines(root) if root is not None else set()
    lines = [ln if i in protected else ln.rstrip() for i, ln in enumerate(lines)]
    nodes = {n.path: n for n in _nodes(root)} if root is not None else {}

    for path, eol_notes in place.eol.items():
        node = nodes.get(path)
        if node is None:
            continue
        i = node.eol_line
        for column, note in eol_notes:
            content = lines[i].rstrip()
            pad = column - len(content) if column > len(content) + 1 else 2
            lines[i] = content + " " * pad + note

    inserts: dict[int, list[tuple[int, list[str]]]] = {}
    for path, notes in place.before.items():
        node = nodes.get(path)
        if node is not None and notes:
            inserts.setdefault(node.line, []).append((len(path), notes))
    out: list[str] = []
    if place.header:
        out += [*place.header, ""]
    for i, line in enumerate(lines):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        for _, block in sorted(inserts.get(i, []), key=lambda t: t[0]):
            for note in block:
                if note or (out and out[-1]):
                    out.append(indent + note if note else "")
        out.append(line)
    if place.trailing:
        out += place.trailing
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out) + "\n"


# -- the pipeline ----------------------------------------------------------------------------

def format_text(raw: bytes, kind: str | None = None, *, verify: bool = True) -> bytes:
    """The canonical form of one record's bytes.

    ``kind`` is the schema class (Study, CellSource, Condition) that decides the key order;
    None keeps the order of the file. Raises YamlProblem when the bytes do not parse and
    FormatError when the result would not mean the same.
    """
    before = parse_text(raw)  # our loader decides what the file means
    text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    try:
        root = yaml.compose(text, Loader=_FastLoader)
        tree = _yaml().load(text)
    except (yaml.YAMLError, RuamelError) as exc:
        raise FormatError(f"the formatter cannot read this file: {str(exc).splitlines()[0]}") from None
    place = _place_comments(text, _nodes(root) if root is not None else [])
    canonical = _canonical(tree, kind, (), place.commented_paths(), 0)
    result = _attach(_dump(canonical), place).encode("utf-8")
    if verify:
        _verify(text, before, result, kind)
    return result


def _verify(text: str, before: Any, result: bytes, kind: str | None) -> None:
    try:
        after = parse_text(result)
    except YamlProblem as problem:
        raise FormatError(f"formatting produced YAML that does not parse ({problem.message})") from None
    if not same_data(before, after):
        raise FormatError("formatting would change the data")
    old = sorted(c.text for c in _comments(text)[0])
    new = sorted(c.text for c in _comments(result.decode("utf-8"))[0])
    if old != new:
        raise FormatError("formatting would lose or alter a comment")
    if result != text.encode("utf-8") and format_text(result, kind, verify=False) != result:
        raise FormatError("formatting is not stable on this file")


def same_data(a: Any, b: Any) -> bool:
    """Equal values of equal types, whatever the key order (``==`` alone takes 1, 1.0 and True for one)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@dataclass
class FormatResult:
    """What formatting one file found: its new bytes, or the problem that stopped it."""

    path: Path
    display: str
    original: bytes | None = None
    formatted: bytes | None = None
    problem: Issue | None = None

    @property
    def changed(self) -> bool:
        return self.problem is None and self.formatted is not None and self.formatted != self.original


def format_file(path: Path) -> FormatResult:
    result = FormatResult(path=path, display=display_path(path))
    try:
        result.original = path.read_bytes()
    except OSError as exc:
        result.problem = Issue("unreadable-file", f"cannot read file: {exc.strerror}", result.display)
        return result
    try:
        result.formatted = format_text(result.original, kind_of(path))
    except YamlProblem as problem:
        result.problem = Issue(problem.code, problem.message, result.display, line=problem.line,
                               column=problem.column, suggestion=problem.suggestion)
    except FormatError as exc:
        result.problem = Issue("format-unsafe", f"{exc.message}; the file is left as it is", result.display,
                               suggestion="please report this file to the respirocell maintainers")
    return result


def format_paths(paths: Iterable[Path]) -> Iterator[FormatResult]:
    for path in paths:
        yield format_file(path)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
