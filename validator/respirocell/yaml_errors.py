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
_OPENS_QUOTE = re.compile(r"""^\s*(-\s+)?([A-Za-z_][\w-]*\s*:\s+)?(["'])""")


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


def _unclosed_quote(lines: list[str], error_line: int | None) -> tuple[int, int] | None:
    """The first line before the error whose value opens a quote that the line does not close.
    Records never need a quoted value to span lines (``fmt`` folds long text with ``>-``)."""
    last = min(error_line or len(lines), len(lines))
    for i, text in enumerate(lines[:last]):
        match = _OPENS_QUOTE.match(text)
        if match is None or text.lstrip().startswith("#"):
            continue
        quote, start = match.group(3), match.end(3)
        rest = text[start:]
        closed = re.search(r'(?<!\\)"' if quote == '"' else r"'(?!')", rest.replace("''", ""))
        if closed is None:
            return i + 1, start
    return None


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
