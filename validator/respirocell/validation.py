"""The validation pipeline: parse -> folder -> schema -> record rules -> link rules -> corpus rules -> Report.

``validate`` runs it over records already loaded. ``validate_paths`` streams files through it:
each file is parsed and given the checks that need nothing but itself (in worker processes, when
there are many), then only the fields the link and corpus rules read are kept
(``checks.SHARED_FIELDS``). Both give the same Report (tests/test_parallel.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import schema_check
from .checks import CORPUS_RULES, LINK_RULES, RECORD_RULES, SHARED_FIELDS
from .checks.layout import folder_issue
from .corpus import Corpus, project
from .issues import Issue, Report
from .loading import RecordFile, discover, load_file
from .parallel import map_files, map_shared, no_gc

#: (record, the findings of its own checks, whether the link rules apply to it)
Checked = tuple[RecordFile, list[Issue], bool]


def record_issues(record: RecordFile) -> tuple[list[Issue], bool]:
    """Findings about one record on its own, and whether link rules apply to it (it parsed and
    sits in the folder of its kind)."""
    issues = list(record.problems)
    if not record.parsed:
        return issues, False
    misplaced = folder_issue(record)
    if misplaced is not None:
        issues.append(misplaced)
        return issues, False
    issues += schema_check.check_record(record)
    for rule in RECORD_RULES:
        issues.extend(rule(record))
    return issues, True


def _issues(corpus: Corpus, checked: Iterable[Checked]) -> Iterator[Issue]:
    for record, issues, linked in checked:
        yield from issues
        if linked:
            for rule in LINK_RULES:
                yield from rule(record, corpus)
    for corpus_rule in CORPUS_RULES:
        yield from corpus_rule(corpus)


def iter_issues(corpus: Corpus, jobs: int | None = None) -> Iterator[Issue]:
    """Every finding for the corpus' target files, in pipeline order. The records' own checks
    run first (in ``jobs`` processes, by default every core when there are many), the link and
    corpus rules lazily."""
    own = map_shared(record_issues, corpus.targets, jobs)
    return _issues(corpus, ((record, issues, linked)
                            for record, (issues, linked) in zip(corpus.targets, own, strict=True)))


def validate(records: Iterable[RecordFile] | Corpus, *, jobs: int | None = None) -> Report:
    """Validate loaded records; references resolve against the corpus around them."""
    corpus = records if isinstance(records, Corpus) else Corpus.from_records(list(records))
    report = Report(files_checked=len(corpus.targets),
                    records_checked=sum(1 for r in corpus.targets if r.parsed))
    with no_gc():
        report.extend(iter_issues(corpus, jobs))
    return report.finish()


def validate_paths(paths: Iterable[Path | str], files: list[Path] | None = None, *, jobs: int | None = None) -> Report:
    """Validate the record files under ``paths`` (files or folders), or only ``files`` among
    them (references still resolve against the whole corpus around ``paths``).

    ``jobs`` is the number of processes; by default every core once there are enough files
    to repay starting them (``parallel.MIN_FILES``)."""
    roots = [Path(p) for p in paths]
    with no_gc():
        files = discover(roots) if files is None else list(files)
        checked = []
        for path, (display, kind, data, problems, issues, linked) in zip(files, map_files(check_file, files, jobs),
                                                                          strict=True):
            record = RecordFile(path=path, display=display, kind=kind, data=data, problems=problems)
            checked.append((record, issues, linked))
        corpus = Corpus.from_records([record for record, _, _ in checked], roots)
        report = Report(files_checked=len(checked), records_checked=sum(1 for r, _, _ in checked if r.parsed))
        report.extend(_issues(corpus, checked))
    return report.finish()


def check_file(path: Path) -> tuple[str, str | None, Any, list[Issue], list[Issue], bool]:
    """Parse one file and run its own checks; keep of its data only the shared fields.
    Returns (display path, kind, shared data, file problems, findings, whether link rules apply)."""
    record = load_file(path, keep_nodes=True)
    issues, linked = record_issues(record)
    data = project(record.data, SHARED_FIELDS, STRICT_SHARED_FIELDS)
    return record.display, record.kind, data, record.problems, issues, linked


#: Tests set this: kept fields then refuse to answer for a field SHARED_FIELDS does not list.
STRICT_SHARED_FIELDS = False


class InvalidCorpusError(Exception):
    """The corpus has errors, so nothing may be published from it; ``report`` holds the findings."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"the corpus has {len(report.errors)} error(s); nothing was published")
        self.report = report


def valid_records(paths: Iterable[Path | str]) -> list[RecordFile]:
    """The parsed records under ``paths`` once the whole corpus validates without errors, for
    everything that publishes the corpus (export, site, release). Raises InvalidCorpusError."""
    corpus = Corpus.from_paths([Path(p) for p in paths])
    report = validate(corpus)
    if not report.ok():
        raise InvalidCorpusError(report)
    return [record for record in corpus.targets if record.parsed]
