"""A fast reader for the plain YAML records are written in, held to libyaml's results.

Record files use a small part of YAML, the part ``respirocell fmt`` writes: block mappings and
sequences, one-line plain or quoted scalars, one-line flow lists of plain words, and folded or
literal block scalars. ``read`` parses exactly that part, keeping every value's line and
column, in about 150 µs for a 100-line record where the libyaml path takes 265 µs (and the
parse is most of what a validation run costs). It returns ``None`` for anything else (tags,
anchors, flow mappings, multi-line plain or quoted scalars, escapes, tabs, carriage returns,
unusual indentation, duplicate keys, any syntax error), and the caller then parses the file
with the reference loader (``loading.RecordLoader``), which also words every problem. So the
fast path decides nothing on its own: what it accepts it must read exactly as the reference
does, data and positions; tests/test_fastyaml.py holds it to that on every YAML file in the
repository, on hostile inputs and on thousands of mutated records.

This module also holds the YAML 1.2 core schema (implicit typing of plain scalars) that both
readers use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# -- the YAML 1.2 core schema -------------------------------------------------------------

#: (tag, regex, first characters) of every implicit type; anything else is a string.
CORE_SCHEMA: list[tuple[str, re.Pattern[str], list[str]]] = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    ("tag:yaml.org,2002:float", re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
     list("-+0123456789.")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
]


def to_int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def to_float(text: str) -> float:
    text = text.lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def _to_bool(text: str) -> bool:
    return text.lower() == "true"


def _to_null(_text: str) -> None:
    return None


_CONVERT: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:bool": _to_bool, "tag:yaml.org,2002:int": to_int,
    "tag:yaml.org,2002:float": to_float, "tag:yaml.org,2002:null": _to_null}
_BY_FIRST: dict[str, list[tuple[re.Pattern[str], Callable[[str], Any]]]] = {}
for _tag, _regex, _firsts in CORE_SCHEMA:
    for _first in _firsts:
        _BY_FIRST.setdefault(_first, []).append((_regex, _CONVERT[_tag]))


def plain_value(text: str) -> Any:
    """The value of a plain (unquoted) scalar under the core schema."""
    typed = _BY_FIRST.get(text[:1])
    if typed is not None:
        for regex, convert in typed:
            if regex.match(text):
                return convert(text)
    return text


# -- the reader ------------------------------------------------------------------------------

#: Where a document's values are: (line, column, children, rows), 1-based. ``children`` is,
#: for a mapping, {key: entry}, for a sequence [entry, ...], else None; an entry is
#: (key line, key column, value line, value column, children) in a mapping and (line, column,
#: children) in a sequence, or, for a value on its key's (or dash's) line with no children,
#: just the index of that line in ``rows``: its columns are worked out when asked for, which
#: spares the work for the values no finding points at (most of them).
Spot = tuple[int, int, Any, list["Row"]]
#: (line, column, children) of a collection.
Place = tuple[int, int, Any]

#: Characters a plain scalar may not start with (or only in some contexts): values starting
#: with one are quoted, a list, a block scalar, or left to the reference loader.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
#: First characters of plain scalars the core schema may read as other than text.
_TYPED_FIRST = frozenset(_BY_FIRST)
#: Every line, cut into indentation, a sequence dash ("- "), a field name (not one the core
#: schema reads as a boolean or null), the spaces after its colon (none at the end of the
#: line), and the rest.
#: (Possessive quantifiers: the same matches, without retrying shorter runs when a part fails.)
_LINE = re.compile(r"^( *+)(- ++)?(?:(?!(?:true|false|null):)([a-z_][a-z0-9_]*+):( ++|$))?(.*+)$", re.M)
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*| *)\Z')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)\Z")
_FLOW = re.compile(r"\[([^\[\]{}#:]*)\](?: +#.*| *)\Z")
_BLOCK_HEADER = re.compile(r"([>|])(-?) *\Z")
MAX_DEPTH = 32

Row = tuple[str, str, str, str, str]


class _Unusual(Exception):
    """Outside the part of YAML this reader handles: the reference loader decides."""


def read(text: str) -> tuple[dict[str, Any], Spot] | None:
    """The record in ``text`` and where each of its values is, or ``None`` when the text is
    not in the plain part of YAML this reader handles (the caller then uses libyaml)."""
    # Printable here is stricter than YAML's: no tab, CR, NEL, line separators, BOM, format
    # or private-use characters, non-characters, or no-break spaces.
    if not text.replace("\n", " ").isprintable():
        return None
    try:
        return _Reader(text).document()
    except (_Unusual, RecursionError, ValueError):  # ValueError: an integer of over 4,300 digits
        return None


def _skip(rows: list[Row], i: int, n: int) -> int:
    """The first line from ``i`` that is not blank or a comment."""
    while i < n:
        _spaces, dash, key, _gap, rest = rows[i]
        if key or dash or (rest and rest[0] != "#"):
            return i
        i += 1
    return i


def _plain(rest: str) -> Any:
    """A one-line plain scalar (``rest`` starts with no indicator), its comment cut off.
    (Written out again in the loops of ``_Reader``, where it runs for most lines.)"""
    text = rest if " #" not in rest else rest[:rest.find(" #")]
    if text[-1] == " ":
        text = text.rstrip(" ")
    if ": " in text or text[-1] == ":":  # YAML refuses both
        raise _Unusual
    return plain_value(text) if text[0] in _TYPED_FIRST else text


class _Reader:
    """Recursive descent over the lines, one collection per call; each call returns the
    index of the first line it did not take. Blank lines and comments are skipped where a
    collection looks for its next entry; block scalars read the raw lines."""

    __slots__ = ("lines", "n", "rows", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.rows: list[Row] = _LINE.findall(text)
        self.n = len(self.rows)
        self.lines: list[str] | None = None  # the raw lines, split when a block scalar needs them

    def document(self) -> tuple[dict[str, Any], Spot]:
        i = _skip(self.rows, 0, self.n)
        if i == self.n or self.rows[i][0] or self.rows[i][1] or not self.rows[i][2]:
            raise _Unusual
        data, spots, end = self.mapping(i, 0, 0, False)
        if end != self.n:
            raise _Unusual
        return data, (i + 1, 1, spots, self.rows)

    def mapping(self, i: int, indent: int, depth: int, compact: bool) -> tuple[dict[str, Any], Any, int]:
        """A block mapping whose keys start at column ``indent`` (0-based), from line ``i``;
        ``compact``: line ``i`` is a sequence item holding its first key ("- key: value")."""
        if depth > MAX_DEPTH:
            raise _Unusual
        rows, n, pad = self.rows, self.n, " " * indent
        data: dict[str, Any] = {}
        spots: dict[str, Any] = {}
        while i < n:
            spaces, dash, key, gap, rest = rows[i]
            if compact:
                compact = False
            elif spaces != pad or dash or not key:
                if not key and not dash and (not rest or rest[0] == "#"):  # blank or comment
                    i += 1
                    continue
                if len(spaces) < indent:
                    break
                raise _Unusual
            if key in data:
                raise _Unusual
            if rest and rest[0] not in _INDICATORS:  # the usual case: a one-line plain scalar
                text = rest if " #" not in rest else rest[:rest.find(" #")]
                if text[-1] == " ":
                    text = text.rstrip(" ")
                if ": " in text or text[-1] == ":":  # YAML refuses both
                    raise _Unusual
                data[key] = plain_value(text) if text[0] in _TYPED_FIRST else text
                spots[key] = i
                i += 1
                continue
            line, at = i + 1, indent + len(key) + len(gap) + 2  # 1-based, of the value
            if not rest or rest[0] == "#":  # the value is on the lines below, or empty (null)
                j = _skip(rows, i + 1, n)
                if j < n and (len(rows[j][0]) > indent or (len(rows[j][0]) == indent and rows[j][1])):
                    data[key], (vline, vcol, children), i = self.block(j, depth + 1)
                    spots[key] = (line, indent + 1, vline, vcol, children)
                else:
                    data[key] = None
                    spots[key] = (line, indent + 1, line, indent + len(key) + 2, None)
                    i += 1
            else:
                data[key], children, i = self.special(rest, i, at - 1, indent)
                spots[key] = (line, indent + 1, line, at, children)
        return data, spots, i

    def block(self, i: int, depth: int) -> tuple[Any, Place, int]:
        """The block collection starting at line ``i``."""
        spaces, dash = self.rows[i][:2]
        if dash:
            items, children, end = self.sequence(i, len(spaces), depth)
            return items, (i + 1, len(spaces) + 1, children), end
        data, spots, end = self.mapping(i, len(spaces), depth, False)
        return data, (i + 1, len(spaces) + 1, spots), end

    def sequence(self, i: int, indent: int, depth: int) -> tuple[list[Any], list[Any], int]:
        """A block sequence whose dashes are at column ``indent``, from line ``i``."""
        if depth > MAX_DEPTH:
            raise _Unusual
        rows, n, pad = self.rows, self.n, " " * indent
        items: list[Any] = []
        spots: list[Any] = []
        while i < n:
            spaces, dash, key, _gap, rest = rows[i]
            if spaces != pad or not dash:
                if not key and not dash and (not rest or rest[0] == "#"):  # blank or comment
                    i += 1
                    continue
                if len(spaces) > indent:
                    raise _Unusual
                break
            at = indent + len(dash)  # 0-based column of the item
            if key:
                line = i + 1
                value, children, i = self.mapping(i, at, depth + 1, True)
            elif not rest or rest[0] == "#":
                raise _Unusual
            elif rest[0] not in _INDICATORS:
                items.append(_plain(rest))
                spots.append(i)
                i += 1
                continue
            else:
                line = i + 1
                value, children, i = self.special(rest, i, at, indent)
            items.append(value)
            spots.append((line, at + 1, children))
        return items, spots, i

    def special(self, rest: str, no: int, at: int, indent: int) -> tuple[Any, Any, int]:
        """A value on line ``no`` from column ``at`` (0-based) that starts with an indicator:
        quoted, a flow list, a block scalar or a negative number, in a collection at column
        ``indent``. Returns the value, its children's spots and the next line to read."""
        first = rest[0]
        if first == '"':
            match = _DOUBLE.match(rest)
            if match is None:
                raise _Unusual
            return match.group(1), None, no + 1
        if first == "'":
            match = _SINGLE.match(rest)
            if match is None:
                raise _Unusual
            return match.group(1).replace("''", "'"), None, no + 1
        if first == "[":
            items, spots = self.flow(rest, no, at)
            return items, spots, no + 1
        if first == "|" or first == ">":
            text, end = self.block_scalar(rest, no, indent)
            return text, None, end
        if _signed(rest):
            return _plain(rest), None, no + 1
        raise _Unusual

    def flow(self, rest: str, no: int, at: int) -> tuple[list[Any], list[Place]]:
        """A one-line flow sequence of plain scalars: [a, b, c]."""
        match = _FLOW.match(rest)
        if match is None:
            raise _Unusual
        inner = match.group(1)
        if not inner.strip(" "):
            return [], []
        items, spots = [], []
        column = at + 2  # 1-based column just after '['
        for item in inner.split(","):
            text = item.strip(" ")
            if not text or (text[0] in _INDICATORS and not _signed(text)):
                raise _Unusual
            items.append(plain_value(text))
            spots.append((no + 1, column + len(item) - len(item.lstrip(" ")), None))
            column += len(item) + 1
        return items, spots

    def block_scalar(self, header: str, no: int, indent: int) -> tuple[str, int]:
        """A literal (|) or folded (>) scalar, clipped or stripped (-), whose lines all start
        at one column, further in than ``indent``, with no blank line between them; and the
        first line after it."""
        match = _BLOCK_HEADER.match(header)
        if match is None:
            raise _Unusual
        lines = self.lines
        if lines is None:
            lines = self.lines = self.text.split("\n")
        j = no + 1
        if j >= len(lines):
            raise _Unusual
        first = lines[j]
        width = len(first) - len(first.lstrip(" "))
        if width <= indent or width == len(first):
            raise _Unusual
        content = []
        while j < len(lines):
            line = lines[j]
            body = line.lstrip(" ")
            col = len(line) - len(body)
            if not body:  # blank: it must end the scalar, and hold no spaces past its indentation
                k = j
                while k < len(lines) and not lines[k].strip(" "):
                    if len(lines[k]) > width:
                        raise _Unusual
                    k += 1
                if k < len(lines) and len(lines[k]) - len(lines[k].lstrip(" ")) >= width:
                    raise _Unusual
                break
            if col != width:
                if col > width:
                    raise _Unusual
                break
            content.append(body)
            j += 1
        value = (" " if match.group(1) == ">" else "\n").join(content)
        if not match.group(2) and j < len(lines):  # clip: keep the final line break
            value += "\n"
        return value, j


