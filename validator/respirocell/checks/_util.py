"""Small helpers shared by the rules: defensive access and positioned findings."""

from __future__ import annotations

from typing import Any

from ..issues import Issue, Severity
from ..loading import PathElem, RecordFile, format_path

#: What an ANCHORS function yields: a path a cross-record rule reads or may report at, and
#: whether a finding there points at its key.
Anchor = tuple[tuple[PathElem, ...], bool]


def items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, mapping) for each mapping in the list ``data[key]``."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def text(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def number(data: Any, key: str) -> float | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def issue(record: RecordFile, code: str, message: str, path: tuple[PathElem, ...] = (), *,
          severity: Severity = Severity.ERROR, suggestion: str | None = None, at_key: bool = False) -> Issue:
    line, column = record.locate(path, at_key=at_key) if path else (1, 1)
    return Issue(code=code, message=message, file=record.display, severity=severity, line=line, column=column,
                 path=format_path(path), record_id=record.record_id, suggestion=suggestion)
