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
* comments kept: a comment line belongs to the node below it and moves with it - unless it is
  indented under the block above and a less indented key follows, when it closes that block and
  stays at its end - an end-of-line comment stays on its node's line, and a header separated
  from the first key by a blank line stays at the top. Blank lines are kept (runs collapse to
  one); no trailing whitespace; LF line ends and one final newline.

The data is what ``loading`` reads (libyaml, YAML 1.2 core resolver); the styles of its
scalars come from libyaml's node tree of the same text; ruamel.yaml's round-trip mode does the
emitting, with the same resolver. Comments are placed here rather than left in ruamel's
comment slots, because ruamel files a comment line under the node *before* it, which would
carry comments to the wrong key when keys are reordered.

Every result is checked before it is returned: it must parse (with ``loading.parse_text``) to
exactly the data of the original, keep every comment, and format to itself again. A file
that fails any of these raises FormatError and is never written.
"""


from __future__ import annotations

import math
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.error import YAMLError as RuamelError

from .. import schema
from ..fsio import remove_leftovers, write_atomic
from ..issues import Issue, Report
from ..loading import discover, display_path, find_root, kind_of, parse_text, read_bounded
from ..yaml_core import POSITIONS_LOADER, YamlProblem
from .comments import Placement, attach, find_comments, find_nodes, place_comments
from .emit import WIDTH, _canonical, _dump, needs_quotes, styled

__all__ = ["WIDTH", "FormatError", "FormatResult", "FormatRun", "format_file", "format_paths", "format_text",
           "needs_quotes", "same_data"]


class FormatError(Exception):
    """Formatting would change the data or lose a comment; the file is left as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        root = yaml.compose(text, Loader=POSITIONS_LOADER)
        tree = styled(root, before, text.split("\n"))
    except (yaml.YAMLError, RuamelError, ValueError) as exc:
        raise FormatError(f"the formatter cannot read this file: {str(exc).splitlines()[0]}") from None
    place = place_comments(text, find_nodes(root) if root is not None else [])
    canonical = _canonical(tree, kind, (), place.commented_paths(), 0)
    result = attach(_dump(canonical), place).encode("utf-8")
    if verify and result != text.encode("utf-8"):  # the text itself needs no proof
        _verify(text, before, result, kind, place)
    return result


def _verify(text: str, before: Any, result: bytes, kind: str | None, place: Placement) -> None:
    try:
        after = parse_text(result)
    except YamlProblem as problem:
        raise FormatError(f"formatting produced YAML that does not parse ({problem.message})") from None
    if not same_data(before, after):
        raise FormatError("formatting would change the data")
    old = sorted(c.text for c in find_comments(text)[0])
    new = sorted(c.text for c in find_comments(result.decode("utf-8"))[0])
    if old != new:
        raise FormatError("formatting would lose or alter a comment")
    root = yaml.compose(result.decode("utf-8"), Loader=POSITIONS_LOADER)
    if place_comments(result.decode("utf-8"), find_nodes(root) if root is not None else []).owners() != place.owners():
        raise FormatError("formatting would move a comment to another field")
    if format_text(result, kind, verify=False) != result:
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
    """The canonical form of one file, or the finding that explains why there is none. Never
    raises: a file the formatter cannot handle is ``format-unsafe`` and left alone."""
    result = FormatResult(path=path, display=display_path(path))
    kind = kind_of(path)
    if kind is None:  # validate calls it unknown-kind: not a record, so not fmt's to rewrite
        result.problem = Issue("unknown-kind", f"'{path.parent.name}/' is not a record folder, so this file is not "
                               "a record and is left as it is", result.display, line=1, column=1,
                               suggestion="fmt formats records: the files in records/" + ", records/".join(
                                   f"{k.folder}/" for k in schema.kinds()))
        return result
    try:
        # The records tree of the path as given, not of a symlink's target: a link out of the tree
        # is refused unread (and never written through), as validate refuses it.
        result.original = read_bounded(path, find_root(Path(os.path.abspath(path))))
        if path.is_symlink() and kind_of(path.resolve()) != kind:
            result.problem = Issue("format-unsafe", "this file is a symlink to a record of another kind folder; it "
                                   "is left as it is", result.display, line=1, column=1,
                                   suggestion="commit the record itself in its kind folder, not a link to it")
            return result
        result.formatted = format_text(result.original, kind)
    except YamlProblem as problem:
        result.problem = Issue(problem.code, problem.message, result.display, line=problem.line or 1,
                               column=problem.column or 1, suggestion=problem.suggestion)
    except FormatError as exc:
        result.problem = Issue("format-unsafe", f"{exc.message}; the file is left as it is", result.display, line=1,
                               column=1, suggestion="please report this file to the respirocell maintainers")
    except (RecursionError, AssertionError, ValueError, RuamelError, yaml.YAMLError) as exc:
        result.problem = Issue("format-unsafe", f"the formatter cannot handle this file ({type(exc).__name__}); it is "
                               "left as it is", result.display, line=1, column=1,
                               suggestion="please report this file to the respirocell maintainers")
    return result


@dataclass
class FormatRun:
    """What ``format_paths`` did: findings (a file that would change, with ``check``, is an
    ``unformatted`` finding) and the files it rewrote or would rewrite."""

    report: Report
    changed: list[str]
    unchanged: int


#: From this many files, formatting runs on every core (a record takes 15-20 ms).
MIN_PARALLEL_FILES = 50


def _format_all(files: list[Path]) -> list[FormatResult]:
    """``format_file`` on every file, mapped over worker processes when there are many; the
    files are written afterwards, here, one at a time."""
    workers = os.cpu_count() or 1
    if len(files) < MIN_PARALLEL_FILES or workers == 1:
        return [format_file(path) for path in files]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(format_file, files, chunksize=max(1, len(files) // (workers * 4))))


def format_paths(paths: Iterable[Path], *, check: bool = False) -> FormatRun:
    """Format every record file under ``paths``, each on its own (one file's problem never stops
    the others); with ``check`` nothing is written."""
    files = discover(paths)
    report = Report(files_checked=len(files))
    changed: list[str] = []
    unchanged = 0
    for folder in {p.parent for p in files} if not check else ():
        remove_leftovers(folder)
    for result in _format_all(files):
        path = result.path
        problem = result.problem
        if problem is None and result.changed:
            assert result.formatted is not None
            if check:
                problem = Issue("unformatted", "the file is not in the canonical form", result.display, line=1,
                                column=1, suggestion="run 'respirocell fmt' on it")
            else:
                try:
                    write_atomic(path, result.formatted)
                except OSError as exc:
                    problem = Issue("unwritable-file", f"cannot write file: {exc.strerror or exc}", result.display,
                                    line=1, column=1)
            changed.append(result.display)
        elif problem is None:
            unchanged += 1
        if problem is not None:
            report.extend([problem])
    report.records_checked = len(files)
    return FormatRun(report.finish(), changed, unchanged)
