"""Findings: one frozen object per problem, and the report that collects them."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Findings shown per file; the rest are counted (Report.suppressed).
MAX_PER_FILE = 100


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding. ``code`` is a stable kebab-case name listed in the README."""

    code: str
    message: str
    file: str
    severity: Severity = Severity.ERROR
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str = ""  # field path inside the record, e.g. "arms[0].dose.unit"
    record_id: str | None = None
    suggestion: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line or 0, self.column or 0, self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "suggestion": self.suggestion,
            "record_id": self.record_id,
        }


@dataclass
class Report:
    """Everything one validation run found, sorted deterministically."""

    issues: list[Issue] = field(default_factory=list)
    files_checked: int = 0
    records_checked: int = 0
    #: Findings left out because a file had more than MAX_PER_FILE (counted in the summary).
    suppressed: int = 0

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def finish(self) -> Report:
        """Sort, drop repeats, and keep at most MAX_PER_FILE findings per file (a hostile file
        can produce tens of thousands; the rest are counted, with one finding saying so)."""
        unique = {(i.sort_key(), i.path, i.severity): i for i in self.issues}
        kept: list[Issue] = []
        per_file: Counter[str] = Counter()
        for issue in sorted(unique.values(), key=Issue.sort_key):
            per_file[issue.file] += 1
            if per_file[issue.file] <= MAX_PER_FILE:
                kept.append(issue)
        for name, count in sorted(per_file.items()):
            if count > MAX_PER_FILE:
                first = next(i for i in kept if i.file == name)
                kept.append(Issue("too-many-findings", f"{count - MAX_PER_FILE} more findings in this file are not "
                                  "shown", name, first.severity, 1, 1, suggestion="fix the findings above and run "
                                  "again"))
                self.suppressed += count - MAX_PER_FILE
        self.issues = sorted(kept, key=Issue.sort_key)
        return self

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def summary(self) -> dict[str, object]:
        return {
            "files": self.files_checked,
            "records": self.records_checked,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "by_code": dict(sorted(Counter(i.code for i in self.issues).items())),
        }
