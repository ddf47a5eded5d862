"""The validation pipeline: parse -> folder -> schema -> record rules -> corpus rules -> Report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from . import schema_check
from .checks import CORPUS_RULES, RECORD_RULES
from .checks.layout import folder_issue
from .corpus import Corpus
from .issues import Issue, Report
from .loading import RecordFile


def iter_issues(corpus: Corpus) -> Iterator[Issue]:
    """Every finding for the corpus' target files, lazily, in pipeline order."""
    for record in corpus.targets:
        yield from record.problems
        if not record.parsed:
            continue
        misplaced = folder_issue(record)
        if misplaced is not None:
            yield misplaced
            continue
        yield from schema_check.check_record(record)
        for rule in RECORD_RULES:
            yield from rule(record, corpus)
    for corpus_rule in CORPUS_RULES:
        yield from corpus_rule(corpus)


def validate(records: Iterable[RecordFile] | Corpus) -> Report:
    """Validate loaded records; references resolve against the corpus around them."""
    corpus = records if isinstance(records, Corpus) else Corpus.from_records(list(records))
    report = Report(files_checked=len(corpus.targets),
                    records_checked=sum(1 for r in corpus.targets if r.parsed))
    report.extend(iter_issues(corpus))
    return report.finish()


def validate_paths(paths: Iterable[Path | str]) -> Report:
    """Validate the record files under ``paths`` (files or folders)."""
    return validate(Corpus.from_paths([Path(p) for p in paths]))
