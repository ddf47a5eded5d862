"""Render a Report: text for people, json for programs, github for pull-request annotations."""

from __future__ import annotations

import json
from collections.abc import Callable

from .issues import Issue, Report, Severity

JSON_FORMAT_VERSION = 1


def _where(issue: Issue) -> str:
    parts = [issue.file]
    if issue.line is not None:
        parts.append(str(issue.line))
        if issue.column is not None:
            parts.append(str(issue.column))
    return ":".join(parts)


def render_text(report: Report, color: bool = False, strict: bool = False) -> str:
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    lines = []
    for issue in report.issues:
        sev = paint(issue.severity.value, "31;1" if issue.severity is Severity.ERROR else "33;1")
        field = f" ({issue.path})" if issue.path else ""
        lines.append(f"{_where(issue)}: {sev} [{issue.code}] {issue.message}{field}")
        if issue.suggestion:
            lines.append(f"    hint: {issue.suggestion}")
    s = report.summary()
    verdict = paint("OK", "32;1") if report.ok(strict) else paint("FAILED", "31;1")
    lines.append(f"{verdict}: {s['files']} files, {s['errors']} errors, {s['warnings']} warnings")
    return "\n".join(lines) + "\n"


def render_json(report: Report, strict: bool = False) -> str:
    doc = {
        "version": JSON_FORMAT_VERSION,
        "status": "ok" if report.ok(strict) else "fail",
        "issues": [i.as_dict() for i in report.issues],
        "summary": report.summary(),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, strict: bool = False) -> str:
    """GitHub Actions workflow commands: one inline annotation per finding."""
    lines = []
    for issue in report.issues:
        level = "error" if issue.severity is Severity.ERROR or strict else "warning"
        props = [f"file={_escape_property(issue.file)}"]
        if issue.line is not None:
            props.append(f"line={issue.line}")
        if issue.column is not None:
            props.append(f"col={issue.column}")
        props.append(f"title={_escape_property(issue.code)}")
        message = issue.message + (f" ({issue.path})" if issue.path else "")
        if issue.suggestion:
            message += f"\nhint: {issue.suggestion}"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    s = report.summary()
    lines.append(f"respirocell: {s['files']} files, {s['errors']} errors, {s['warnings']} warnings")
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json, "github": render_github}
