"""The validation pipeline, one for every caller (CLI, library, tests):

discover -> load (one parse per file, positions kept) -> the record's own checks ->
cross-record checks -> Report.

The first three stages are one function per file (``check_file``); for large runs it is mapped
over the files in worker processes, which changes nothing but speed. Cross-record rules then
see the whole corpus. What they read and where they may report was declared by the rules
themselves (``checks.ANCHORS``): those positions are taken while each file's node tree is at
hand, and a validation run keeps only those values of each record - the small index the
cross-record rules need, not the whole record sent back from a worker.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from . import schema, schema_check
from .checks import ANCHORS, CORPUS_RULES, LINK_RULES, RECORD_RULES
from .checks.layout import folder_issue
from .corpus import Corpus
from .issues import Issue, Report
from .loading import RecordFile, discover, display_path, find_root, holds_records, load_file

#: Below this many files one process is faster than starting workers.
MIN_PARALLEL_FILES = 500

#: (record without its node tree, the findings of its own checks, whether link rules apply)
Checked = tuple[RecordFile, list[Issue], bool]


def check_file(path: Path, keep_data: bool = True) -> Checked:
    """Parse one file and run the checks that need nothing but the file itself. Without
    ``keep_data`` the record keeps only what the cross-record rules declared they read."""
    record = load_file(path, find_root(Path(os.path.abspath(path))), keep_nodes=True)
    issues, linked = record_issues(record)
    if linked:
        record.anchors = {(where, at_key): record.locate(where, at_key)
                          for declare in ANCHORS for where, at_key in declare(record)}
        if not keep_data:
            record.data = project(record.data, [where for where, _ in record.anchors])
    record.nodes = record.text = None
    return record, issues, linked


def project(data: dict[str, Any], paths: Iterable[tuple[str | int, ...]]) -> dict[str, Any]:
    """The values of ``data`` at ``paths`` and nothing else, in the same places: mappings keep
    only the keys on a path, lists keep their length (items off every path are None)."""
    out: dict[str, Any] = {}
    for path in paths:
        source: Any = data
        target: Any = out
        for depth, elem in enumerate(path):
            try:
                value = source[elem]
            except (KeyError, IndexError, TypeError):
                break
            if depth == len(path) - 1 or not isinstance(value, (dict, list)):
                target[elem] = value
                break
            if (target.get(elem) if isinstance(target, dict) else target[elem]) is None:
                target[elem] = {} if isinstance(value, dict) else [None] * len(value)
            source, target = value, target[elem]
    return out


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


def _check_all(files: list[Path], jobs: int | None, keep_data: bool) -> list[Checked]:
    """``check_file`` on every file: in this process, or mapped over worker processes."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1) if len(files) >= MIN_PARALLEL_FILES else 1
    check = partial(check_file, keep_data=keep_data)
    if workers <= 1:
        return [check(path) for path in files]
    from concurrent.futures import ProcessPoolExecutor  # 30 ms of imports a one-file run need not pay

    with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable) as pool:
        return list(pool.map(check, files, chunksize=max(1, len(files) // (workers * 8))))


@contextmanager
def _no_gc() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def validate_paths(paths: Iterable[Path | str], files: list[Path] | None = None, *, jobs: int | None = None) -> Report:
    """Validate the record files under ``paths`` (files or folders), or only ``files`` among
    them; references always resolve against the whole corpus around ``paths``."""
    report, _ = _run([Path(p) for p in paths], files, jobs, keep_data=False)
    return report


def _run(roots: list[Path], files: list[Path] | None, jobs: int | None, *,
         keep_data: bool) -> tuple[Report, list[RecordFile]]:
    # The cyclic garbage collector is paused for the run: the records hold no cycles, and
    # walking millions of fresh objects again and again costs a third of the time.
    with _no_gc():
        misnamed: list[tuple[Path, str]] = []
        checked = _check_all(discover(roots, misnamed) if files is None else list(files), jobs, keep_data)
        corpus = Corpus.build(roots, [record for record, _, _ in checked])
        report = Report(files_checked=len(checked), records_checked=sum(1 for r, _, _ in checked if r.parsed))
        report.extend(_misnamed(sorted(misnamed)))
        for record, issues, linked in checked:
            report.extend(issues)
            if linked:
                for rule in LINK_RULES:
                    report.extend(rule(record, corpus))
        for corpus_rule in CORPUS_RULES:
            report.extend(corpus_rule(corpus))
        return report.finish(), [record for record, _, _ in checked if record.parsed]


def _misnamed(misnamed: list[tuple[Path, str]]) -> Iterator[Issue]:
    for path, right in misnamed:
        ending = path.name[len(right.rsplit(".", 1)[0]):]
        taken = path.with_name(right).exists()
        yield Issue("misnamed-file", f"the file name ends in '{ending}', so it is not read as a record",
                    display_path(path), line=1, column=1,
                    suggestion=f"a record {right} exists beside it: merge the two, or delete this one" if taken
                    else f"rename it to {right}")


class PartialCorpusError(ValueError):
    """What is published (a site, a release) must be a whole records folder: a part of one would
    link to, and count as removed, the records it leaves out."""


def whole_corpus(paths: Path | str | Iterable[Path | str]) -> list[Path]:
    """``paths`` as a list of records folders (each a folder holding studies/, cell_sources/ or
    conditions/, whatever its own name); PartialCorpusError for a record file or a kind folder."""
    roots = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    for root in roots:
        real = Path(os.path.realpath(root))
        # A kind folder inside a records folder is a part of it, even one holding a kind-named folder.
        part = schema.kind_of_folder(real.name) is not None and any(
            real.parent.joinpath(k.folder).is_dir() for k in schema.kinds() if k.folder != real.name)
        if not root.is_dir() or not holds_records(root) or part:
            folders = ", ".join(f"{k.folder}/" for k in schema.kinds())
            raise PartialCorpusError(f"{root} is not a records folder: a site or release is built from the whole "
                                     f"folder holding {folders} (such as records), not from a part of it")
    return roots


class InvalidCorpusError(Exception):
    """The corpus has errors, so nothing may be published from it; ``report`` holds the findings."""

    def __init__(self, report: Report) -> None:
        from .reporters import counted

        super().__init__(f"the corpus has {counted(len(report.errors), 'error')}; nothing was published")
        self.report = report


def valid_records(paths: Iterable[Path | str], *, jobs: int | None = None) -> list[RecordFile]:
    """The parsed records under ``paths`` once the whole corpus validates without errors, for
    everything that publishes the corpus (export, site, release). Raises InvalidCorpusError."""
    report, records = _run([Path(p) for p in paths], None, jobs, keep_data=True)
    if not report.ok():
        raise InvalidCorpusError(report)
    return records
