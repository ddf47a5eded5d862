"""How text was written: YAML that silently means something else than it reads."""

from __future__ import annotations

from collections.abc import Iterator

from ..issues import Issue, Severity
from ..loading import RecordFile
from ..yaml_errors import comments_in_text


def check_comment_in_text(record: RecordFile) -> Iterator[Issue]:
    """``title: Trial #2 of ...`` keeps only 'Trial': YAML reads ' #' as the start of a comment."""
    if record.nodes is None or record.text is None or " #" not in record.text:
        return
    for line, column, cut in comments_in_text(record.nodes, record.text.split("\n")):
        yield Issue("comment-in-text", f"the text after ' #' on this line ('#{cut[:30]}') is read as a comment, not "
                    "as part of the value", record.display, Severity.WARNING, line, column,
                    record_id=record.record_id, suggestion="put the whole value in quotes if '#' belongs to it")
