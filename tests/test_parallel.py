"""Streaming and parallel validation give the Report that validating loaded records gives.

``validate_paths`` keeps only ``checks.SHARED_FIELDS`` of each record after its record rules ran
and, above ``parallel.MIN_FILES`` files, runs those rules in worker processes. Every case
corpus, the base corpus and the real records are validated three ways - loaded in memory,
streamed in one process, streamed across processes in many small chunks - and the Reports
must be equal, issue for issue and in the same order. Streams run with strict shared fields,
so a rule that reads a field the list does not keep fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CASES, REPO, build_corpus

from respirocell import parallel, validation
from respirocell.checks import SHARED_FIELDS
from respirocell.corpus import Corpus, UndeclaredField, project
from respirocell.issues import Report
from respirocell.validation import validate, validate_paths

CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.fixture(autouse=True)
def strict_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "STRICT_SHARED_FIELDS", True)
    monkeypatch.setattr(parallel, "MAX_CHUNK", 2)  # many chunks, so order across them is tested


def _same(a: Report, b: Report) -> None:
    assert a.issues == b.issues
    assert (a.files_checked, a.records_checked) == (b.files_checked, b.records_checked)


def _three_ways(paths: list[Path], files: list[Path] | None = None) -> Report:
    loaded = validate(Corpus.from_paths(paths, files=files, jobs=1), jobs=1)
    loaded_spread = validate(Corpus.from_paths(paths, files=files, jobs=2), jobs=2)
    serial = validate_paths(paths, files=files, jobs=1)
    spread = validate_paths(paths, files=files, jobs=2)
    _same(loaded_spread, loaded)
    _same(serial, loaded)
    _same(spread, loaded)
    return loaded


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_reports_are_identical(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_corpus(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    report = _three_ways([Path("records")])
    assert report.issues  # every case finds something


def test_every_case_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All case records side by side (renamed apart where two cases use the same file name),
    so corpus rules see records from many cases at once."""
    records = build_corpus(tmp_path)
    for case in CASE_DIRS:
        for src in sorted((case / "records").rglob("*")):
            if src.is_file():
                rel = src.relative_to(case / "records")
                dest = records / rel
                if dest.exists():
                    dest = dest.with_name(f"{case.name}--{dest.name}")
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    monkeypatch.chdir(tmp_path)
    assert len(_three_ways([Path("records")]).issues) > 50


def test_the_real_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    _three_ways([Path("records")])


def test_one_file_against_the_rest_of_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit case: only some files are checked, the rest of the corpus is read for
    references and shared identifiers."""
    monkeypatch.chdir(REPO)
    studies = sorted(Path("records/studies").glob("*.yaml"))
    for files in (studies[:1], studies[::7]):
        _three_ways([Path("records")], files=files)


def test_map_files_keeps_the_input_order() -> None:
    items = list(range(-40, 40))
    assert parallel.map_files(abs, items, jobs=2) == [abs(i) for i in items]
    assert parallel.map_files(abs, [], jobs=2) == []
    assert parallel.map_shared(abs, items, jobs=2) == [abs(i) for i in items]
    assert parallel._shared is None


def test_jobs_for() -> None:
    assert parallel.jobs_for(parallel.MIN_FILES - 1) == 1
    assert parallel.jobs_for(parallel.MIN_FILES) == parallel.cpu_count()
    assert parallel.jobs_for(3, jobs=8) == 3
    assert parallel.jobs_for(10, jobs=0) == 1


def test_strict_projection_refuses_fields_it_does_not_keep() -> None:
    data = {"id": "x", "title": "t", "arms": [{"cell_source": "c", "label": "l"}, "odd"]}
    kept = project(data, SHARED_FIELDS, strict=True)
    assert kept == {"id": "x", "arms": [{"cell_source": "c"}, "odd"]}
    assert kept.get("id") == "x" and kept["arms"][0].get("dose") is None
    with pytest.raises(UndeclaredField):
        kept.get("title")
    with pytest.raises(UndeclaredField):
        kept["arms"][0]["label"]
    assert project(None, SHARED_FIELDS) is None
