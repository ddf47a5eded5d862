"""Records as typed Python objects, for analyses that want attributes rather than dicts.

``load_records`` validates the corpus (every rule, cross-record ones included) and returns the
records as the generated pydantic models; a corpus with errors raises ``RecordsError``, which
carries the findings as Issues.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .issues import Issue, Report
from .validation import InvalidCorpusError, valid_records

if TYPE_CHECKING:
    from ._generated.models import CellSource, Condition, Study

DEFAULT_RECORDS = Path("records")


class RecordsError(ValueError):
    """The records could not be loaded; ``issues`` says why, each with file, line and column."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        shown = "\n  ".join(f"{i.file}:{i.line}:{i.column}: [{i.code}] {i.message}" for i in issues[:20])
        from .reporters import counted

        super().__init__(f"{counted(len(issues), 'problem')} loading records:\n  {shown}")


def load_records(paths: Path | str | Iterable[Path | str] | None = None) -> list[Study | CellSource | Condition]:
    """The records under ``paths`` (a file or folder, or several; default: ``records/`` in the
    current folder) as pydantic models, in file-path order. Raises RecordsError."""
    from ._generated import models

    if paths is None:
        roots = [DEFAULT_RECORDS]
    elif isinstance(paths, (str, Path)):
        roots = [Path(paths)]
    else:
        roots = [Path(p) for p in paths]
    missing = [Issue("unreadable-file", "no such file or folder", str(r), line=1, column=1)
               for r in roots if not r.exists()]
    if missing:
        raise RecordsError(missing)
    try:
        records = valid_records(roots)
    except InvalidCorpusError as exc:
        raise RecordsError(exc.report.errors) from None
    return [getattr(models, str(r.kind)).model_validate(r.data) for r in records]


__all__ = ["RecordsError", "Report", "load_records"]