def _signed(text: str) -> bool:
    """A plain scalar may start with '-' when a non-space follows (-1.5, -x)."""
    return text[0] == "-" and len(text) > 1 and text[1] != " "


def locate(spot: Spot, path: tuple[str | int, ...], at_key: bool = False) -> tuple[int, int]:
    """Line and column of the value at ``path`` (or of its key), else of its nearest parent:
    what ``loading.locate_node`` gives for libyaml's nodes."""
    line, column, children, rows = spot
    last = len(path)
    for depth, elem in enumerate(path, start=1):
        if isinstance(children, dict) and isinstance(elem, str) and elem in children:
            entry = children[elem]
            if isinstance(entry, int):  # key: value, on line ``entry``
                spaces, dash, key, gap, _rest = rows[entry]
                key_line, key_column = entry + 1, len(spaces) + len(dash) + 1
                line, column, children = key_line, key_column + len(key) + 1 + len(gap), None
            else:
                key_line, key_column, line, column, children = entry
            if at_key and depth == last:
                return key_line, key_column
        elif isinstance(children, list) and isinstance(elem, int) and 0 <= elem < len(children):
            entry = children[elem]
            if isinstance(entry, int):  # - value, on line ``entry``
                spaces, dash = rows[entry][:2]
                line, column, children = entry + 1, len(spaces) + len(dash) + 1, None
            else:
                line, column, children = entry
        else:
            break
    return line, column
