"""How text was written: YAML that silently means something else than it reads."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..issues import Issue, Severity
from ..loading import RecordFile, format_path, leaves
from ..yaml_errors import comments_in_text

#: Characters no record's text holds: C0 and C1 controls but tab and line feed (ESC, BEL, CR
#: rewrite what a terminal or CI log shows), line and paragraph separators, every bidi control
#: (Unicode's Bidi_Control: marks, embeddings, overrides, isolates), which make text display in
#: another order than it reads, and the invisible zero-width space, word joiner, byte-order mark
#: and tag characters, which make equal-looking text differ (ids, names, searches). The joiners
#: U+200C and U+200D stay: Persian and Indic names need them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060"
                     r"\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
#: What the text of a file holding one must contain: YAML refuses C0 and C1 controls written
#: as they are (but NEL), so they come from an escape (\e, \x07, \u202e) - or stand as they are.
_MAYBE = re.compile(r"[\\\x85\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
                    r"\U000e0000-\U000e007f]")


def check_control_characters(record: RecordFile) -> Iterator[Issue]:
    """A value holding a control character: never what a source printed, and a way to forge or
    hide what a terminal, a CI log or a page shows."""
    if record.text is None or not _MAYBE.search(record.text):
        return
    for path, value in leaves(record.data):
        found = CONTROL.search(value) if isinstance(value, str) else None
        if found is not None:
            line, column = record.locate(path)
            yield Issue("control-character", f"the text holds the control character U+{ord(found.group()):04X}",
                        record.display, Severity.ERROR, line, column, path=format_path(path),
                        record_id=record.record_id, suggestion="delete it (and the escape that wrote it, such as "
                        "\\e, \\x07 or \\u202e); records hold plain text")


def check_comment_in_text(record: RecordFile) -> Iterator[Issue]:
    """``title: Trial #2 of ...`` keeps only 'Trial': YAML reads ' #' as the start of a comment."""
    if record.nodes is None or record.text is None or " #" not in record.text:
        return
    for line, column, cut in comments_in_text(record.nodes, record.text.split("\n")):
        yield Issue("comment-in-text", f"the text after ' #' on this line ('#{cut[:30]}') is read as a comment, not "
                    "as part of the value", record.display, Severity.WARNING, line, column,
                    record_id=record.record_id, suggestion="put the whole value in quotes if '#' belongs to it")


def check_list_separator(record: RecordFile) -> Iterator[Issue]:
    """``sponsors: ["A | B"]`` would be two sponsors in the TSV tables, which join a list's items with '|'."""
    if record.text is None or ("|" not in record.text and "\\" not in record.text):  # or escaped: \x7c
        return
    from ..export.tables import joined_item  # here: the export imports the checks

    for path, value in leaves(record.data):
        if isinstance(value, str) and "|" in value and joined_item(record.kind, path):
            line, column = record.locate(path)
            yield Issue("list-separator", "an item of this list holds '|', which separates the items in the TSV "
                        "tables: it would read as two items", record.display, Severity.ERROR, line, column,
                        path=format_path(path), record_id=record.record_id,
                        suggestion="write 'and', '/' or ',' instead of '|'")
