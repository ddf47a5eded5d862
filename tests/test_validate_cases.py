"""One test per invalid example: each case must raise exactly the findings it declares.

A case is ``tests/cases/<code>/case.yaml``: a few line edits of one file of the valid base
corpus in ``tests/data/base`` (or a whole new file), and under ``expect`` every finding
(code, severity, file, line, column) the whole corpus must then produce - nothing more,
nothing less.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import CASES, apply_case, build_corpus, case_bytes, case_doc

from respirocell import validate_paths

CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())


def _expected(case: Path) -> Counter[tuple[str, str, str, int | None, int | None]]:
    entries = case_doc(case)["expect"]
    return Counter((e["code"], e["severity"], e["file"], e["line"], e["column"]) for e in entries)


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_raises_exactly_its_findings(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_case(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    report = validate_paths(["records"])
    found = Counter((i.code, i.severity.value, i.file.removeprefix("records/"), i.line, i.column)
                    for i in report.issues)
    assert found == _expected(case)
    # The case is named after the code it demonstrates (<code> or <code>-<variant>), and that code is found.
    assert any(case.name == code or case.name.startswith(code + "-") for code, *_ in found)


def test_base_corpus_is_valid(base_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(base_corpus.parent)
    report = validate_paths(["records"])
    assert report.issues == []
    assert report.summary()["files"] == 5


def test_every_case_message_has_file_line_and_suggestion_where_possible(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Friendly by construction: every finding names a file and a line; most carry a hint."""
    monkeypatch.chdir(tmp_path)
    hints = total = 0
    for case in CASE_DIRS:
        dest = tmp_path / case.name
        apply_case(dest, case)
        for issue in validate_paths([dest / "records"]).issues:
            total += 1
            assert issue.file and issue.line is not None and issue.column is not None, issue
            hints += issue.suggestion is not None
    assert hints == total


def test_hostile_files_are_reported_per_file_and_the_rest_is_still_checked(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    records = build_corpus(tmp_path)
    studies = records / "studies"
    hostile = {
        "bomb.yaml": case_bytes(CASES / "yaml-too-complex"),
        "deep.yaml": case_bytes(CASES / "yaml-too-deep"),
        "latin1.yaml": case_bytes(CASES / "encoding"),
        "tag.yaml": case_bytes(CASES / "yaml-tag"),
        "big.yaml": b"id: big\nnotes: " + b"x" * 1_100_000 + b"\n",
        "empty.yaml": b"",
    }
    for name, content in hostile.items():
        (studies / name).write_bytes(content)
    (studies / "gone.yaml").symlink_to(tmp_path / "does-not-exist.yaml")
    # An ordinary error in an ordinary file must still be found next to all of that.
    condition = records / "conditions" / "copd.yaml"
    condition.write_text(condition.read_text().replace("label: chronic obstructive pulmonary disease", "label: COPD"))
    monkeypatch.chdir(tmp_path)
    found = {(Path(i.file).name, i.code, i.line) for i in validate_paths(["records"]).issues}
    assert found == {
        ("bomb.yaml", "yaml-too-complex", 3), ("deep.yaml", "yaml-too-deep", 2), ("latin1.yaml", "encoding", 23),
        ("tag.yaml", "yaml-tag", 4), ("big.yaml", "file-too-large", 1), ("empty.yaml", "empty-file", 1),
        ("gone.yaml", "unreadable-file", 1), ("copd.yaml", "label-mismatch", 5),
    }


def test_single_file_resolves_references_against_the_whole_corpus(base_corpus: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit case: one file is checked, but its references and duplicates see the corpus."""
    monkeypatch.chdir(base_corpus.parent)
    study = Path("records/studies/test-study-base.yaml")
    assert validate_paths([study]).issues == []
    copy = Path("records/studies/test-study-copy.yaml")
    copy.write_text(case_bytes(CASES / "duplicate-study").decode()
                    .replace("conditions: [copd]", "conditions: [copd, emphysema]"))
    found = {(i.code, i.file) for i in validate_paths([copy]).issues if i.severity.value == "error"}
    assert found == {("duplicate-study", str(copy)), ("dangling-reference", str(copy))}


def test_follow_up_may_share_the_registry_id(base_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(base_corpus.parent)
    text = case_bytes(CASES / "duplicate-study").decode()
    Path("records/studies/test-study-copy.yaml").write_text(text + "follow_up_of: test-study-base\n")
    text = Path("records/studies/test-study-copy.yaml").read_text()
    Path("records/studies/test-study-copy.yaml").write_text(
        text.replace("fields: [title,", "fields: [follow_up_of, title,"))
    assert [i.code for i in validate_paths(["records"]).errors] == []


def test_issue_paths_are_relative_to_the_working_directory(base_corpus: Path) -> None:
    cwd = os.getcwd()
    try:
        os.chdir(base_corpus)
        bad = Path("studies/test-study-base.yaml")
        bad.write_text(bad.read_text().replace("phase: phase_2", "phase: phase_9"))
        (issue,) = validate_paths(["."]).issues
        assert issue.file == "studies/test-study-base.yaml" and issue.code == "invalid-enum"
    finally:
        os.chdir(cwd)


def test_a_validation_run_keeps_only_the_values_cross_record_rules_declared() -> None:
    from respirocell.validation import project

    data = {"id": "s", "title": "t", "conditions": ["copd", "ards"],
            "arms": [{"name": "a", "dose": {"value": 1, "unit": "cells"}}, {"name": "b", "cell_source": "x"}]}
    paths = [("id",), ("arms", 1, "cell_source"), ("arms", 0, "dose", "unit"), ("conditions", 1),
             ("follow_up_of",), ("arms", 5, "name")]  # the last two are absent: skipped
    assert project(data, paths) == {"id": "s", "conditions": [None, "ards"],
                                    "arms": [{"dose": {"unit": "cells"}}, {"cell_source": "x"}]}
    assert project({"conditions": "copd"}, [("conditions", 0)]) == {"conditions": "copd"}  # the odd value itself
