"""YAML mistakes in the words a contributor needs, at the line where they must look.

libyaml reports where it gave up, which is often not where the mistake is: an unclosed quote
on line 2 is "did not find expected key" on line 11. These functions read the text around the
error to name the real cause (unclosed quote, tab, inconsistent indentation, missing colon,
``: `` inside a value). Only files that already failed to parse pay for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import yaml

from .yaml_core import POSITIONS_LOADER, YamlProblem

_KEY_LINE = re.compile(r"^(\s*)(-\s+)?[A-Za-z_][\w-]*\s*:(\s|$)")


def _pos(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def explain(exc: BaseException, text: str) -> YamlProblem:
    """The finding for a parse failure of ``text``, at a position inside the file (libyaml puts
    an unexpected end of the stream one line past the last)."""
    problem = _explain(exc, text)
    lines = text.split("\n")
    if problem.line is not None and problem.line > len(lines):
        problem.line = len(lines)
        problem.column = len(lines[-1]) + 1
    return problem


def _explain(exc: BaseException, text: str) -> YamlProblem:
    if isinstance(exc, RecursionError):
        return YamlProblem("yaml-too-deep", "the file nests too deeply to be a record", *deepest(text),
                           suggestion="records nest only a few levels deep; check for unclosed brackets")
    if not isinstance(exc, yaml.MarkedYAMLError):  # reader errors: control characters
        return YamlProblem("yaml-syntax", str(exc).splitlines()[0], *_reader_position(exc, text),
                           suggestion="remove the control character (copied text often carries one)")
    message = "; ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    line, column = _pos(exc.problem_mark or exc.context_mark)
    lines = text.split("\n")
    if isinstance(exc, yaml.composer.ComposerError) and "single document" in message:
        return YamlProblem("multiple-documents", "file holds more than one YAML document (a line with ---)",
                           line, column, suggestion="keep one record per file; split the others into their own files")
    if "nesting depth" in message:
        return YamlProblem("yaml-too-deep", message, line, column,
                           suggestion="records nest only a few levels deep; check for unclosed brackets")
    tab = next((i for i, ln in enumerate(lines) if "\t" in ln[:len(ln) - len(ln.lstrip())]), None)
    if "tab" in message or (tab is not None and line is not None and tab < line):
        where = tab if tab is not None else (line or 1) - 1
        return YamlProblem("yaml-syntax", "tabs are not allowed in YAML indentation; indent with spaces",
                           where + 1, 1, suggestion="replace each tab at the start of the line with spaces")
    quote = _unclosed_quote(lines, line)
    if quote is not None:
        return YamlProblem("yaml-syntax", "a quoted value is opened on this line but not closed", *quote,
                           suggestion="add the closing quote at the end of the value (or remove the opening one)")
    early = _quote_ends_early(lines[line - 1]) if line is not None and line <= len(lines) else None
    if early is not None:
        mark = early[1]
        return YamlProblem("yaml-syntax", f"the {'apostrophe' if mark == chr(39) else 'quote'} at column {early[0]} "
                           "ends the quoted value early; the rest of the line cannot follow it", line, early[0],
                           suggestion="write a ' inside '...' twice ('It''s'), or put the whole value in the "
                           "other kind of quotes" if mark == "'" else
                           "write a \" inside \"...\" as \\\", or put the whole value in single quotes")
    if ("flow sequence" in message or "flow mapping" in message) and exc.context_mark is not None:
        bracket = "[" if "sequence" in message else "{"
        opened = exc.context_mark
        offset = sum(len(ln) + 1 for ln in lines[:opened.line]) + opened.column
        if not _closes(text, offset):
            return YamlProblem("yaml-syntax", f"the '{bracket}' on this line is not closed", *_pos(opened),
                               suggestion=f"close it with '{']' if bracket == '[' else '}'}' after the last item")
        return YamlProblem("yaml-syntax", f"an item of the {'list' if bracket == '[' else 'mapping'} that opens here "
                           "cannot be read", line, column, suggestion="separate items with ', ' and put in quotes an "
                           "item that holds ': ', '#', quotes or brackets")
    if "expected '-' indicator" in message and line is not None and line <= len(lines):
        text_line = lines[line - 1]
        where = len(text_line) - len(text_line.lstrip()) + 1
        if not text_line.lstrip().startswith("-"):
            return YamlProblem("yaml-syntax", "a 'field: value' line stands among the items of a list", line, where,
                               suggestion="start it with '- ' if it is an item, or indent it less if it is a field "
                               "of its own")
        return YamlProblem("yaml-syntax", "this line is indented differently from the list items above it", line,
                           where, suggestion="indent every item of a list (its '-') by the same number of spaces")
    if "could not find expected ':'" in message and exc.context_mark is not None:
        at = exc.context_mark.line
        return YamlProblem("yaml-syntax", "this line has no ':' after the field name", at + 1, 1,
                           suggestion="write 'field: value' (a colon and a space after the field name)")
    if "mapping values are not allowed" in message and line is not None:
        text_line = lines[line - 1] if line - 1 < len(lines) else ""
        if _KEY_LINE.match(text_line) and _indent_differs(lines, line - 1):
            return YamlProblem("yaml-syntax", "this field is indented differently from the field above it",
                               line, len(text_line) - len(text_line.lstrip()) + 1,
                               suggestion="indent fields of the same mapping by the same number of spaces")
        return YamlProblem("yaml-syntax", message, line, column,
                           suggestion="a text value contains ': '; put the whole value in quotes")
    return YamlProblem("yaml-syntax", message, line, column)


def _indent_differs(lines: list[str], index: int) -> bool:
    here = len(lines[index]) - len(lines[index].lstrip())
    for previous in reversed(lines[:index]):
        if previous.strip() and not previous.lstrip().startswith("#"):
            return len(previous) - len(previous.lstrip()) != here
    return here != 0


_VALUE_START = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][\w-]*\s*:\s+)?")


def _scalar_end(text: str, i: int) -> int | None:
    """Index of the quote closing the quoted scalar opened at ``text[i]``, or None."""
    quote, j = text[i], i + 1
    while j < len(text):
        if quote == '"' and text[j] == "\\":
            j += 2
        elif text[j] == quote and quote == "'" and text[j + 1:j + 2] == "'":
            j += 2
        elif text[j] == quote:
            return j
        else:
            j += 1
    return None


def _quotes(text: str) -> Iterator[tuple[int, str, int | None]]:
    """The quoted values of one line as (column of the opening quote, the quote, column of the
    closing one or None). Only where YAML starts a value: after ``key: ``, ``- `` or at the
    line's start, and inside a ``[...]``/``{...}`` opened there after ``[``, ``{``, ``,`` or
    ``: `` - never in plain text (``Cells, "MSC"-based``)."""
    i = _VALUE_START.match(text).end()  # type: ignore[union-attr]
    if text[i:i + 1] in ("\"", "'"):
        end = _scalar_end(text, i)
        yield i + 1, text[i], (end + 1 if end is not None else None)
        return
    if text[i:i + 1] not in ("[", "{"):
        return
    depth, start = 0, True
    while i < len(text):
        ch = text[i]
        if ch in "\"'" and start:
            end = _scalar_end(text, i)
            yield i + 1, ch, (end + 1 if end is not None else None)
            if end is None:
                return
            i, start = end + 1, False
            continue
        if ch in "[{":
            depth, start = depth + 1, True
        elif ch in "]}":
            depth, start = depth - 1, False
            if depth == 0:
                return
        elif ch == "," or (ch == ":" and text[i + 1:i + 2] in (" ", "")):
            start = True
        elif ch == "#" and text[i - 1:i] in (" ", "\t"):
            return
        elif ch not in " \t":
            start = False
        i += 1


def _block_text(lines: list[str]) -> set[int]:
    """Indices of the lines of block text (``key: >-`` or ``|`` and the lines indented under it)."""
    inside: set[int] = set()
    opener = re.compile(r"^(\s*)(-\s+)?[^#]*?:\s+[|>][-+0-9]*\s*(#.*)?$")
    i = 0
    while i < len(lines):
        match = opener.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, j = len(match.group(1)), i + 1
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            inside.add(j)
            j += 1
        i = j
    return inside


def _unclosed_quote(lines: list[str], error_line: int | None) -> tuple[int, int] | None:
    """The first line before the error that opens a quoted value it does not close (in a list
    ``[...]`` too). Records never need a quoted value to span lines (``fmt`` folds long text)."""
    last = min(error_line or len(lines), len(lines))
    text_lines = _block_text(lines[:last])
    for i, text in enumerate(lines[:last]):
        if i in text_lines or text.lstrip().startswith("#"):
            continue
        for column, _, closed in _quotes(text):
            if closed is None:
                return i + 1, column
    return None


def _quote_ends_early(text: str) -> tuple[int, str] | None:
    """A quoted value whose closing quote text follows (``'It's``): the column of that quote."""
    for _, quote, closed in _quotes(text):
        if closed is not None:
            after = text[closed:closed + 1]
            if after and after not in " \t,]}:#":
                return closed, quote
    return None


def _closes(text: str, offset: int) -> bool:
    """Whether the ``[`` or ``{`` at ``offset`` of ``text`` is closed further on (quotes skipped)."""
    depth, i = 0, offset
    while i < len(text):
        ch = text[i]
        if ch in "\"'" and text[i - 1:i] in ("[", "{", ",", " ", ":"):
            end = _scalar_end(text, i)
            if end is None:
                return False
            i = end + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return True
        i += 1
    return False


def _reader_position(exc: BaseException, text: str) -> tuple[int, int]:
    offset = getattr(exc, "position", None)
    if not isinstance(offset, int):
        return 1, 1
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _scan_for(text: str, wanted: Callable[[yaml.Token, int], bool]) -> tuple[int | None, int | None]:
    """Position of the first token ``wanted(token, depth)`` accepts, scanning without building
    nodes (iterative, so safe on inputs that defeat the composer)."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=POSITIONS_LOADER):
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


def deepest(text: str, limit: int = 100) -> tuple[int | None, int | None]:
    return _scan_for(text, lambda _token, depth: depth > limit)


def first_alias(text: str) -> tuple[int | None, int | None]:
    return _scan_for(text, lambda token, _depth: isinstance(token, yaml.AliasToken))


def comments_in_text(node: yaml.Node | None, text_lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(line, column, cut text) for plain text values followed on their line by ``#`` and a
    non-space character: ``title: Trial #2 of ...`` silently loses ``#2 of ...`` as a comment."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            stack.extend(v for _, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.ScalarNode) and not current.style and current.value:
            end = current.end_mark
            if end.line >= len(text_lines):
                continue
            rest = text_lines[end.line][end.column:]
            match = re.match(r"^[ \t]+#(\S.*)$", rest)
            if match:
                yield end.line + 1, end.column + len(rest) - len(rest.lstrip()) + 1, match.group(1)
