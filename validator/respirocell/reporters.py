"""Render a Report: text for people, json for programs, github for pull-request annotations.

Everything a finding echoes comes from files a pull request controls, so every renderer
escapes control characters and cuts long values short, and nothing it prints can be taken for
a GitHub workflow command: ``::`` at the start of a line (the runner skips leading spaces) or
``##[`` anywhere in it (the older syntax).
"""

from __future__ import annotations

import json
import re
from typing import Protocol

from .issues import Issue, Report, Severity

JSON_FORMAT_VERSION = 1
#: Longest message, path or suggestion echoed; the rest is cut with an ellipsis.
MAX_ECHO = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069"
                      r"\ufeff\U000e0000-\U000e007f]")


def clean(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` safe for one line of a terminal or CI log: control characters (escape sequences,
    carriage returns, line and paragraph separators, bidi overrides) shown as \\x.. escapes, and
    cut to ``limit`` characters."""
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xff else f"\\x{ord(m.group()):02x}",
                        text).replace("##[", "#\\x23[")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def no_command(line: str) -> str:
    """A log line that GitHub cannot take for a workflow command: a leading ``::`` (after any
    spaces, which the runner skips) has its first colon escaped."""
    stripped = line.lstrip()
    return line[:len(line) - len(stripped)] + "\\x3a" + stripped[1:] if stripped.startswith("::") else line


class Reporter(Protocol):
    """Renders one report; ``strict`` makes warnings fail."""

    def __call__(self, report: Report, *, strict: bool = False, color: bool = False) -> str: ...


def _where(issue: Issue) -> str:
    parts = [clean(issue.file)]
    if issue.line is not None:
        parts.append(str(issue.line))
        if issue.column is not None:
            parts.append(str(issue.column))
    return ":".join(parts)


def counted(n: int, noun: str) -> str:
    """'1 file', '5 files', '0 errors': the counts people read in a summary."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_line(report: Report) -> str:
    return (f"{counted(report.files_checked, 'file')}, {counted(len(report.errors), 'error')}, "
            f"{counted(len(report.warnings), 'warning')}")


def render_text(report: Report, *, strict: bool = False, color: bool = False) -> str:
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines = []
    for issue in report.issues:
        sev = paint(issue.severity.value, "31;1" if issue.severity is Severity.ERROR else "33;1")
        field = f" ({clean(issue.path, 120)})" if issue.path else ""
        lines.append(no_command(f"{_where(issue)}: {sev} [{issue.code}] {clean(issue.message)}{field}"))
        if issue.suggestion:
            lines.append(f"    hint: {clean(issue.suggestion)}")
    verdict = paint("OK", "32;1") if report.ok(strict) else paint("FAILED", "31;1")
    more = f" ({report.suppressed} more not shown)" if report.suppressed else ""
    lines.append(f"{verdict}: {summary_line(report)}{more}")
    return "\n".join(lines) + "\n"


def render_json(report: Report, *, strict: bool = False, color: bool = False) -> str:
    doc = {
        "version": JSON_FORMAT_VERSION,
        "status": "ok" if report.ok(strict) else "fail",
        "issues": [{k: clean(v) if isinstance(v, str) else v for k, v in i.as_dict().items()} for i in report.issues],
        "summary": report.summary(),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, *, strict: bool = False, color: bool = False) -> str:
    """GitHub Actions workflow commands: one inline annotation per finding."""
    lines = []
    for issue in report.issues:
        level = "error" if issue.severity is Severity.ERROR or strict else "warning"
        props = [f"file={escape_property(clean(issue.file))}"]
        if issue.line is not None:
            props.append(f"line={issue.line}")
        if issue.column is not None:
            props.append(f"col={issue.column}")
        props.append(f"title={escape_property(issue.code)}")
        message = clean(issue.message) + (f" ({clean(issue.path, 120)})" if issue.path else "")
        if issue.suggestion:
            message += f"\nhint: {clean(issue.suggestion)}"
        lines.append(f"::{level} {','.join(props)}::{escape_data(message)}")
    lines.append(f"respirocell: {summary_line(report)}")
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Reporter] = {"text": render_text, "json": render_json, "github": render_github}
