"""The canonical YAML text of a record: ruamel.yaml emitting a tree built in schema order,
with text quoted only where needed and long text folded (see ``formatting``)."""

from __future__ import annotations

import functools
import io
import json
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from .. import schema
from ..yaml_core import Core12Resolver

WIDTH = 100
Path_ = tuple[str | int, ...]

# -- reading: ruamel with our YAML 1.2 core resolver -------------------------------------

#: The implicit types of ``loading``'s YAML 1.2 core resolver (first character -> [(tag, regex)]),
#: shared so that the formatter reads every plain scalar exactly as the validator does.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Core12Resolver.yaml_implicit_resolvers


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
        if not style and self.event.implicit[0]:  # plain: only where libyaml (our reader) takes it so
            analysis = _ANALYZER.analyze_scalar(value)
            if not (analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain):
                return '"'
        return style


@functools.cache
def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.Resolver = _CoreResolver
    rt.Emitter = _Emitter
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = WIDTH
    rt.preserve_quotes = True  # so a quoted timestamp can stay quoted (see _canonical)
    rt.allow_unicode = True
    rt.default_flow_style = False
    return rt


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


# -- the tree to format: the data with the author's scalar styles ---------------------------

def styled(node: yaml.Node | None, value: Any, lines: list[str]) -> Any:
    """``value`` (the data ``loading`` read) in ruamel's round-trip types, each scalar in the
    style its node (libyaml's tree of the same text, whose ``lines`` these are) was written in:
    quoted, folded (broken where its author broke it), literal, or a number as written
    (``1.0e6``). All the formatter needs of a round-trip load, at a third of the cost; a tree
    that does not match the data raises ValueError."""
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        pairs = zip(value, node.value, strict=True)
        return CommentedMap((key, styled(child, value[key], lines)) for key, (_, child) in pairs)
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        return CommentedSeq(styled(child, item, lines) for child, item in zip(node.value, value, strict=True))
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError("the node tree and the data disagree")
    if isinstance(value, str):
        if node.style in ('"', "'"):
            return (DoubleQuotedScalarString if node.style == '"' else SingleQuotedScalarString)(value)
        if node.style == "|":
            return LiteralScalarString(value)
        if node.style == ">":
            return _folded(node, value, lines)
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not node.style:
        written = _yaml().load(node.value)  # ruamel keeps the number as written (1.0e6, 0.020)
        if isinstance(written, type(value)) and written == value:  # not so for a tagged one (!!float 1)
            return written
    return value


def _folded(node: yaml.ScalarNode, value: str, lines: list[str]) -> Any:
    """A folded block that remembers where its author broke the lines: the spaces that were
    line breaks in the text (``a\n  b`` read as ``a b``). Only for plain paragraphs; a block
    with more-indented lines, whose breaks are data, is left to be broken afresh."""
    folded = FoldedScalarString(value)
    body = lines[node.start_mark.line + 1:node.end_mark.line + (node.end_mark.column > 0)]
    indent = min((len(line) - len(line.lstrip(" ")) for line in body if line.strip()), default=0)
    text, points, blanks = "", [], 0
    for line in body:
        if not line.strip():
            blanks += 1
            continue
        if line[indent:indent + 1] in (" ", "\t"):
            return folded
        if text and blanks:
            text += "\n" * blanks  # blank lines are line breaks
        elif text:
            points.append(len(text))  # a single break is a space: a fold point
            text += " "
        text += line[indent:]
        blanks = 0
    if text == value.rstrip("\n"):
        folded.fold_pos = points
    return folded


# -- building the canonical tree -------------------------------------------------------------

def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _canonical(value: Any, cls: str | None, path: Path_, commented: set[Path_], indent: int) -> Any:
    if isinstance(value, dict):
        order = tuple(schema.slots(cls)) if cls else ()
        known = [k for k in order if k in value]
        keys = known + [k for k in value if k not in order]
        out = CommentedMap()
        for key in keys:
            child_cls = schema.nested_class(cls, key) if isinstance(key, str) else None
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
        quoted = isinstance(value, (DoubleQuotedScalarString, SingleQuotedScalarString))
        plain = str(value)
        # A quoted timestamp stays quoted: unquoted, YAML 1.1 tools would read a datetime.
        if needs_quotes(plain) or (quoted and _is_yaml11_timestamp(plain)):
            return DoubleQuotedScalarString(plain)
        return plain
    return value


def _is_yaml11_timestamp(text: str) -> bool:
    return _YAML11.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:timestamp"  # type: ignore


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
        return DoubleQuotedScalarString(text) if isinstance(value, DoubleQuotedScalarString) or needs_quotes(text) \
            else text
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


